"""Health check: can the database and Redis be reached? Public, reveals nothing about the directory.

The database is required (503 without it). Redis carries the job queue and the cache: without it sign-in and
the API still work, so the service answers 200 but reports itself degraded and names what is down.
"""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy; the reason is in the server log
        return "unavailable"


def redis_state() -> str:
    timeout = settings.REDIS_SOCKET_TIMEOUT_SECONDS
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except (redis.RedisError, OSError):
        return "unavailable"


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_state(), "redis": redis_state()}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks},
                        status=200 if checks["database"] == "ok" else 503)
