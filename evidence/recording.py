"""Recording decisions off the hot path: one Redis round trip per decision, folded into the database by a flush.

A decision adds 1 to its key's count and sets its key's last time, source and principal in one Redis hash; Redis
has acknowledged it before the request is answered: once acknowledged, it is in Redis. The flush (Celery beat,
and every report before it reads) renames the hash to a batch of its own, so decisions keep arriving in a fresh
hash meanwhile, then folds the batch into ActionUsage with one upsert in a transaction that also marks the batch
applied, and only then removes it from Redis. A flush that dies half-way leaves the batch in Redis; the next one
applies it, or sees it applied and just removes it: nothing is lost, nothing counted twice.

While Redis cannot be reached a decision is upserted into the database directly (slower, never lost), after the
running operation's transaction, so a refused operation's rollback does not take its evidence with it.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from directory.models import User
from evidence.models import AppliedBatch
from iam_console.callers import Caller
from iam_console.operations import whatever_the_outcome
from sts.principals import RoleSessionPrincipal, UserSessionPrincipal

logger = logging.getLogger(__name__)

# Short, and never retried: a Redis that does not answer costs a decision a quarter of a second once, after which
# decisions go straight to the database until RETRY_REDIS_AFTER_SECONDS have passed.
SOCKET_TIMEOUT_SECONDS = 0.25
RETRY_REDIS_AFTER_SECONDS = 5.0
# Applied batch ids are kept this long: far longer than any flush takes to remove its batch from Redis.
APPLIED_BATCHES_KEPT = timedelta(days=1)
_client: redis.Redis | None = None
_redis_down_until = 0.0
_local = threading.local()


def redis_client() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                                       socket_timeout=SOCKET_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))
    return _client


def _connection():
    """This thread's own connection for recording (a request's replies are read on the connection that sent it);
    a process forked from this one makes its own."""
    if getattr(_local, "pid", None) != os.getpid():
        _local.connection, _local.pid = redis_client().connection_pool.make_connection(), os.getpid()
    return _local.connection


def _key(name: str) -> str:
    # The cache's prefix: installations (and parallel test workers) sharing one Redis keep their evidence apart.
    return f"{settings.CACHES['default']['KEY_PREFIX']}:evidence:{name}"


def live_key() -> str:
    return _key("live")


def _batch_prefix() -> str:
    return _key("batch:")


@dataclass(frozen=True)
class Recorded:
    """One key's decisions: how many, and the last one's time, source and principal."""

    account_id: str
    entity_type: str
    entity_id: str
    service: str
    action: str
    allowed: bool
    count: int
    last_at: datetime
    last_source: str
    last_principal_arn: str


def entity_of(principal: object) -> tuple[str, str, str] | None:
    """(account, entity type, entity id) whose evidence a principal's decisions are: an IAM user (also through its
    GetSessionToken sessions), or the role of a role session. The root user and the system are not tracked."""
    if isinstance(principal, User):
        return None if principal.is_root else (principal.account_id, "user", principal.user_id)
    if isinstance(principal, RoleSessionPrincipal):
        return principal.role.account_id, "role", principal.role.role_id
    if isinstance(principal, UserSessionPrincipal):
        return principal.user.account_id, "user", principal.user.user_id
    return None


def source_of(caller: Caller, action: str) -> str | None:
    """Which way the decision came: console, rest, query (or another API door), sts (an STS action over an API)
    or service."""
    if caller.via in ("console", "service"):
        return caller.via
    if caller.via != "api":
        return None
    if action.lower().startswith("sts:"):
        return "sts"
    return caller.door or "rest"  # the door that labels its requests (query, awsjson); REST labels none


class _Decisions:
    """One request's decisions: each is sent to Redis as it is made, on its thread's own connection, and
    the acknowledgements are read once, before the request answers, so the round trip overlaps the request's
    remaining work instead of adding to it. If Redis fails meanwhile, the request's decisions go to the database
    (one that Redis did take before failing may then count twice: an overcount, never a loss)."""

    def __init__(self) -> None:
        self.rows: list[Recorded] = []
        self.connection = None
        self.replies = 0
        self.failed = time.monotonic() < _redis_down_until

    def add(self, row: Recorded) -> None:
        self.rows.append(row)
        if self.failed:
            return
        try:
            if self.connection is None:
                self.connection = _connection()
            field = "|".join((row.account_id, row.entity_type, row.entity_id, row.service, row.action,
                              "1" if row.allowed else "0"))
            last = f"{int(row.last_at.timestamp() * 1000)}|{row.last_source}|{row.last_principal_arn}"
            key = live_key()
            self.connection.send_packed_command(self.connection.pack_commands(
                [("HINCRBY", key, f"{field}|n", row.count), ("HSET", key, f"{field}|t", last)]), check_health=False)
            self.replies += 2
        except (redis.RedisError, OSError) as error:
            self._fail(error)

    def finish(self) -> None:
        try:
            for _ in range(self.replies if not self.failed else 0):
                self.connection.read_response()
        except (redis.RedisError, OSError) as error:
            self._fail(error)
        finally:
            if self.connection is not None and self.failed:
                self.connection.disconnect()  # unread replies must not be read by the next request
            self.connection = None
        if self.failed and self.rows:
            rows = coalesced(self.rows)
            whatever_the_outcome(lambda: _upsert_or_say(rows))

    def _fail(self, error: Exception) -> None:
        global _redis_down_until
        if not self.failed:
            logger.warning("Redis is unreachable (%s): decisions are recorded in the database meanwhile",
                           type(error).__name__)
            _redis_down_until = time.monotonic() + RETRY_REDIS_AFTER_SECONDS
        self.failed = True


_pending: contextvars.ContextVar[_Decisions | None] = contextvars.ContextVar("pending_decisions", default=None)


@contextmanager
def decisions_written_together() -> Iterator[None]:
    """The decisions made inside (one request) are acknowledged by Redis, or stored in the database, before it
    ends: the request's answer leaves only once its evidence is safe."""
    if _pending.get() is not None:
        yield
        return
    decisions = _Decisions()
    token = _pending.set(decisions)
    try:
        yield
    finally:
        _pending.reset(token)
        decisions.finish()


def record_decision(caller: Caller, action: str, allowed: bool) -> None:
    """The recorder installed in the frame (iam_console.decision_record): called for every decision."""
    entity = entity_of(caller.principal)
    source = source_of(caller, action) if entity is not None else None
    if entity is None or source is None:
        return
    service, _, name = action.partition(":")
    row = Recorded(*entity, service.lower(), name, allowed, 1, caller.request_time, source, caller.principal.arn)
    pending = _pending.get()
    if pending is not None:
        pending.add(row)
        return
    alone = _Decisions()
    alone.add(row)
    alone.finish()


def coalesced(rows: list[Recorded]) -> list[Recorded]:
    """Rows with one key each (an upsert may touch a row once): counts added, the latest last kept."""
    merged: dict[tuple, Recorded] = {}
    for row in rows:
        key = (row.account_id, row.entity_type, row.entity_id, row.service, row.action, row.allowed)
        seen = merged.get(key)
        if seen is None:
            merged[key] = row
        else:
            latest = row if row.last_at >= seen.last_at else seen
            merged[key] = replace(latest, count=seen.count + row.count)
    return list(merged.values())


def _upsert_or_say(rows: list[Recorded]) -> None:
    try:
        upsert(rows)
    except DatabaseError:
        # Neither Redis nor the database answers: the request itself cannot have been served either.
        logger.exception("%d recorded decisions could not be stored: Redis and the database are unreachable",
                         len(rows))


def parse_batch(fields: dict[bytes, bytes]) -> list[Recorded]:
    """A Redis hash of counts and lasts back into rows. A count and its last may straddle two batches (the hash
    was renamed between them): a count with no last is dated now, a last with no count counts nothing."""
    counts: dict[str, int] = {}
    lasts: dict[str, str] = {}
    for raw_field, raw_value in fields.items():
        key, _, kind = raw_field.decode().rpartition("|")
        if kind == "n":
            counts[key] = int(raw_value)
        elif kind == "t":
            lasts[key] = raw_value.decode()
    now_ms = str(int(timezone.now().timestamp() * 1000))
    rows = []
    for key in counts.keys() | lasts.keys():
        account_id, entity_type, entity_id, service, action, allowed = key.split("|")
        millis, source, arn = lasts.get(key, f"{now_ms}|rest|").split("|", 2)
        rows.append(Recorded(account_id, entity_type, entity_id, service, action, allowed == "1",
                             counts.get(key, 0), datetime.fromtimestamp(int(millis) / 1000, tz=UTC), source, arn))
    return rows


_UPSERT = """
INSERT INTO evidence_actionusage (account_id, entity_type, entity_id, service, action, allowed, count, last_at,
                                  last_source, last_principal_arn)
SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::boolean[],
                     %s::bigint[], %s::timestamptz[], %s::varchar[], %s::varchar[])
ON CONFLICT (account_id, entity_type, entity_id, service, action, allowed) DO UPDATE SET
    count = evidence_actionusage.count + EXCLUDED.count,
    last_source = CASE WHEN EXCLUDED.last_at >= evidence_actionusage.last_at AND EXCLUDED.last_principal_arn <> ''
                       THEN EXCLUDED.last_source ELSE evidence_actionusage.last_source END,
    last_principal_arn = CASE WHEN EXCLUDED.last_at >= evidence_actionusage.last_at
                              AND EXCLUDED.last_principal_arn <> ''
                              THEN EXCLUDED.last_principal_arn ELSE evidence_actionusage.last_principal_arn END,
    last_at = GREATEST(evidence_actionusage.last_at, EXCLUDED.last_at)
"""


def upsert(rows: list[Recorded]) -> None:
    """Fold rows into ActionUsage with one statement (keys are unique within `rows`)."""
    if not rows:
        return
    columns = list(zip(*[(r.account_id, r.entity_type, r.entity_id, r.service, r.action, r.allowed, r.count,
                          r.last_at, r.last_source, r.last_principal_arn) for r in rows], strict=True))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [list(column) for column in columns])


def _apply(client: redis.Redis, batch_key: str) -> int:
    """Fold one batch into the database unless it was already, then remove it from Redis."""
    batch_id = batch_key.rsplit(":", 1)[1]
    rows = parse_batch(client.hgetall(batch_key))
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two flushes on one leftover batch: the second waits here for the first, then finds it applied.
            cursor.execute("INSERT INTO evidence_appliedbatch (batch_id, applied_at) VALUES (%s, now()) "
                           "ON CONFLICT (batch_id) DO NOTHING RETURNING id", [batch_id])
            fresh = cursor.fetchone() is not None
        if fresh:
            upsert(rows)
    client.delete(batch_key)
    return len(rows) if fresh else 0


def flush() -> int:
    """Fold everything recorded so far into ActionUsage; returns how many keys were folded in."""
    client = redis_client()
    folded = 0
    for leftover in client.scan_iter(match=f"{_batch_prefix()}*", count=100):
        folded += _apply(client, leftover.decode())
    batch_key = f"{_batch_prefix()}{uuid.uuid4().hex}"
    try:
        client.rename(live_key(), batch_key)
    except redis.ResponseError:
        pass  # nothing recorded since the last flush
    else:
        folded += _apply(client, batch_key)
    AppliedBatch.objects.filter(applied_at__lt=timezone.now() - APPLIED_BATCHES_KEPT).delete()
    return folded
