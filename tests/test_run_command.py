"""`manage.py runconsole` end to end: a real gunicorn, Celery worker and beat on a fresh database."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120
pytestmark = [pytest.mark.celery, pytest.mark.processes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection_kwargs(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    return {"dbname": dbname, "user": db["USER"] or None, "password": db["PASSWORD"] or None,
            "host": db["HOST"] or None, "port": db["PORT"] or None, "autocommit": True}


def with_database(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/" + name))


def separate_redis(url: str) -> str:
    """Another Redis database number, so that the console's queue never meets the suite's."""
    parsed = urlparse(url)
    if parsed.scheme != "redis":
        return url
    current = int(parsed.path.lstrip("/") or 0)
    return urlunparse(parsed._replace(path=f"/{15 if current != 15 else 14}"))


def descendants(pid: int) -> set[int]:
    """Every live process below pid, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Console:
    """One `manage.py runconsole` process whose output is collected as it runs."""

    def __init__(self, env: dict, port: int) -> None:
        self.port = port
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "runconsole", "--port", str(port), "--web-workers", "1"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output)
            if match:
                return match
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never appeared; output was:\n{self.output}")

    def wait_ready(self) -> None:
        """The launcher announces the console only once gunicorn, the worker and beat all say they serve."""
        self.wait_for(r"the console is ready at [^\n]*\n(.*\n)*={72}\n")

    def get(self, path: str) -> tuple[int, dict]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())

    def kill(self) -> None:
        """After a failed assertion: leave no process behind, whatever state the console is in."""
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()


@pytest.fixture
def console_env(tmp_path):
    """An environment pointing at a database created for this test, and dropped after it."""
    name = f"iam_runconsole_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**admin_connection_kwargs("postgres")) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST",
                          "IAM_ROOT_PASSWORD", "SECRET_KEY", "DEBUG"}}
    env.update({
        "DATABASE_URL": with_database(os.environ["DATABASE_URL"], name),
        "REDIS_URL": separate_redis(os.environ["REDIS_URL"]),
        "IAM_DATA_DIR": str(tmp_path / "data"),
        "IAM_EMBEDDED": "true",
        "PYTHONUNBUFFERED": "1",
    })
    yield env, name
    with psycopg.connect(**admin_connection_kwargs("postgres")) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stored_password_hash(database: str, user_name: str) -> str:
    with psycopg.connect(**admin_connection_kwargs(database)) as connection:
        row = connection.execute("SELECT password FROM directory_user WHERE user_name = %s AND is_superuser",
                                 [user_name]).fetchone()
    return row[0]


def test_runconsole_serves_the_console_prints_root_password_once_and_stops_cleanly_on_sigterm(console_env):
    env, database = console_env
    port = free_port()
    console = Console(env, port)
    try:
        console.wait_ready()
        status, body = console.get("/api/v1/health/")
        assert (status, body) == (200, {"status": "ok", "database": "ok", "redis": "ok"})

        assert re.search(rf"Sign-in URL : http://127\.0\.0\.1:{port}/\S*\n", console.output)
        assert "User name   : root\n" in console.output
        password = re.search(r"Password    : (\S+)\n", console.output).group(1)
        assert check_password(password, stored_password_hash(database, "root"))
        assert shlex.quote(password) == password  # pastes into a shell as it is
        assert "bootstrap_root --reset-password" in console.output
        # What matters comes last, and nobody else's chatter is in the way: the servers' output is in logs.
        banner = console.output[console.output.index("the console is ready at"):]
        assert banner.rstrip().endswith("=" * 72) and "Password    : " in banner
        assert all(line.startswith("[console] ") for line in console.output[:console.output.index(
            "the console is ready at")].splitlines())
        for noise in ("celery@", "Booting worker", "superuser", "-------------- ", "Warning"):
            assert noise not in console.output
        logs = Path(env["IAM_DATA_DIR"]) / "logs"
        assert " ready." in (logs / "worker.log").read_text()
        assert "Booting worker" in (logs / "web.log").read_text()

        ping = subprocess.run([sys.executable, "-m", "celery", "-A", "iam_console", "inspect", "ping",
                               "--timeout", "10"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert ping.returncode == 0, ping.stdout + ping.stderr
        assert "pong" in ping.stdout

        family = descendants(console.process.pid)
        assert len(family) >= 4  # gunicorn master and worker, Celery worker and its pool, beat
        console.process.send_signal(signal.SIGTERM)
        assert console.process.wait(timeout=60) == 0
        assert [pid for pid in family if alive(pid)] == []
        assert "[console] stopped" in console.output
    finally:
        console.kill()


def test_runconsole_on_later_start_hides_the_password_and_exits_non_zero_when_a_child_dies(console_env):
    env, _ = console_env
    first = Console(env, free_port())
    try:
        first.wait_ready()
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(timeout=60) == 0
    finally:
        first.kill()

    port = free_port()
    console = Console(env, port)
    try:
        console.wait_ready()
        assert "Password" not in console.output
        assert re.search(rf"The console is ready: http://127\.0\.0\.1:{port}/\S*\n  Sign in as root with the "
                         r"password printed at first start", console.output)
        family = descendants(console.process.pid)
        web = int(re.search(r"started web \(pid (\d+)\)", console.output).group(1))
        os.killpg(web, signal.SIGKILL)
        assert console.process.wait(timeout=60) == 1
        assert "web exited with code -9; stopping the others" in console.output
        assert [pid for pid in family if alive(pid)] == []
    finally:
        console.kill()
