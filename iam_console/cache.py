"""The Redis cache, made an optimisation only: when Redis is unreachable it behaves as an empty cache.

Nothing the directory needs for correctness lives only in the cache (sessions are in the database), so a
Redis outage must cost speed, never a request. Short socket timeouts (settings) keep a dead Redis cheap.
"""

from __future__ import annotations

import logging
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 30.0
_last_warning = 0.0


def _unreachable(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("cache unavailable, %s skipped: %s", operation, error)


class TolerantRedisCache(RedisCache):
    """get misses, set/add/delete do nothing (and say False) while Redis cannot be reached."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except redis.RedisError as error:
            _unreachable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except redis.RedisError as error:
            _unreachable("get_many", error)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except redis.RedisError as error:
            _unreachable("set", error)
            return None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except redis.RedisError as error:
            _unreachable("set_many", error)
            return list(data)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except redis.RedisError as error:
            _unreachable("add", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except redis.RedisError as error:
            _unreachable("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except redis.RedisError as error:
            _unreachable("delete_many", error)
            return None
