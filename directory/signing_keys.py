"""The one query every request signed with an access key makes: the key, its user, the user's account and the
policy generation, in one round trip, with its SQL built once per process.

The ORM would compile the same three-table select on every request (about as much CPU as PostgreSQL spends
answering it); the rows are turned into model instances exactly as the ORM does, converters included.
"""

from __future__ import annotations

from django.db import connection

from accounts.models import Account
from directory.models import AccessKey, User
from policies.generation import CURRENT_SQL

_JOINED = ((AccessKey, "k"), (User, "u"), (Account, "a"))
_SQL: list[str] = []


def _select() -> str:
    columns = ", ".join(f'{alias}."{field.column}"' for model, alias in _JOINED for field in model._meta.concrete_fields)
    key, user, account = (model._meta.db_table for model, _ in _JOINED)
    return (f'SELECT {columns}, {CURRENT_SQL} FROM "{key}" k JOIN "{user}" u ON u.id = k.user_id '  # noqa: S608
            f'JOIN "{account}" a ON a.id = u.account_id WHERE k.access_key_id = %s')  # table names from metadata


def key_with_user(access_key_id: str) -> AccessKey | None:
    """The access key with `key.user` and `key.user.account` loaded, or None; the key and its user carry the policy
    generation read in the same query (`policy_generation`)."""
    if not _SQL:
        _SQL.append(_select())
    with connection.cursor() as cursor:
        cursor.execute(_SQL[0], [access_key_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    key, user, account = (_instance(model, alias, values) for model, alias in _JOINED)
    key.user, user.account = user, account
    key.policy_generation = user.policy_generation = next(values)
    return key


def _instance(model, alias: str, values):
    fields = model._meta.concrete_fields
    converted = []
    for field in fields:
        value, column = next(values), field.get_col(alias)
        for converter in column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
