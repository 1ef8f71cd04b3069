"""Measure AssumeRole and the authentication of session-signed requests, in-process, on a real PostgreSQL.

In-process: requests go through Django's WSGI handler (the same code gunicorn runs) without a network hop, so
the figures are server-side time. Each request is SigV4-signed with botocore before its timer starts.

    .venv/bin/python benchmarks/sts.py [--requests 2000]   # writes benchmarks/results/sts.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

DATABASE = os.environ.get("IAM_BENCH_STS_DATABASE", "iam_bench_sts")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:user/bench"}}]})
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


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


def seed():
    """A user, its access key, and a role that trusts it (created once, reused by later runs)."""
    from directory.models import Role, User
    from directory.services import access_keys, role_policies, roles, users
    from directory.services.root import bootstrap_root_user
    from policies.authorization import Caller

    if not User.objects.filter(is_superuser=True).exists():
        bootstrap_root_user(user_name="root", password="Bench-Root-Passw0rd!", with_access_key=False)
    root = Caller(principal=User.objects.get(is_superuser=True))
    user = User.objects.filter(user_name_key="bench").first() or users.create_user(caller=root, user_name="bench")
    for key in list(user.access_keys.all()):
        access_keys.delete_access_key(caller=root, user_name="bench", access_key_id=key.access_key_id)
    key = access_keys.create_access_key(caller=root, user_name="bench")
    if not Role.objects.filter(role_name_key="benchreader").exists():
        roles.create_role(caller=root, role_name="BenchReader", assume_role_policy_document=TRUST)
        role_policies.attach_role_policy(caller=root, role_name="BenchReader", policy_arn=READ_ONLY)
    return user, (key.access_key.access_key_id, key.secret_access_key)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def time_requests(client, method: str, path: str, body: dict | None, count: int) -> list[float]:
    """Server-side time of `count` signed requests; each is signed before its timer starts."""
    payload = json.dumps(body).encode() if body is not None else b""
    content_type = "application/json" if body is not None else "application/octet-stream"
    samples = []
    for _ in range(count):
        headers = client.signed_headers(method, path, payload, "application/json" if body is not None else None)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() not in {"content-type", "host"}}
        extra["HTTP_HOST"] = client.host
        started = time.perf_counter()
        response = client.client.generic(method, path, data=payload, content_type=content_type, **extra)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    return samples


def time_authentication(key_id: str, secret: str, token: str | None, count: int) -> list[float]:
    """SigV4Authentication.authenticate alone, on a prepared signed request."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    from sts.authentication import SigV4Authentication
    from tests.support.signing import SignedClient

    signer = SignedClient(key_id, secret, token)
    authenticator = SigV4Authentication()
    samples = []
    for _ in range(count):
        headers = signer.signed_headers("GET", "/api/v1/sts/caller-identity")
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "host"}
        request = Request(RequestFactory().get("/api/v1/sts/caller-identity", HTTP_HOST="testserver", **extra))
        started = time.perf_counter()
        principal, _ = authenticator.authenticate(request)
        samples.append(time.perf_counter() - started)
        assert principal is not None
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    prepare_database()
    from tests.support.signing import SignedClient

    user, (key_id, secret) = seed()
    client = SignedClient(key_id, secret)
    body = {"role_arn": "arn:aws:iam::123456789012:role/BenchReader", "role_session_name": "bench"}
    time_requests(client, "POST", "/api/v1/sts/assume-role", body, 50)  # warm up: compile, connect, caches
    assume = time_requests(client, "POST", "/api/v1/sts/assume-role", body, args.requests)

    from policies.authorization import Caller
    from sts import services

    caller = Caller(principal=user)
    service = []
    for _ in range(args.requests):
        started = time.perf_counter()
        services.assume_role(caller=caller, role_arn=body["role_arn"], role_session_name="bench")
        service.append(time.perf_counter() - started)

    assumed = services.assume_role(caller=caller, role_arn=body["role_arn"], role_session_name="bench")
    session = SignedClient(assumed.access_key_id, assumed.secret_access_key, assumed.session_token)
    time_requests(session, "GET", "/api/v1/sts/caller-identity", None, 50)
    session_requests = time_requests(session, "GET", "/api/v1/sts/caller-identity", None, args.requests)
    key_requests = time_requests(client, "GET", "/api/v1/sts/caller-identity", None, args.requests)
    time_authentication(assumed.access_key_id, assumed.secret_access_key, assumed.session_token, 50)
    session_auth = time_authentication(assumed.access_key_id, assumed.secret_access_key, assumed.session_token,
                                       args.requests)
    key_auth = time_authentication(key_id, secret, None, args.requests)
    services.purge_expired_sessions()

    p50 = statistics.median
    rows = [
        ("AssumeRole p50, REST request (POST /api/v1/sts/assume-role)", ms(p50(assume)), "≤ 10 ms"),
        ("AssumeRole p95, REST request", ms(percentile(assume, 0.95)), ""),
        ("AssumeRole per second, one core (1 / mean REST request)", f"{1 / statistics.fmean(assume):.0f} /s",
         "≥ 120 /s"),
        ("AssumeRole p50, service call alone", ms(p50(service)), ""),
        ("Session-signed request p50 (GET /api/v1/sts/caller-identity)", ms(p50(session_requests)), ""),
        ("Access-key-signed request p50 (same route)", ms(p50(key_requests)), ""),
        ("Authentication p50, session credentials (SigV4 + token + expiry/revocation, 1 query): all it adds "
         "to a request", ms(p50(session_auth)), "≤ 1 ms"),
        ("Authentication p50, long-term access key", ms(p50(key_auth)), ""),
        ("Session authentication minus access-key authentication (p50)", ms(p50(session_auth) - p50(key_auth)), ""),
    ]
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    lines = [
        "# Benchmark: AssumeRole and session-signed requests",
        "",
        f"- In-process through Django's WSGI handler (no network hop): server-side time; {args.requests} "
        "sequential requests per measure, after a warm-up; PostgreSQL on the same machine",
        "- Every request SigV4-signed with botocore before its timer starts",
        f"- Machine: {machine}",
        "- Command: `.venv/bin/python benchmarks/sts.py`",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *[f"| {name} | {value} | {target} |" for name, value, target in rows],
        "",
    ]
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "sts.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
