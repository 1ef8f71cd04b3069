"""The one query every signed request makes to find who signed: an access key with its user and the user's account,
or (sts.verification) a role session with its role and the role's account; and the policy generation, in the same
round trip, with the SQL built once per process.

The ORM would compile the same three-table select on every request (about as much CPU as PostgreSQL spends
answering it); the rows are turned into model instances exactly as the ORM does, converters included.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, models

from accounts.models import Account
from directory.models import AccessKey, User
from policies.generation import CURRENT_SQL

_SQL: dict[tuple[type[models.Model], ...], str] = {}


def joined_by_key(chain: tuple[type[models.Model], ...], links: tuple[str, ...], key_column: str,
                  value: str) -> list[models.Model] | None:
    """The row of `chain[0]` whose `key_column` is `value`, each next model joined through the foreign key named in
    `links` (`links[i]` on `chain[i]`), as instances linked to each other; the first carries the policy generation
    read in the same query (`policy_generation`), and so does the second. None when there is no such row."""
    if chain not in _SQL:
        _SQL[chain] = _select(chain, links, key_column)
    with connection.cursor() as cursor:
        cursor.execute(_SQL[chain], [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    instances = [_instance(model, f"t{index}", values) for index, model in enumerate(chain)]
    for index, link in enumerate(links):
        setattr(instances[index], link, instances[index + 1])
    instances[0].policy_generation = instances[1].policy_generation = next(values)
    return instances


def key_with_user(access_key_id: str) -> AccessKey | None:
    """The access key with `key.user` and `key.user.account` loaded, or None; the key and its user carry the policy
    generation."""
    found = joined_by_key((AccessKey, User, Account), ("user", "account"), "access_key_id", access_key_id)
    return found[0] if found else None  # type: ignore[return-value]


def _select(chain: tuple[type[models.Model], ...], links: tuple[str, ...], key_column: str) -> str:
    columns = ", ".join(f't{index}."{field.column}"' for index, model in enumerate(chain)
                        for field in model._meta.concrete_fields)
    joins = " ".join(
        f'JOIN "{chain[index + 1]._meta.db_table}" t{index + 1} ON t{index + 1}."{chain[index + 1]._meta.pk.column}" '
        f'= t{index}."{chain[index]._meta.get_field(link).column}"' for index, link in enumerate(links))
    return (f'SELECT {columns}, {CURRENT_SQL} FROM "{chain[0]._meta.db_table}" t0 {joins} '  # noqa: S608
            f'WHERE t0."{key_column}" = %s')  # names from model metadata; the value is a bound parameter


def _instance(model: type[models.Model], alias: str, values: Iterator) -> models.Model:
    fields = model._meta.concrete_fields
    converted = []
    for field in fields:
        value, column = next(values), field.get_col(alias)
        for converter in column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
