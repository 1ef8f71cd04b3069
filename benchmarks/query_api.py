"""Measure the AWS Query API in-process: ListUsers (MaxItems=100 of 100,000 users) beside the REST list in the same
run, and AssumeRole (p50, per second, and a profile of where its time goes).

In-process: requests go through Django's WSGI handler (the code gunicorn runs) without a network hop, so the
figures are server-side time. Each request is SigV4-signed with botocore before its timer starts.

    .venv/bin/python benchmarks/query_api.py [--requests 1000] [--reuse]   # writes benchmarks/results/query_api.md
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

os.environ.setdefault("IAM_BENCH_DATABASE", "iam_bench_query")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common, seed_directory  # noqa: E402

FORM = "application/x-www-form-urlencoded; charset=utf-8"
ROLE_ARN = "arn:aws:iam::123456789012:role/BenchReader"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:user/bench"}}]})
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def prepare(users: int, reuse: bool) -> None:
    import psycopg

    admin = common.with_database(common.server_database_url(), "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [common.BENCH_DATABASE]).fetchone()
    if reuse and exists:
        common.setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return
    seed_directory.recreate_database()
    common.setup_django()
    seed_directory.seed(users, 1000, 0.2, 20240601)


def seed_role():
    """A user with an access key and a role that trusts it."""
    from directory.models import Role, User
    from directory.services import access_keys, role_policies, roles, users
    from policies.authorization import Caller

    root = Caller(principal=User.objects.get(is_superuser=True))
    user = User.objects.filter(user_name_key="bench").first() or users.create_user(caller=root, user_name="bench")
    for key in list(user.access_keys.all()):
        access_keys.delete_access_key(caller=root, user_name="bench", access_key_id=key.access_key_id)
    key = access_keys.create_access_key(caller=root, user_name="bench")
    if not Role.objects.filter(role_name_key="benchreader").exists():
        roles.create_role(caller=root, role_name="BenchReader", assume_role_policy_document=TRUST)
        role_policies.attach_role_policy(caller=root, role_name="BenchReader", policy_arn=READ_ONLY)
    return user, key.access_key.access_key_id, key.secret_access_key


class Signed:
    """Signs and sends requests through Django's test client (the WSGI handler), timing only the handling."""

    def __init__(self, key_id: str, secret: str, service: str) -> None:
        from tests.support.signing import SignedClient

        self.signer = SignedClient(key_id, secret, service=service)

    def _send(self, method: str, path: str, body: bytes, content_type: str | None):
        headers = self.signer.signed_headers(method, path, body, content_type)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() not in {"content-type", "host"}}
        extra["HTTP_HOST"] = self.signer.host
        started = time.perf_counter()
        response = self.signer.client.generic(method, path, data=body,
                                              content_type=content_type or "application/octet-stream", **extra)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:500]
        return response, elapsed

    def rest_list(self, marker: str | None):
        path = "/api/v1/users/?limit=100" + (f"&marker={quote(marker)}" if marker else "")
        response, elapsed = self._send("GET", path, b"", None)
        return response.json()["marker"], elapsed

    def query(self, params: dict):
        return self._send("POST", "/", urlencode(params).encode(), FORM)

    def query_list(self, marker: str | None):
        from xml.etree import ElementTree

        params = {"Action": "ListUsers", "Version": "2010-05-08", "MaxItems": "100"}
        if marker:
            params["Marker"] = marker
        response, elapsed = self.query(params)
        ns = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}
        return ElementTree.fromstring(response.content).findtext("i:ListUsersResult/i:Marker", namespaces=ns), elapsed


def interleaved_lists(client: Signed, count: int) -> tuple[list[float], list[float]]:
    """REST and Query pages taken in turn, each walking the directory with its own markers."""
    rest, query = [], []
    rest_marker = query_marker = None
    for _ in range(count):
        rest_marker, elapsed = client.rest_list(rest_marker)
        rest.append(elapsed)
        query_marker, elapsed = client.query_list(query_marker)
        query.append(elapsed)
    return rest, query


def assume_role_requests(client: Signed, count: int) -> tuple[list[float], float]:
    """Server-side time of each Query AssumeRole, and the process CPU time per request (no database wait)."""
    params = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_ARN, "RoleSessionName": "bench"}
    samples, cpu = [], 0.0
    for _ in range(count):
        cpu_before = time.process_time()
        samples.append(client.query(params)[1])
        cpu += time.process_time() - cpu_before
    return samples, cpu / count


def rest_assume_role_requests(client: Signed, count: int) -> list[float]:
    body = json.dumps({"role_arn": ROLE_ARN, "role_session_name": "bench"}).encode()
    return [client._send("POST", "/api/v1/sts/assume-role", body, "application/json")[1] for _ in range(count)]


def profile_assume_role(client: Signed, count: int) -> str:
    params = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_ARN, "RoleSessionName": "bench"}
    prepared = []
    for _ in range(count):
        body = urlencode(params).encode()
        prepared.append((body, client.signer.signed_headers("POST", "/", body, FORM)))
    profiler = cProfile.Profile()
    for body, headers in prepared:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() not in {"content-type", "host"}}
        profiler.enable()
        client.signer.client.generic("POST", "/", data=body, content_type=FORM, HTTP_HOST="testserver", **extra)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue().replace(str(Path(__file__).resolve().parent.parent) + "/", "")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="reuse the seeded benchmark database if it exists")
    args = parser.parse_args()
    prepare(args.users, args.reuse)
    from directory.models import User
    from sts.services import purge_expired_sessions

    root_key = common.load_credentials()
    iam = Signed(root_key["access_key_id"], root_key["secret_access_key"], "iam")
    interleaved_lists(iam, 30)  # warm up: connections, compiled policies, loaded service models
    rest, query = interleaved_lists(iam, args.requests)

    _, key_id, secret = seed_role()
    sts = Signed(key_id, secret, "sts")
    assume_role_requests(sts, 50)
    rest_assume_role_requests(sts, 50)
    assume, cpu_per_request = assume_role_requests(sts, args.requests)
    rest_assume = rest_assume_role_requests(sts, args.requests)

    from policies.authorization import Caller
    from sts import services

    caller = Caller(principal=User.objects.get(user_name_key="bench"))
    service = []
    for _ in range(args.requests):
        started = time.perf_counter()
        services.assume_role(caller=caller, role_arn=ROLE_ARN, role_session_name="bench")
        service.append(time.perf_counter() - started)
    profile = profile_assume_role(sts, 300)
    purge_expired_sessions()
    from sts.models import RoleSession

    RoleSession.all_objects.filter(role__role_name_key="benchreader").delete()

    p50 = statistics.median
    ratio = p50(query) / p50(rest)
    rows = [
        (f"ListUsers p50, Query API, MaxItems=100 of {User.objects.iam_users().count():,} users", ms(p50(query)),
         "≤ 1.2 × REST"),
        ("GET /api/v1/users/?limit=100 p50, REST API, same run", ms(p50(rest)), ""),
        ("Query / REST (p50)", f"{ratio:.2f} ×", "≤ 1.2 ×"),
        ("ListUsers p95, Query API", ms(sorted(query)[int(len(query) * 0.95)]), ""),
        ("AssumeRole p50, Query API (POST / Action=AssumeRole)", ms(p50(assume)), "≤ 5 ms"),
        ("AssumeRole per second, one core (1 / mean)", f"{1 / statistics.fmean(assume):.0f} /s", "≥ 250 /s"),
        ("AssumeRole p50, REST API (POST /api/v1/sts/assume-role), same run", ms(p50(rest_assume)), ""),
        ("AssumeRole per second, REST API, same run", f"{1 / statistics.fmean(rest_assume):.0f} /s", ""),
        ("AssumeRole p50, the service call alone", ms(p50(service)), ""),
        ("AssumeRole through the Query API: this process's CPU per request (the rest is waiting for "
         "PostgreSQL)", ms(cpu_per_request), ""),
        ("Load average while measuring (1 min)", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", ""),
    ]
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    lines = [
        "# Benchmark: the AWS Query API",
        "",
        f"- In-process through Django's WSGI handler (no network hop): server-side time; {args.requests} "
        "requests per measure after a warm-up, REST and Query list pages taken in turn; PostgreSQL on the same "
        "machine",
        "- Every request SigV4-signed with botocore before its timer starts",
        f"- Machine: {machine}",
        "- Command: `.venv/bin/python benchmarks/query_api.py`",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *[f"| {name} | {value} | {target} |" for name, value, target in rows],
        "",
        "## Where an AssumeRole request's time goes (cProfile, 300 requests, cumulative)",
        "",
        "```",
        profile.strip(),
        "```",
        "",
    ]
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "query_api.md").write_text("\n".join(lines))
    print("\n".join(lines[:20]))


if __name__ == "__main__":
    main()
