"""Reach the test database from outside the suite's own connection (URLs for child processes, raw connections),
and undo what one request wrote."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlencode

import psycopg
from django.db import connection, transaction


class _Undo(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever the block writes is undone (a savepoint rolled back): walks and fuzzers send thousands of
    requests, and none of them may change what the next one sees."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def database_url(settings_dict: dict | None = None) -> str:
    """A DATABASE_URL for the database Django is connected to, over TCP or a unix socket directory."""
    db = settings_dict or connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    if host.startswith("/"):
        # A socket directory (the embedded PostgreSQL) cannot be spelled as a URL host: settings reads ?host=.
        query = {"host": host, **({"port": port} if db["PORT"] else {})}
        return f"postgresql://{credentials}/{quote(db['NAME'])}?{urlencode(query)}"
    return f"postgresql://{credentials}{host}:{port}/{quote(db['NAME'])}"


def raw_connection(*, autocommit: bool = False, **options) -> psycopg.Connection:
    """A psycopg connection of its own to the test database (TCP or socket), outside Django's."""
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or None,
                           password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=autocommit, **options)


def terminate_other_backends() -> int:
    """End every session on the test database but the suite's own, so that a lock left by a dead process or a
    failed test cannot stall the teardown."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return cursor.fetchone()[0]
