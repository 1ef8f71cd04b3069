"""A real Celery worker process on the real Redis broker, pointed at the test database."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from iam_console.celery import app
from tests.console.conftest import root_console, user_console  # noqa: F401 - console fixtures for these tests
from tests.support.database import database_url, terminate_other_backends

BASE_DIR = Path(__file__).resolve().parents[2]


def die_with_parent() -> None:
    """The kernel kills the worker if the test process dies without its teardown (Linux). SIGKILL, because a
    worker told to stop politely first finishes its task, which may wait for ever on a database now gone."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class WorkerProcess:
    def __init__(self, log_path: Path, queue: str) -> None:
        self.log_path = log_path
        env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "DEBUG": "true",
               "IAM_TESTING": "true", "DATABASE_CONN_MAX_AGE": "0"}
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "iam_console", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "--queues", queue],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("the Celery worker did not start:\n" + self.log_path.read_text())

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task with no chance to clean up, as on a power cut or OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def celery_queue():
    """A queue of this test's own on the real broker: parallel test runs never consume each other's jobs."""
    queue = f"test-reports-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield queue
    app.conf.task_default_queue = previous
    client.delete(queue)


@pytest.fixture
def start_worker(celery_queue, tmp_path):
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(workers)}.log", celery_queue)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    # Whatever a killed worker or a failed test left open (a transaction holding a lock) must not stall the
    # teardown's TRUNCATE: no other session may outlive the test.
    terminate_other_backends()


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
