"""What the benchmarks share: the benchmark database, its fixed keys, and Django set up against it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DATABASE = os.environ.get("IAM_BENCH_DATABASE", "iam_bench")
# Fixed keys so the seeding process and the server derive the same access key secret; benchmark data only.
BENCH_ENV = {
    "SECRET_KEY": "benchmark-only-secret-key-not-for-any-real-directory-000000",
    "IAM_CREDENTIAL_KEY": "benchmark-only-credential-key-not-for-any-real-directory-0",
    "DEBUG": "false",
    "IAM_EMBEDDED": "true",
    "LOG_LEVEL": "WARNING",
}


def credentials_file() -> Path:
    data = Path(os.environ.get("IAM_DATA_DIR") or ROOT / ".data")
    data.mkdir(parents=True, exist_ok=True)
    return data / "bench-credentials.json"


def server_database_url() -> str:
    """DATABASE_URL of the server the benchmark database lives on (the embedded one when none is set)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.path.insert(0, str(ROOT))
        from iam_console import embedded

        url = embedded.ensure_postgres(ROOT)
    return url


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def bench_environment() -> dict[str, str]:
    """The environment for processes that work on the benchmark database."""
    env = {**os.environ, **BENCH_ENV}
    env["DATABASE_URL"] = with_database(server_database_url(), BENCH_DATABASE)
    env.pop("DATABASE_TEST_NAME", None)
    return env


def setup_django() -> None:
    os.environ.update(bench_environment())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def save_credentials(access_key_id: str, secret_access_key: str) -> None:
    path = credentials_file()
    path.write_text(json.dumps({"access_key_id": access_key_id, "secret_access_key": secret_access_key}))
    path.chmod(0o600)


def load_credentials() -> dict[str, str]:
    return json.loads(credentials_file().read_text())


def fresh_database(name: str) -> None:
    """Set Django up on an empty, migrated database `name` of the benchmark server, dropped first if it exists."""
    import psycopg

    with psycopg.connect(with_database(server_database_url(), "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(bench_environment())
    os.environ["DATABASE_URL"] = with_database(server_database_url(), name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
