"""Run the directory as an operator does, in processes of its own: gunicorn on a port, manage.py commands."""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan if pytest dies


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v1/health/", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Gunicorn:
    """gunicorn serving the directory with `python` (any virtualenv's) and `env`, its output in `log`."""

    def __init__(self, python: str, env: dict, log: Path, cwd: Path, config: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [python, "-m", "gunicorn", "iam_console.wsgi:application", "--config", str(config),
                 "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4"],
                cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def wait(self, timeout: float = 120) -> Gunicorn:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if answers(self.url):
                return self
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-8000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
