"""Backup and restore as docs/operating/backup-restore.md says: pg_dump -Fc, pg_restore into a new database, the
same credential key; everyone gets in as before. Restored under another key, the directory refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.support.database import database_url
from tests.support.directory_state import populate, verify
from tests.support.servers import Gunicorn

ROOT = Path(__file__).resolve().parents[2]


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore from the pgserver package (PostgreSQL 16: they read and write older servers too)."""
    import pgserver

    shipped = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
    return str(shipped)


def server_env(database: str, tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "DJANGO_")) and key not in {"DEBUG", "IAM_TESTING", "IAM_EMBEDDED"}}
    env.update({
        "DATABASE_URL": database, "REDIS_URL": settings.REDIS_URL, "SECRET_KEY": settings.SECRET_KEY,
        "IAM_CREDENTIAL_KEY": settings.IAM_CREDENTIAL_KEY, "SESSION_COOKIE_SECURE": "false",
        # Its own cache keys: sign-in failures counted here must not reach other servers sharing this Redis.
        "IAM_CACHE_PREFIX": f"restore-{uuid.uuid4().hex[:8]}", "IAM_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "iam_console.settings",
    })
    env.update(overrides)
    return env


@pytest.fixture
def restored_database():
    """A fresh, empty database on the same server, dropped afterwards."""
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"[:63]
    admin = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or None,
                 password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)

    def drop() -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    drop()
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name, database_url({**db, "NAME": name})
    drop()


@pytest.mark.timeout(600)
def test_restored_backup_lets_every_key_session_device_and_password_in(
        transactional_db, live_server, root_credentials, restored_database, tmp_path):
    state = populate(live_server.url, (root_credentials.access_key_id, root_credentials.secret_access_key))
    # Back up the live database, as the procedure says.
    backup = tmp_path / "iam.dump"
    source = database_url()
    subprocess.run([postgres_tool("pg_dump"), "--format=custom", "--file", str(backup), "--dbname", source],
                   check=True, timeout=300)
    name, target = restored_database
    subprocess.run([postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", target, str(backup)],
                   check=True, timeout=300)

    server = Gunicorn(sys.executable, server_env(target, tmp_path), tmp_path / "restored.log", ROOT,
                      ROOT / "iam_console" / "gunicorn.conf.py")
    try:
        server.wait()
        verify(server.url, state)
    finally:
        server.stop()


def test_restore_under_another_credential_key_fails_loudly_at_start_up(
        transactional_db, root_credentials, restored_database, tmp_path):
    from iam_console import credential_key

    credential_key.record_if_missing()
    backup = tmp_path / "iam.dump"
    subprocess.run([postgres_tool("pg_dump"), "--format=custom", "--file", str(backup), "--dbname", database_url()],
                   check=True, timeout=300)
    name, target = restored_database
    subprocess.run([postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", target, str(backup)],
                   check=True, timeout=300)
    wrong = server_env(target, tmp_path, IAM_CREDENTIAL_KEY="not-the-key-of-this-backup-" + "k" * 20)

    # The system check (run by migrate too) names the problem...
    check = subprocess.run([sys.executable, str(ROOT / "manage.py"), "check", "--database", "default"],
                           cwd=ROOT, env=wrong, capture_output=True, text=True, timeout=120)
    assert check.returncode != 0
    assert "iam_console.E001" in check.stderr and "is not the key this database was created with" in check.stderr
    migrate = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"],
                             cwd=ROOT, env=wrong, capture_output=True, text=True, timeout=120)
    assert migrate.returncode != 0 and "is not the key this database was created with" in migrate.stderr

    # ...and the web server does not start on it, saying why, instead of refusing every signature one by one.
    server = Gunicorn(sys.executable, wrong, tmp_path / "wrong-key.log", ROOT, ROOT / "iam_console" / "gunicorn.conf.py")
    try:
        assert server.process.wait(timeout=120) != 0
    finally:
        server.stop()
    assert "is not the key this database was created with" in server.output()

    # With the right key, the same restored database passes the check.
    right = subprocess.run([sys.executable, str(ROOT / "manage.py"), "check", "--database", "default"],
                           cwd=ROOT, env=server_env(target, tmp_path), capture_output=True, text=True, timeout=120)
    assert right.returncode == 0, right.stderr
