"""gunicorn as production runs it (the project's config file), started on the test database for one test module."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.database import database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def send(port: int, method: str, target: str, body: bytes = b"", headers: dict | None = None,
         timeout: float = 30) -> tuple[int, dict, bytes]:
    """One request on a connection of its own: (status, lower-cased headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, target, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@contextmanager
def gunicorn(log_dir: Path, *, workers: int = 1, threads: int = 1, env: dict | None = None) -> Iterator[int]:
    """Serve the console with gunicorn; yields its port once /api/v1/health/ answers."""
    port = free_port()
    environment = {**os.environ, "DEBUG": "true", "IAM_TESTING": "true", "DATABASE_URL": database_url(),
                   "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
                   "GUNICORN_THREADS": str(threads), **(env or {})}
    log_path = log_dir / f"gunicorn-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "iam_console.wsgi:application", "--config",
                                    str(ROOT / "iam_console" / "gunicorn.conf.py")], cwd=ROOT, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if send(port, "GET", "/api/v1/health/", timeout=5)[0] in (200, 503):
                        break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        pytest.fail("gunicorn did not start:\n" + log_path.read_text()[-3000:])
                    time.sleep(0.2)
            yield port
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
