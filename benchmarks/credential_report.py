"""Benchmark: generate the credential report for 100,000 users; wall time and the generating process's peak memory.

    .venv/bin/python benchmarks/credential_report.py [--users 100000] [--runs 3] [--reseed]

Seeds a dedicated database (iam_bench_reports on the PostgreSQL of DATABASE_URL, default 127.0.0.1:5432) by bulk
insert: every user with a password, two thirds with one or two access keys, some keys used. Each run generates
a report in a fresh process exactly as the worker does (run_report_job: one COPY out, one COPY into storage, one
transaction) and reports wall time and ru_maxrss. The baseline is PostgreSQL alone producing the same CSV with
COPY ... TO STDOUT, read and discarded by the client.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "iam_bench_reports"


def _server_url() -> str:
    url = urlparse(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    return url._replace(path=f"/{BENCH_DB}").geturl()


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _server_url()
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _create_database() -> None:
    import psycopg

    admin = urlparse(_server_url())._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


SEED_SQL = """
INSERT INTO directory_user (password, last_login, user_name, path, user_id, create_date, is_superuser,
                            login_profile_create_date, password_reset_required, password_last_changed)
SELECT '!', CASE WHEN i %% 4 = 0 THEN NULL ELSE now() - (i %% 400) * interval '1 day' END,
       'user' || lpad(i::text, 6, '0'), '/', 'AIDA' || upper(substr(md5(i::text), 1, 17)),
       now() - interval '500 days' + (i %% 300) * interval '1 day', false,
       now() - interval '450 days', false, now() - (i %% 200) * interval '1 day'
FROM generate_series(1, %(users)s) AS i;

INSERT INTO directory_accesskey (user_id, access_key_id, secret_nonce, status, create_date, last_used_date,
                                 last_used_service, last_used_region)
SELECT u.id, 'AKIA' || upper(substr(md5('k' || u.id || '-' || n), 1, 16)), md5(u.id::text || n),
       CASE WHEN n = 2 AND u.id %% 5 = 0 THEN 'Inactive' ELSE 'Active' END,
       now() - (u.id %% 365 + n) * interval '1 day',
       CASE WHEN u.id %% 3 = 0 THEN NULL ELSE now() - (u.id %% 120) * interval '1 day' END,
       CASE WHEN u.id %% 3 = 0 THEN '' ELSE 'iam' END, CASE WHEN u.id %% 3 = 0 THEN '' ELSE 'us-east-1' END
FROM directory_user AS u CROSS JOIN generate_series(1, 2) AS n
WHERE NOT u.is_superuser AND u.id %% 3 <> 2 AND (n = 1 OR u.id %% 3 = 0);
"""


def seed(users: int, reseed: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from directory.models import User
    from directory.services.root import bootstrap_root_user

    call_command("migrate", verbosity=0)
    if User.objects.iam_users().count() == users and not reseed:
        return
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE directory_user, directory_credentialreport, audit_auditevent CASCADE")
    bootstrap_root_user(user_name="root", password="Bench-Root-Passw0rd!", with_access_key=True)
    with connection.cursor() as cursor:
        for statement in SEED_SQL.split(";\n"):
            if statement.strip():
                cursor.execute(statement, {"users": users})
        cursor.execute("VACUUM ANALYZE directory_user")
        cursor.execute("VACUUM ANALYZE directory_accesskey")


def run_once() -> dict:
    """One generation, in this (fresh) process: what a worker does for one job."""
    from directory.models import CredentialReport
    from directory.reports.services import run_report_job

    CredentialReport.objects.filter(state="INPROGRESS").delete()
    from accounts.selectors import management_account_id

    job = CredentialReport.objects.create(account_id=management_account_id(), requested_by="benchmark")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    assert run_report_job(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    return {"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_mb": rss_before / 1024, "rows": job.row_count, "bytes": job.size_bytes}


def database_alone() -> dict:
    """PostgreSQL producing the same CSV by itself (COPY TO STDOUT, client discards it): the floor."""
    from django.db import connection

    from accounts.selectors import management_account_id
    from directory.reports.generation import report_parameters, report_query

    connection.ensure_connection()
    started = time.perf_counter()
    size = 0
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY ({report_query()}) TO STDOUT WITH (FORMAT csv)", report_parameters(management_account_id())) as copy:
            for block in copy:
                size += len(block)
    return {"seconds": time.perf_counter() - started, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--child", choices=["generate", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _setup_django()
        print(json.dumps(run_once() if args.child == "generate" else database_alone()))
        return
    _create_database()
    _setup_django()
    started = time.perf_counter()
    seed(args.users, args.reseed)
    print(f"database ready ({args.users} users) in {time.perf_counter() - started:.1f}s")

    def child(kind: str) -> dict:
        out = subprocess.run([sys.executable, __file__, "--child", kind], check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    generations = [child("generate") for _ in range(args.runs)]
    baselines = [child("baseline") for _ in range(args.runs)]
    best, base = min(g["seconds"] for g in generations), min(b["seconds"] for b in baselines)
    peak = max(g["peak_rss_mb"] for g in generations)
    for run in generations:
        print(f"generate: {run['seconds']:.2f}s, peak RSS {run['peak_rss_mb']:.0f} MB "
              f"(before: {run['rss_before_mb']:.0f} MB), {run['rows']} rows, {run['bytes'] / 1e6:.1f} MB")
    for run in baselines:
        print(f"database alone (COPY TO STDOUT): {run['seconds']:.2f}s, {run['bytes'] / 1e6:.1f} MB")
    print(f"best generation {best:.2f}s vs database alone {base:.2f}s: ratio {best / base:.2f}; peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
