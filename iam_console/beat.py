"""One Celery beat schedules at a time, however many nodes start one.

Every beat uses this scheduler. The beat that holds a lock in Redis (the broker every node shares) sends the due
jobs and renews the lock on every tick; the others only try to take the lock, and one of them does within
IAM_BEAT_LOCK_SECONDS of the holder's death. A graceful stop lets go at once. Jobs themselves stay safe to run twice (a
report job locks its row and does nothing once it is complete), so a takeover can never double a report.
"""

from __future__ import annotations

import logging
import uuid

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

# Take the lock if nobody holds it, or renew it if we do: one atomic step, so two beats can never both hold it.
_TAKE_OR_RENEW = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
return 0
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class SingleBeatScheduler(PersistentScheduler):
    """celery beat's own scheduler, run only by the beat that holds the lock."""

    def __init__(self, *args, **kwargs) -> None:
        self.identity = uuid.uuid4().hex
        # Under the cache's prefix: installations (and parallel test runs) sharing one Redis keep their own.
        self.lock_key = f"{settings.CACHES['default']['KEY_PREFIX']}:celery-beat:leader"
        self.leading = False
        self.lock_seconds = float(settings.IAM_BEAT_LOCK_SECONDS)
        timeout = settings.REDIS_SOCKET_TIMEOUT_SECONDS
        self.redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout,  # redis-py's spelling of it
                                          socket_connect_timeout=timeout)
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        renew_every = self.lock_seconds / 3
        if not self._lead():
            return renew_every
        return min(super().tick(*args, **kwargs), renew_every)

    def _lead(self) -> bool:
        try:
            leading = bool(self.redis.eval(_TAKE_OR_RENEW, 1, self.lock_key, self.identity,
                                           int(self.lock_seconds * 1000)))
        except redis.RedisError:
            leading = False  # without the broker no job can be sent anyway; try again on the next tick
        if leading != self.leading:
            logger.info("this beat %s the schedule", "now runs" if leading else "no longer runs")
            self.leading = leading
        return leading

    def close(self) -> None:
        try:
            self.redis.eval(_RELEASE, 1, self.lock_key, self.identity)
        except redis.RedisError:
            pass  # the lock expires by itself
        super().close()
