"""Measure the authorization API for other services over HTTP: verify-and-decide, batches, and the simulator.

A gunicorn server runs on a database of its own (`iam_bench_authz`). The client is the project's client package
(`client/`), as a service would use it: one persistent connection per thread, each call signed with the
service's own key. The caller's request to the service is signed before the timer starts; the timer covers the
service's whole round trip (signing its own call, the HTTP exchange, verification, decision, audit).

    .venv/bin/python benchmarks/authorization_api.py [--requests 2000] [--clients 8] [--seconds 15]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "client" / "src"))

from benchmarks import common  # noqa: E402

DATABASE = os.environ.get("IAM_BENCH_AUTHZ_DATABASE", "iam_bench_authz")
DOCUMENT = "arn:aws:docs:::document/alice/report.txt"
OWN_DOCUMENTS = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["docs:GetDocument", "docs:ListDocuments"],
    "Resource": "arn:aws:docs:::document/${aws:username}/*"}]})


def database_url() -> str:
    return common.with_database(common.server_database_url(), DATABASE)


def prepare_database() -> dict:
    """A fresh database of its own, migrated, with the service's identity, a user with documents and the docs
    service in its catalogue."""
    import psycopg

    with psycopg.connect(common.with_database(common.server_database_url(), "postgres"),
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ.update(common.bench_environment())
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from directory.models import User
    from directory.services import access_keys, inline, users
    from directory.services.root import bootstrap_root_user
    from iam_console.callers import Caller
    from policies.services import catalogue

    if not User.objects.filter(is_superuser=True).exists():
        bootstrap_root_user(user_name="root", password="Bench-Root-Passw0rd!", with_access_key=False)
    root = Caller(principal=User.objects.get(is_superuser=True))
    definition = json.loads((ROOT / "examples" / "docs_service" / "catalogue.json").read_text())
    catalogue.put_service_definition(caller=root, service_prefix="docs", name=definition["name"],
                                     actions=definition["actions"], resource_types=definition["resource_types"],
                                     condition_keys=definition["condition_keys"])
    keys = {}
    for name, document in (("docs-service", json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:AuthorizeRequest",
            "Resource": "arn:aws:iam::123456789012:service/docs"}]})), ("alice", OWN_DOCUMENTS)):
        user = User.objects.filter(user_name_key=name).first() or users.create_user(caller=root, user_name=name)
        inline.put_user_policy(caller=root, user_name=name, policy_name="bench", policy_document=document)
        for key in list(user.access_keys.all()):
            access_keys.delete_access_key(caller=root, user_name=name, access_key_id=key.access_key_id)
        created = access_keys.create_access_key(caller=root, user_name=name)
        keys[name] = (created.access_key.access_key_id, created.secret_access_key)
    # One principal ARN for the simulator comparison.
    keys["alice_arn"] = User.objects.get(user_name_key="alice").arn
    return keys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    import urllib.request

    env = {**common.bench_environment(), "DATABASE_URL": database_url()}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "iam_console.wsgi:application",
         "--config", str(ROOT / "iam_console" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /api/v1/health/ within 60 s")


def caller_material(key: tuple[str, str]) -> dict:
    """A request to the docs service signed by alice, as a service receives it."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="GET", url="http://docs.internal/documents/alice/report.txt")
    SigV4Auth(Credentials(*key), "docs", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "docs.internal"
    return {"method": "GET", "path": "/documents/alice/report.txt", "query": "", "headers": headers,
            "body_sha": hashlib.sha256(b"").hexdigest()}


def verify_once(client, material: dict) -> float:
    started = time.perf_counter()
    result = client.verify(service="docs", method=material["method"], path=material["path"], query="",
                           headers=material["headers"], payload_sha256=material["body_sha"],
                           action="docs:GetDocument", resource=DOCUMENT)
    elapsed = time.perf_counter() - started
    if not result.allowed:
        raise SystemExit(f"verification failed: {result}")
    return elapsed


def throughput_client(url: str, keys: dict, seconds: float, start_at: float, queue) -> None:
    from iam_directory_client import DirectoryClient

    client = DirectoryClient(url, *keys["docs-service"])
    signed = [caller_material(keys["alice"]) for _ in range(32)]
    verify_once(client, signed[0])
    time.sleep(max(0.0, start_at - time.time()))
    done = errors = 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        try:
            verify_once(client, signed[done % len(signed)])
        except (SystemExit, Exception):  # noqa: BLE001 - counted, the run goes on
            errors += 1
        done += 1
    queue.put((done, errors))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def simulate_once(url: str, keys: dict) -> float:
    """The same decision through SimulatePrincipalPolicy on the REST API, signed by the service's key."""
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = json.dumps({"action_names": ["docs:GetDocument"], "resource_arns": [DOCUMENT]}).encode()
    target = f"{url}/api/v1/users/alice/simulate"
    request = AWSRequest(method="POST", url=target, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(*keys["docs-service"]), "iam", "us-east-1").add_auth(request)
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(target, data=body, method="POST",
                                                       headers=dict(request.headers.items()))) as response:
        response.read()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="sequential calls for latency")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes for throughput")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the throughput window")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    keys = prepare_database()
    from directory.models import User
    from directory.services import inline
    from iam_console.callers import Caller

    # For the comparison the service's user may also call the simulator for the same decision.
    root = Caller(principal=User.objects.get(is_superuser=True))
    inline.put_user_policy(caller=root, user_name="docs-service", policy_name="simulate", policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:AuthorizeRequest",
                                                                               "iam:SimulatePrincipalPolicy"],
                                                 "Resource": "*"}]}))

    from iam_directory_client import DirectoryClient

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, args.workers)
    try:
        client = DirectoryClient(url, *keys["docs-service"])
        materials = [caller_material(keys["alice"]) for _ in range(64)]
        for material in materials[:50]:
            verify_once(client, material)  # warm connections, caches and query plans
        timings = [verify_once(client, materials[i % len(materials)]) for i in range(args.requests)]
        single = []
        batch = []
        item = {"principal_arn": keys["alice_arn"], "action": "docs:GetDocument", "resource": DOCUMENT}
        for _ in range(200):
            started = time.perf_counter()
            client.decide(**item)
            single.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.decide_batch([item] * 30)
            batch.append(time.perf_counter() - started)
        simulator = [simulate_once(url, keys) for _ in range(200)]
        queue = multiprocessing.Queue()
        start_at = time.time() + 3
        processes = [multiprocessing.Process(target=throughput_client, args=(url, keys, args.seconds, start_at, queue))
                     for _ in range(args.clients)]
        for process in processes:
            process.start()
        results = [queue.get() for _ in processes]
        for process in processes:
            process.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    rate = sum(done for done, _ in results) / args.seconds
    errors = sum(errors for _, errors in results)
    p50, p99 = percentile(timings, 0.5) * 1000, percentile(timings, 0.99) * 1000
    single_p50, batch_p50 = percentile(single, 0.5) * 1000, percentile(batch, 0.5) * 1000
    simulator_p50 = percentile(simulator, 0.5) * 1000
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, Linux"
    report = "\n".join([
        "# Benchmark: the authorization API for other services",
        "",
        f"- Server: gunicorn, {args.workers} sync workers, PostgreSQL on the same machine; machine: {machine}",
        "- Client: the project's client package (`client/`), persistent connection, each call SigV4-signed with "
        "the service's key; every decision audited",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        f"| verify-and-decide round trip p50 ({args.requests:,} sequential) | {p50:.2f} ms | ≤ 3 ms |",
        f"| verify-and-decide p99 | {p99:.2f} ms | |",
        f"| mean | {statistics.fmean(timings) * 1000:.2f} ms | |",
        f"| decisions per second, {args.clients} concurrent clients for {args.seconds:.0f} s | {rate:.0f} "
        f"({errors} errors) | ≥ 500 |",
        f"| decide (principal ARN) p50 | {single_p50:.2f} ms | |",
        f"| batch of 30 decisions p50 | {batch_p50:.2f} ms ({batch_p50 / single_p50:.1f}× one) | ≤ 2× one |",
        f"| SimulatePrincipalPolicy through the REST API, same decision, p50 | {simulator_p50:.2f} ms | |",
        "",
    ])
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "authorization_api.md").write_text(report)
    print(report)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
