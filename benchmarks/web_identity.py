"""Measure AssumeRoleWithWebIdentity with the issuer's keys cached, in-process, on a real PostgreSQL and Redis.

A local OIDC issuer (HTTPS on 127.0.0.1, the tests' own) publishes an RSA key; its JWKS is fetched once and then
served from the cache, which is the steady state. Requests go through Django's WSGI handler (the code gunicorn
runs) without a network hop, so the figures are server-side time on one core. Tokens are signed before timing.

    .venv/bin/python benchmarks/web_identity.py [--requests 2000]   # writes benchmarks/results/web_identity.md
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

DATABASE = os.environ.get("IAM_BENCH_WEB_IDENTITY_DATABASE", "iam_bench_web_identity")


def prepare(ca_file: str) -> None:
    import psycopg

    server = common.server_database_url()
    with psycopg.connect(common.with_database(server, "postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ.update(common.bench_environment())
    os.environ["DATABASE_URL"] = common.with_database(server, DATABASE)
    # The benchmark's issuer is on 127.0.0.1 with a certificate of its own CA: allowed here, and only here.
    os.environ["IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS"] = "true"
    os.environ["IAM_FEDERATION_CA_BUNDLE"] = ca_file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(issuer) -> str:
    from directory.models import Role, User
    from directory.services import roles
    from directory.services.root import bootstrap_root_user
    from policies.authorization import Caller
    from sts.federation import oidc_providers
    from sts.federation.models import OpenIDConnectProvider

    if not User.objects.filter(is_superuser=True).exists():
        bootstrap_root_user(user_name="root", password="Bench-Root-Passw0rd!", with_access_key=False)
    root = Caller(principal=User.objects.get(is_superuser=True))
    OpenIDConnectProvider.objects.all().delete()  # the issuer's port changes from run to run
    Role.objects.filter(role_name_key="benchci").delete()
    provider = oidc_providers.create_open_id_connect_provider(caller=root, url=issuer.url,
                                                              client_id_list=[issuer.client_id])
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider.arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer.host_path}:aud": issuer.client_id},
                      "StringLike": {f"{issuer.host_path}:sub": "repo:acme/*"}}}]})
    return roles.create_role(caller=root, role_name="BenchCI", assume_role_policy_document=trust).arn


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    from tests.federation.issuer import LocalIssuer, TLSMaterial

    tls = TLSMaterial()
    prepare(tls.ca_file)
    issuer = LocalIssuer(tls).start()
    try:
        role_arn = seed(issuer)
        from django.test import Client

        from policies.authorization import Caller
        from sts.federation.principals import ANONYMOUS
        from sts.federation.web_identity import assume_role_with_web_identity
        from sts.services import purge_expired_sessions

        tokens = [issuer.token() for _ in range(args.requests + 50)]
        client = Client(REMOTE_ADDR="127.0.0.1")

        def rest(token: str) -> float:
            body = json.dumps({"role_arn": role_arn, "role_session_name": "bench", "web_identity_token": token})
            started = time.perf_counter()
            response = client.post("/api/v1/sts/assume-role-with-web-identity", body,
                                   content_type="application/json")
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.content
            return elapsed

        for token in tokens[:50]:  # warm up: the JWKS fetch, compiled trust policy, connections
            rest(token)
        fetches_before = issuer.jwks_fetches
        cpu_started = time.process_time()
        requests = [rest(token) for token in tokens[50:]]
        cpu_per_request = (time.process_time() - cpu_started) / len(requests)
        from sts.federation import oidc

        verify = []
        for token in tokens[50:]:
            started = time.perf_counter()
            oidc.verify_token(token)
            verify.append(time.perf_counter() - started)
        caller = Caller(principal=ANONYMOUS, via="api")
        service = []
        for token in tokens[50:]:
            started = time.perf_counter()
            assume_role_with_web_identity(caller=caller, role_arn=role_arn, role_session_name="bench",
                                          web_identity_token=token)
            service.append(time.perf_counter() - started)
        assert issuer.jwks_fetches == fetches_before, "the JWKS must come from the cache while measuring"
        purge_expired_sessions()
    finally:
        issuer.stop()

    p50 = statistics.median
    rows = [
        ("AssumeRoleWithWebIdentity p50, REST request (POST /api/v1/sts/assume-role-with-web-identity)",
         ms(p50(requests))),
        ("AssumeRoleWithWebIdentity p95, REST request", ms(percentile(requests, 0.95))),
        ("AssumeRoleWithWebIdentity per second, one core (1 / mean REST request)",
         f"{1 / statistics.fmean(requests):.0f} /s"),
        ("AssumeRoleWithWebIdentity p50, service call alone", ms(p50(service))),
        ("This process's CPU per REST request (Python: Django, PyJWT, trust policy, ORM)", ms(cpu_per_request)),
        ("Per second on one core, counting this process's CPU only (1 / CPU per request)",
         f"{1 / cpu_per_request:.0f} /s"),
        ("Token verification p50 (signature, claims, provider lookup, cached JWKS read from Redis)", ms(p50(verify))),
        ("JWKS fetches while measuring", "0 (cached)"),
    ]
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    lines = [
        "# Benchmark: AssumeRoleWithWebIdentity with a cached JWKS",
        "",
        f"- In-process through Django's WSGI handler (no network hop): server-side time; {args.requests} "
        "sequential requests per measure after a warm-up; PostgreSQL and Redis on the same machine",
        "- RS256 ID tokens from a local issuer, each signed before its timer starts; verification with PyJWT",
        f"- Machine: {machine}",
        "- Command: `.venv/bin/python benchmarks/web_identity.py`",
        "",
        "| measure | result |",
        "| --- | --- |",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "web_identity.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
