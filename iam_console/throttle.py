"""Failure throttles with exponential back-off, and slots of limited capacity, kept in Redis and shared by every
web worker.

When Redis cannot be reached both keep working from a store inside this process (each worker then counts on its
own), so an outage of Redis never turns into unlimited guessing or unlimited waiting, nor into refused requests.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# After Redis fails, the in-process store is used this long before Redis is tried again.
REDIS_RETRY_SECONDS = 5
# Sign-in must never wait for an unreachable Redis longer than this.
REDIS_TIMEOUT_SECONDS = 0.25
LOCAL_MAX_KEYS = 50_000


class _LocalStore:
    """Counters with expiry in this process: the fallback while Redis is down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, tuple[int, float, float]] = {}  # key -> (failures, last failure, expires at)
        self._slots: dict[str, dict[str, float]] = {}  # key -> {holder: lease end}

    def read(self, key: str) -> tuple[int, float]:
        with self._lock:
            failures, last, expires = self._data.get(key, (0, 0.0, 0.0))
            if expires <= time.time():
                return 0, 0.0
            return failures, last

    def add_failure(self, key: str, now: float, ttl: int) -> tuple[int, float]:
        with self._lock:
            failures, _, expires = self._data.get(key, (0, 0.0, 0.0))
            failures = failures + 1 if expires > now else 1
            if len(self._data) >= LOCAL_MAX_KEYS:
                self._evict(now)
            self._data[key] = (failures, now, now + ttl)
            return failures, now

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)
            self._slots.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._slots.clear()

    def take_slot(self, key: str, token: str, capacity: int, lease_until: float, now: float) -> bool:
        with self._lock:
            holders = {held: until for held, until in self._slots.get(key, {}).items() if until > now}
            if len(holders) >= capacity:
                self._slots[key] = holders
                return False
            holders[token] = lease_until
            self._slots[key] = holders
            return True

    def release_slot(self, key: str, token: str) -> None:
        with self._lock:
            self._slots.get(key, {}).pop(token, None)

    def _evict(self, now: float) -> None:
        live = {k: v for k, v in self._data.items() if v[2] > now}
        if len(live) >= LOCAL_MAX_KEYS:  # still full: drop the oldest half rather than grow without bound
            live = dict(sorted(live.items(), key=lambda item: item[1][1])[LOCAL_MAX_KEYS // 2:])
        self._data = live


class _RedisStore:
    def __init__(self) -> None:
        self._client: redis.Redis | None = None
        self._down_until = 0.0

    def available(self) -> bool:
        return time.time() >= self._down_until

    def failed(self, error: Exception) -> None:
        logger.warning("Redis unreachable for throttles and slots (%s): using this process's own", error)
        self._down_until = time.time() + REDIS_RETRY_SECONDS

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                                socket_timeout=REDIS_TIMEOUT_SECONDS)
        return self._client

    def read(self, key: str) -> tuple[int, float]:
        failures, last = self.client.hmget(key, "failures", "last")
        return int(failures or 0), float(last or 0)

    def add_failure(self, key: str, now: float, ttl: int) -> tuple[int, float]:
        pipe = self.client.pipeline(transaction=True)
        pipe.hincrby(key, "failures", 1)
        pipe.hset(key, "last", repr(now))
        pipe.expire(key, ttl)
        failures, _, _ = pipe.execute()
        return int(failures), now

    def delete(self, key: str) -> None:
        self.client.delete(key)

    # Holders are a sorted set scored by the end of their lease: a holder that died frees its slot when it ends.
    _TAKE_SLOT = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
        redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) - tonumber(ARGV[1])) + 1)
        return 1
    """

    def take_slot(self, key: str, token: str, capacity: int, lease_until: float, now: float) -> bool:
        return bool(self.client.eval(self._TAKE_SLOT, 1, key, repr(now), capacity, repr(lease_until), token))

    def release_slot(self, key: str, token: str) -> None:
        self.client.zrem(key, token)


_local = _LocalStore()
_redis = _RedisStore()


def _call(method: str, *args):
    if _redis.available():
        try:
            return getattr(_redis, method)(*args)
        except redis.RedisError as error:
            _redis.failed(error)
    return getattr(_local, method)(*args)


def key_prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'iam')}:throttle:"


@dataclass(frozen=True)
class FailureThrottle:
    """Counts failures per key; after `free` of them each further attempt waits twice as long as the last.

    The count is forgotten `window` seconds after the last failure. Keys are hashed: an IP address or a user
    name never appears in Redis as it was typed.
    """

    name: str
    free: int
    base_seconds: float
    cap_seconds: int
    window_seconds: int

    def _key(self, key: str) -> str:
        return key_prefix() + self.name + ":" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def backoff(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(float(self.cap_seconds), self.base_seconds * 2 ** (failures - self.free))

    def wait(self, key: str) -> int:
        """Whole seconds before the next attempt may be made (0: now)."""
        return self.wait_after(*_call("read", self._key(key)))

    def wait_after(self, failures: int, last: float) -> int:
        """The wait that `failures`, the last of them at `last` (epoch seconds), impose now: the same ladder
        for counts kept elsewhere (an MFA device keeps its own on its row)."""
        now = time.time()
        if last + self.window_seconds <= now:
            return 0  # forgotten
        return max(0, int(last + self.backoff(failures) - now + 0.999))

    def fail(self, key: str) -> int:
        """Record a failure; the seconds the key must now wait."""
        failures, last = _call("add_failure", self._key(key), time.time(), self.window_seconds)
        return max(0, int(last + self.backoff(failures) - time.time() + 0.999))

    def failures(self, key: str) -> int:
        return _call("read", self._key(key))[0]

    def clear(self, key: str) -> None:
        _call("delete", self._key(key))


@dataclass(frozen=True)
class SharedSlots:
    """At most `capacity` holders of a key at once, across every worker; each holds its slot for at most
    `lease_seconds` (a holder that dies frees it then). Keys are hashed like the throttles'."""

    name: str
    capacity: int
    lease_seconds: float

    def _key(self, key: str) -> str:
        return key_prefix() + "slots:" + self.name + ":" + hashlib.sha256(key.encode("utf-8", "surrogatepass")) \
            .hexdigest()

    def take(self, key: str) -> str | None:
        """A holder's token, or None when every slot is taken."""
        token = secrets.token_hex(8)
        now = time.time()
        return token if _call("take_slot", self._key(key), token, self.capacity, now + self.lease_seconds, now) \
            else None

    def release(self, key: str, token: str) -> None:
        _call("release_slot", self._key(key), token)


def reset_all() -> None:
    """Forget every throttle of this deployment's key prefix (tests; never a FLUSHALL)."""
    _local.clear()
    try:
        client = _redis.client
        keys = list(client.scan_iter(match=key_prefix() + "*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass
