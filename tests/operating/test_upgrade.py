"""Upgrading in place, proven: the previous release (releases.toml), installed from this repository's history into
a virtualenv of its own, migrated and populated through its own code, then upgraded with the documented steps
(pip install of this tree, migrate, restart) keeps every identity, key, session, MFA device and password working."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tomllib
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.support.database import database_url
from tests.support.directory_state import PASSWORD, client, console_sign_in, identities, populate, verify
from tests.support.servers import Gunicorn

ROOT = Path(__file__).resolve().parents[2]
# The deployment's account id, not the default: the upgrade to accounts must adopt it as the management account.
DEPLOYMENT_ACCOUNT = "210987654321"
pytestmark = [pytest.mark.upgrade, pytest.mark.timeout(1200)]


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def previous_release() -> dict:
    """The newest release in releases.toml older than this tree's version."""
    current = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    releases = tomllib.loads((ROOT / "releases.toml").read_text())["release"]
    older = [r for r in releases if version_tuple(r["version"]) < version_tuple(current)]
    assert older, f"releases.toml names no release older than {current}"
    return max(older, key=lambda r: version_tuple(r["version"]))


def test_releases_are_recorded_oldest_first_with_full_commits():
    releases = tomllib.loads((ROOT / "releases.toml").read_text())["release"]
    versions = [version_tuple(r["version"]) for r in releases]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert all(len(r["commit"]) == 40 for r in releases)
    current = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert version_tuple(current) > versions[-1], "pyproject.toml's version is past every recorded release"


def copy_of_this_tree(target: Path) -> Path:
    """This tree as a release would ship it: without the virtualenv, data, caches or earlier build output (a build
    in place would leave build/ in the checkout, whose stale copies a later build could pick up)."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".data", "build", "*.egg-info", "__pycache__", "test-output", "staticfiles", "site",
        ".pytest_cache", ".ruff_cache", ".import_linter_cache"))
    return target


def export_release(commit: str, target: Path) -> Path:
    """The release's tree from this repository's own history (CI runs on a full clone)."""
    archive = target.with_suffix(".tar")
    result = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "--output", str(archive), commit],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (f"git archive {commit} failed (a shallow clone lacks the previous release; "
                                    f"fetch the full history): {result.stderr}")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


class Installation:
    """A virtualenv with the directory installed as a package, run from a folder outside any checkout."""

    def __init__(self, base: Path, database: str) -> None:
        self.venv = base / "venv"
        self.run_dir = base / "run"
        self.run_dir.mkdir()
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True, timeout=300)
        self.python = str(self.venv / "bin" / "python")
        self.env = {key: os.environ[key] for key in ("HOME", "LANG", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL",
                                                      "PIP_CACHE_DIR") if key in os.environ}
        self.env.update({
            "PATH": f"{self.venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
            "DJANGO_SETTINGS_MODULE": "iam_console.settings", "DATABASE_URL": database,
            "REDIS_URL": settings.REDIS_URL, "SECRET_KEY": secrets.token_urlsafe(50),
            "SESSION_COOKIE_SECURE": "false", "IAM_CACHE_PREFIX": f"upgrade-{uuid.uuid4().hex[:8]}",
            "IAM_DATA_DIR": str(base / "data"), "PYTHONUNBUFFERED": "1", "IAM_ACCOUNT_ID": DEPLOYMENT_ACCOUNT,
        })
        self.log = base / "installation.log"

    def run(self, *args: str, timeout: float = 900) -> str:
        result = subprocess.run(list(args), cwd=self.run_dir, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        with open(self.log, "a") as log:
            log.write(f"$ {' '.join(args)}\n{result.stdout}\n{result.stderr}\n")
        assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        return result.stdout

    def pip_install(self, source: Path) -> None:
        self.run(self.python, "-m", "pip", "install", "--quiet", str(source))

    def manage(self, *args: str) -> str:
        return self.run(self.python, "-m", "django", *args)

    def version(self) -> str:
        return self.run(self.python, "-c", "from importlib.metadata import version; print(version('iam-console'))"
                        ).strip()

    def serve(self, name: str) -> Gunicorn:
        package = self.run(self.python, "-c", "import iam_console, os; print(os.path.dirname(iam_console.__file__))")
        config = Path(package.strip()) / "gunicorn.conf.py"
        return Gunicorn(self.python, self.env, self.log.parent / f"{name}.log", self.run_dir, config).wait()


@pytest.fixture
def upgrade_database():
    db = connection.settings_dict
    name = f"iam_upgrade_{uuid.uuid4().hex[:10]}"
    admin = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or None,
                 password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url({**db, "NAME": name})
    with psycopg.connect(**admin) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_previous_release_upgrades_in_place_and_everyone_still_gets_in(db, upgrade_database, tmp_path):
    release = previous_release()
    old_tree = export_release(release["commit"], tmp_path / f"release-{release['version']}")
    current = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    installation = Installation(tmp_path, upgrade_database)

    # The previous release, as its operators installed it: its own package, migrations and root user.
    installation.pip_install(old_tree)
    assert installation.version() == release["version"]
    installation.manage("migrate", "--noinput")
    root = json.loads(installation.manage("bootstrap_root", "--access-key"))
    root_key = (root["access_key_id"], root["secret_access_key"])
    old = installation.serve("previous")
    try:
        state = populate(old.url, root_key)
        before = identities(old.url, root_key)
    finally:
        old.stop()

    # The documented upgrade: install this tree over it, migrate, restart.
    installation.pip_install(copy_of_this_tree(tmp_path / "current"))
    assert installation.version() == current
    installation.manage("migrate", "--noinput")
    installation.manage("check", "--database", "default", "--fail-level", "ERROR")
    new = installation.serve("upgraded")
    try:
        assert identities(new.url, root_key) == before
        verify(new.url, state)
        # The directory's one account became the management account, under the deployment's own id: callers act
        # in it, and the console's new account field may name it (by id) as well as stay empty.
        assert all(f":{DEPLOYMENT_ACCOUNT}:" in identity for identity in before.values())
        assert client("sts", new.url, *root_key).get_caller_identity()["Account"] == DEPLOYMENT_ACCOUNT
        signed_in = console_sign_in(new.url, "bob", PASSWORD, account=DEPLOYMENT_ACCOUNT)
        assert signed_in.status_code == 302 and "sign-in" not in signed_in.headers["Location"]
        assert console_sign_in(new.url, "bob", PASSWORD, account="999999999999").status_code != 302
    finally:
        new.stop()
