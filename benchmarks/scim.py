"""Measure the SCIM lookups an identity provider makes before every change: `GET /scim/v2/Users?filter=userName eq
"…"` (and `externalId eq`) over a store of 100,000 people, in-process through Django's WSGI handler (the code
gunicorn runs, without a network hop: server-side time), on a real PostgreSQL database of its own.

    .venv/bin/python benchmarks/scim.py [--users 100000] [--requests 1000]   # writes benchmarks/results/scim.md
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

DATABASE = os.environ.get("IAM_BENCH_SCIM_DATABASE", "iam_bench_scim")
BATCH = 5000


def prepare_database() -> None:
    import psycopg

    server = common.server_database_url()
    with psycopg.connect(common.with_database(server, "postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ.update(common.bench_environment())
    os.environ["DATABASE_URL"] = common.with_database(server, DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(count: int) -> str:
    """`count` people in the management account's store (made once, kept for later runs); a fresh bearer token."""
    from directory.models import User
    from directory.services.root import bootstrap_root_user
    from identitystore.models import SCIM_ISSUER, ScimToken, WorkforceUser
    from identitystore.services.scim_tokens import issue_scim_token
    from identitystore.services.store import identity_store_of, new_resource_id
    from policies.authorization import Caller

    if not User.objects.filter(is_superuser=True).exists():
        bootstrap_root_user(user_name="root", password="Bench-Root-Passw0rd!", with_access_key=False)
    root = Caller(principal=User.objects.get(is_superuser=True))
    store = identity_store_of(root.account_id)
    have = WorkforceUser.objects.filter(store=store).count()
    for start in range(have, count, BATCH):
        WorkforceUser.objects.bulk_create([
            WorkforceUser(store=store, user_id=new_resource_id(store), user_name=f"person{n}@example.com",
                          display_name=f"Person {n}", external_ids=[{"Issuer": SCIM_ISSUER, "Id": f"ext-{n}"}],
                          scim_external_id=f"ext-{n}",
                          profile={"Name": {"GivenName": "Person", "FamilyName": str(n)},
                                   "Emails": [{"Value": f"person{n}@example.com", "Type": "work", "Primary": True}]})
            for n in range(start, min(start + BATCH, count))])
    ScimToken.objects.filter(store=store).delete()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE identitystore_workforceuser")
    return issue_scim_token(caller=root).bearer


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure(client, bearer: str, filters: list[str]) -> list[float]:
    samples = []
    for text in filters:
        path = f"/scim/v2/Users?filter={quote(text)}"
        started = time.perf_counter()
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {bearer}")
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json()["totalResults"] == 1, response.content[:200]
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    prepare_database()
    seeded = time.perf_counter()
    bearer = seed(args.users)
    seeded = time.perf_counter() - seeded
    from django.test import Client

    client = Client()
    picks = [random.randrange(args.users) for _ in range(args.requests)]  # noqa: S311 - benchmark sampling
    measure(client, bearer, [f'userName eq "person{n}@example.com"' for n in picks[:50]])  # warm up
    by_name = measure(client, bearer, [f'userName eq "Person{n}@Example.com"' for n in picks])
    by_external = measure(client, bearer, [f'externalId eq "ext-{n}"' for n in picks])
    # The same handler and middleware answering with no database work: what the machine's load alone costs.
    baseline = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get("/scim/v2/Users")  # no token: refused before any query
        baseline.append(time.perf_counter() - started)
    rows = [("`userName eq` p50", by_name, 0.5), ("`userName eq` p99", by_name, 0.99),
            ("`externalId eq` p50", by_external, 0.5), ("`externalId eq` p99", by_external, 0.99),
            ("a refused request (no token, no query) p50", baseline, 0.5)]
    report = [
        "# SCIM lookups over the identity store", "",
        f"{args.users:,} people; {args.requests:,} lookups of random people per filter, in-process through Django's "
        f"WSGI handler with the bearer token checked on each; seeding took {seeded:.1f} s.", "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; load average "
        f"{os.getloadavg()[0]:.1f} during the run (the cores are shared with PostgreSQL and other work).", "",
        "| Measure | Result | Target |", "| --- | --- | --- |",
    ]
    for label, samples, fraction in rows:
        target = "≤ 10 ms" if label == "`userName eq` p50" else ""
        report.append(f"| {label} | {percentile(samples, fraction) * 1000:.2f} ms | {target} |")
    report.append(f"| `userName eq` mean | {statistics.mean(by_name) * 1000:.2f} ms | |")
    text = "\n".join(report) + "\n"
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "scim.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
