"""Seed a benchmark directory: 100,000 users, 1,000 groups, memberships and access keys, through COPY."""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402


def recreate_database() -> None:
    import psycopg

    admin = common.with_database(common.server_database_url(), "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{common.BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{common.BENCH_DATABASE}"')


def copy_rows(model, rows: list[dict]) -> None:
    """COPY rows into a model's table: the fastest bulk path PostgreSQL offers."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields
              if not field.generated and field.column in rows[0]]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[field.column] for field in fields])


def seed(users: int, groups: int, key_fraction: float, seed_value: int) -> dict[str, int]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.selectors import management_account_id
    from directory.credentials import new_secret_nonce
    from directory.models import AccessKey, Group, GroupMembership, User
    from directory.services.root import bootstrap_root_user
    from iam_console import identifiers

    rng = random.Random(seed_value)
    call_command("migrate", interactive=False, verbosity=0)
    root = bootstrap_root_user(user_name="root", password=None, with_access_key=True)
    common.save_credentials(root.access_key_id, root.secret_access_key)
    account_id = management_account_id()  # everything seeded belongs to the management account, as root does

    now = timezone.now()
    paths = ["/", "/engineering/", "/engineering/platform/", "/sales/", "/finance/", "/support/"]
    with transaction.atomic():
        copy_rows(User, [{
            "account_id": account_id, "password": "!", "last_login": None, "user_name": f"user-{number:06d}",
            "path": paths[number % len(paths)], "user_id": identifiers.new_unique_id(identifiers.USER_ID_PREFIX),
            "create_date": now - timedelta(minutes=number), "is_superuser": False,
            "login_profile_create_date": None, "password_reset_required": False, "password_last_changed": None,
            "locked_until": None,
        } for number in range(users)])
        copy_rows(Group, [{
            "account_id": account_id, "group_name": f"group-{number:04d}", "path": paths[number % len(paths)],
            "group_id": identifiers.new_unique_id(identifiers.GROUP_ID_PREFIX), "create_date": now,
        } for number in range(groups)])
        user_ids = list(User.objects.filter(is_superuser=False).order_by("pk").values_list("pk", flat=True))
        group_ids = list(Group.objects.order_by("pk").values_list("pk", flat=True))
        memberships = []
        for user_pk in user_ids:
            for group_pk in rng.sample(group_ids, rng.randint(0, 3)):
                memberships.append({"user_id": user_pk, "group_id": group_pk, "create_date": now})
        copy_rows(GroupMembership, memberships)
        keyed = rng.sample(user_ids, int(len(user_ids) * key_fraction))
        copy_rows(AccessKey, [{
            "user_id": user_pk, "access_key_id": identifiers.new_access_key_id(), "secret_nonce": new_secret_nonce(),
            "status": "Active", "create_date": now, "last_used_date": None, "last_used_service": "",
            "last_used_region": "",
        } for user_pk in keyed])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"users": len(user_ids), "groups": len(group_ids), "memberships": len(memberships),
            "access_keys": len(keyed) + 1}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=1_000)
    parser.add_argument("--key-fraction", type=float, default=0.2, help="share of users with an access key")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    started = time.perf_counter()
    recreate_database()
    common.setup_django()
    counts = seed(args.users, args.groups, args.key_fraction, args.seed)
    elapsed = time.perf_counter() - started
    print(f"seeded {common.BENCH_DATABASE}: " + ", ".join(f"{value:,} {name}" for name, value in counts.items())
          + f" in {elapsed:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
