"""The policy generation: a token that every change to what decides for a principal replaces, in that change's own
transaction, and the per-process cache of compiled policy sets it keeps fresh.

A principal's compiled policy set is cached in the web process under the token read in the same statement as the
policies themselves; a request uses a cached set only when the token it reads now (in the query that finds the
caller's key or session, or one query of its own) is the same. So a change is in force on the very next request of
every process on every machine: no message has to arrive, and nothing can be missed when a channel is down.

The token is replaced by database triggers on every table a policy set is read from (attachments, inline policies,
boundaries, memberships, managed policies and their versions, groups), statement by statement, so no service can
forget. An app whose tables also decide (service control policies, account moves) adds its tables with
`track_table_sql()` in a migration, or calls `bump_policy_generation()` in the service that changes them. The token
is random, never a counter: a database restored or flushed never brings an old token back.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from django.db import connection

TABLE = "policies_policygeneration"
FUNCTION = "iam_bump_policy_generation"
# Read inside another query, so the caller's key or session and the current token come in one round trip.
CURRENT_SQL = f"(SELECT token::text FROM {TABLE} WHERE id = 1)"  # noqa: S608 - a constant table name
_BUMP_SQL = (f"INSERT INTO {TABLE} (id, token) VALUES (1, gen_random_uuid()) "  # noqa: S608 - a constant table name
             "ON CONFLICT (id) DO UPDATE SET token = excluded.token")
FUNCTION_SQL = f"""
    CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_BUMP_SQL};
        RETURN NULL;
    END $$;
"""
# Enough for every principal of a large directory; an evicted set is only read again.
CACHE_SIZE = 50_000

_T = TypeVar("_T")
_cache: dict[Hashable, tuple[str, object]] = {}


def track_table_sql(table: str) -> str:
    """The trigger that replaces the token whenever `table` changes (any statement, truncation included)."""
    return (f'CREATE TRIGGER iam_policy_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();")


def untrack_table_sql(table: str) -> str:
    return f'DROP TRIGGER IF EXISTS iam_policy_generation ON "{table}";'


def bump_policy_generation() -> None:
    """Every cached policy set is out of date from this transaction's commit on: for a change no trigger sees."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL)


def current_generation() -> str | None:
    """The token now (one query); None when the database has none, and then nothing is cached."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {CURRENT_SQL}")
        return cursor.fetchone()[0]


def cached(key: Hashable, generation: str | None) -> object | None:
    """What was remembered under `key`, if it was read under the same token."""
    if generation is None:
        return None
    entry = _cache.get(key)
    return entry[1] if entry is not None and entry[0] == generation else None


def remember(key: Hashable, generation: str | None, value: _T) -> _T:
    if generation is not None:
        if len(_cache) >= CACHE_SIZE and key not in _cache:
            _cache.pop(next(iter(_cache)))  # the oldest entry
        _cache[key] = (generation, value)
    return value


def forget_all() -> None:
    """Empty this process's cache (tests that compare cached and uncached answers)."""
    _cache.clear()
