"""However many Celery beats run (one per node), one schedules: the one holding the lock in Redis. When it dies,
another takes over within the lock's time; when it stops politely, at once."""

from __future__ import annotations

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

from tests.reports.conftest import BASE_DIR, die_with_parent, wait_for
from tests.support.database import database_url

pytestmark = [pytest.mark.celery, pytest.mark.processes]
LOCK_SECONDS = 3
SENT = "Sending due task probe"


class Beat:
    def __init__(self, log: Path, queue: str) -> None:
        self.log = log
        env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "DEBUG": "true",
               "IAM_TESTING": "true", "IAM_TEST_BEAT_QUEUE": queue, "IAM_BEAT_LOCK_SECONDS": str(LOCK_SECONDS)}
        with open(log, "w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tests.performance.fast_beat", "beat", "--loglevel=INFO",
                 "--schedule", str(log.with_suffix(".schedule"))],
                cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def sent(self) -> int:
        return self.log.read_text(errors="replace").count(SENT)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def beats(tmp_path):
    queue = f"test-beat-{uuid.uuid4().hex[:12]}"
    started: list[Beat] = []

    def start() -> Beat:
        started.append(Beat(tmp_path / f"beat-{len(started)}.log", queue))
        return started[-1]

    yield start
    for beat in started:
        beat.stop()
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)


def test_one_beat_of_two_schedules_and_the_other_takes_over_when_it_dies(beats):
    first, second = beats(), beats()
    wait_for(lambda: first.sent() + second.sent() >= 10)
    time.sleep(1)
    leader, follower = (first, second) if first.sent() else (second, first)
    assert leader.sent() >= 10 and follower.sent() == 0, (leader.log.read_text(), follower.log.read_text())

    leader.stop(signal.SIGKILL)  # dies holding the lock: the other waits for it to expire, then schedules
    killed_at = time.monotonic()
    wait_for(lambda: follower.sent() > 0, timeout=3 * LOCK_SECONDS)
    assert time.monotonic() - killed_at <= LOCK_SECONDS + LOCK_SECONDS / 3 + 1

    third = beats()  # a beat started later waits its turn
    time.sleep(2)
    assert third.sent() == 0
    lock = redis.Redis.from_url(settings.REDIS_URL)
    key = f"{settings.CACHES['default']['KEY_PREFIX']}:celery-beat:leader"
    holder = lock.get(key)
    assert holder, "the follower leads, so it holds the lock"
    follower.stop()
    # A polite stop lets go at once: the lock no longer names the stopped beat, well before the lease it renewed
    # a moment ago could expire (asserted on the lock itself, so a loaded machine cannot blur it with timing).
    assert lock.get(key) != holder
    wait_for(lambda: third.sent() > 0, timeout=3 * LOCK_SECONDS)
