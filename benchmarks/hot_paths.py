"""Every hot path beside a bare Django view of the same payload, measured in the same run.

Two gunicorn servers with the same settings file and worker count: the directory, and the directory's settings with
one bare view that answers each endpoint's own recorded answer (benchmarks/bare_urls.py). For each endpoint, the
same pre-signed request goes to both, in turn: p50 of sequential requests (one connection each, as gunicorn's sync
workers serve them) and throughput with several client processes. The ratios to the bare view are the targets'
measure, since absolute figures move with the machine; the load average is printed with every line. Then the policy
engine beside Cedar's Python binding (cedarpy) on the same policies (benchmarks/cedar_compare.py).

    .venv/bin/python benchmarks/hot_paths.py [--requests 400] [--clients 4] [--seconds 6] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import authorization_api, common  # noqa: E402

DOCUMENT = authorization_api.DOCUMENT
FORM = "application/x-www-form-urlencoded; charset=utf-8"
WORK = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "iam:ListUsers", "sts:AssumeRole"], "Resource": "*"}]})
LIST_USERS = 150  # more than a page of 100


@dataclass(frozen=True)
class Call:
    """One endpoint's request, signed once (SigV4 allows replays within its 15 minutes)."""

    name: str
    title: str
    method: str
    path: str
    headers: dict
    body: bytes
    target: str  # the target for this endpoint, as ratios to the bare view


def prepare() -> dict:
    """The authorization benchmark's database, plus what the other hot paths need: alice may list users and assume
    a read-only role, and the directory holds more users than a page."""
    keys = authorization_api.prepare_database()
    from directory.models import User
    from directory.services import inline, role_policies, roles, users
    from iam_console.callers import Caller

    root = Caller(principal=User.objects.get(is_superuser=True))
    inline.put_user_policy(caller=root, user_name="alice", policy_name="work", policy_document=WORK)
    alice = User.objects.get(user_name_key="alice")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": alice.arn},
                                                                 "Action": "sts:AssumeRole"}]})
    roles.create_role(caller=root, role_name="reader", assume_role_policy_document=trust)
    role_policies.attach_role_policy(caller=root, role_name="reader",
                                     policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    for index in range(LIST_USERS):
        users.create_user(caller=root, user_name=f"user-{index:04d}")
    keys["role_arn"] = f"arn:aws:iam::{alice.account_id}:role/reader"
    return keys


def signed(name: str, title: str, key: tuple[str, str], service: str, method: str, path: str, port: int, *,
           body: bytes = b"", content_type: str | None = None, target: str = "") -> Call:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": content_type} if content_type else {}
    request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    SigV4Auth(Credentials(*key), service, "us-east-1").add_auth(request)
    headers = dict(request.headers.items()) | {"Host": f"127.0.0.1:{port}"}
    return Call(name, title, method, path, headers, body, target)


def web_identity_call(issuer, port: int) -> Call:
    """AssumeRoleWithWebIdentity with a token of the local issuer (unsigned: the token is the credential; AWS lets a
    token be exchanged again until it expires). Its JWKS is fetched once, then served from the Redis cache."""
    from benchmarks import web_identity

    body = json.dumps({"role_arn": web_identity.seed(issuer), "role_session_name": "bench",
                       "web_identity_token": issuer.token()}).encode()
    return Call("web_identity", "AssumeRoleWithWebIdentity, JWKS cached (REST)", "POST",
                "/api/v1/sts/assume-role-with-web-identity",
                {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"}, body, "p50 ≤ 6× bare")


def calls(keys: dict, port: int) -> list[Call]:
    service, alice = keys["docs-service"], keys["alice"]
    material = authorization_api.caller_material(alice)
    verify = json.dumps({"service": "docs", "request": {
        "method": material["method"], "path": material["path"], "query": "", "headers": material["headers"],
        "payload_sha256": material["body_sha"]}, "authorize": {"action": "docs:GetDocument", "resource": DOCUMENT}})
    item = {"principal_arn": keys["alice_arn"], "action": "docs:GetDocument", "resource": DOCUMENT}
    json_type = "application/json"
    return [
        signed("verify", "verify-and-decide", service, "iam", "POST", "/api/v1/authorization/verify", port,
               body=verify.encode(), content_type=json_type, target="p50 ≤ 4× bare, throughput ≥ 25 % of bare"),
        signed("decide", "decide (one principal ARN)", service, "iam", "POST", "/api/v1/authorization/decide", port,
               body=json.dumps(item).encode(), content_type=json_type),
        signed("batch", "decide-batch of 30", service, "iam", "POST", "/api/v1/authorization/decide-batch", port,
               body=json.dumps({"requests": [item] * 30}).encode(), content_type=json_type,
               target="p50 ≤ 2× one decision"),
        signed("assume", "AssumeRole (REST)", alice, "iam", "POST", "/api/v1/sts/assume-role", port,
               body=json.dumps({"role_arn": keys["role_arn"], "role_session_name": "bench"}).encode(),
               content_type=json_type, target="p50 ≤ 4× bare"),
        signed("identity", "GetCallerIdentity (Query API)", alice, "sts", "POST", "/", port,
               body=urllib.parse.urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15"}).encode(),
               content_type=FORM),
        signed("list", "signed list page, 100 users (REST)", alice, "iam", "GET", "/api/v1/users/?limit=100", port,
               target="throughput ≥ 40 % of bare"),
    ]


def send(port: int, call: Call, path: str | None = None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(call.method, path or call.path, body=call.body or None, headers=call.headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def latencies(port: int, call: Call, path: str | None, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        status, _, _ = send(port, call, path)
        samples.append(time.perf_counter() - started)
        if status >= 400:
            raise SystemExit(f"{call.title} answered {status}")
    return samples


def _client(port: int, call: Call, path: str | None, seconds: float, start_at: float, queue) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    done = errors = 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        try:
            status, _, _ = send(port, call, path)
            errors += status >= 400
        except OSError:
            errors += 1
        done += 1
    queue.put((done, errors))


def throughput(port: int, call: Call, path: str | None, clients: int, seconds: float,
               server: subprocess.Popen) -> tuple[float, int, float, float]:
    """Requests per second, errors, and the server's CPU per request in ms (its workers and their database
    backends) with the database's share of it: the figures that hold when other work shares the machine."""
    workers, backends = server_processes(server)
    web_before, database_before = cpu_seconds(workers), cpu_seconds(backends)
    queue = multiprocessing.Queue()
    start_at = time.time() + 0.5
    processes = [multiprocessing.Process(target=_client, args=(port, call, path, seconds, start_at, queue))
                 for _ in range(clients)]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    done = max(sum(done for done, _ in results), 1)
    workers_now, backends_now = server_processes(server)
    web, database = cpu_used(web_before, workers_now), cpu_used(database_before, backends_now)
    return (done / seconds, sum(errors for _, errors in results), (web + database) / done * 1000,
            database / done * 1000)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time each process has used so far (/proc; a process gone meanwhile is left out)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return used


def cpu_used(before: dict[int, float], pids: list[int]) -> float:
    """CPU used since `before` by those processes and by any new one (a database connection opened meanwhile)."""
    after = cpu_seconds(sorted(set(before) | set(pids)))
    return sum(max(0.0, used - before.get(pid, 0.0)) for pid, used in after.items())


def server_processes(server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """The gunicorn master's workers, and the PostgreSQL backends serving the benchmark database."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False)
    import psycopg

    with psycopg.connect(common.with_database(common.server_database_url(), "postgres")) as connection:
        backends = [row[0] for row in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (authorization_api.DATABASE,))]
    return [int(pid) for pid in found.stdout.split()], backends


def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    import urllib.request

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "iam_console.wsgi:application",
         "--config", str(ROOT / "iam_console" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2):
                return server
        except OSError as error:
            if getattr(error, "code", None):  # the bare server answers 404 there: it is up
                return server
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="sequential requests per p50")
    parser.add_argument("--clients", type=int, default=4, help="client processes for throughput")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each throughput window")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for both servers")
    args = parser.parse_args()

    from tests.federation.issuer import LocalIssuer, TLSMaterial

    keys = prepare()
    tls = TLSMaterial()
    issuer = LocalIssuer(tls).start()
    # The issuer is on 127.0.0.1 with a certificate of its own CA: allowed for this benchmark's servers only.
    env = {**common.bench_environment(), "DATABASE_URL": authorization_api.database_url(),
           "IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS": "true", "IAM_FEDERATION_CA_BUNDLE": tls.ca_file}
    real_port, bare_port = authorization_api.free_port(), authorization_api.free_port()
    hot = [*calls(keys, real_port), web_identity_call(issuer, real_port)]
    real = start_gunicorn(real_port, args.workers, env)
    bare = None
    answers_file = Path(tempfile.mkstemp(suffix=".json")[1])
    rows = []
    try:
        answers = {}
        for call in hot:
            status, content_type, body = send(real_port, call)
            if status >= 400:
                raise SystemExit(f"{call.title} answered {status}: {body[:500]!r}")
            answers[call.name] = {"status": status, "content_type": content_type, "body": body.decode()}
        answers_file.write_text(json.dumps(answers))
        bare = start_gunicorn(bare_port, args.workers, {
            **env, "DJANGO_SETTINGS_MODULE": "benchmarks.bare_settings", "IAM_BENCH_BARE_ANSWERS": str(answers_file)})
        for call in hot:
            bare_path = f"/bare/{call.name}"
            latencies(real_port, call, None, 30)  # warm: caches, query plans, connections
            latencies(bare_port, call, bare_path, 30)
            load_before = load()
            own = latencies(real_port, call, None, args.requests)
            base = latencies(bare_port, call, bare_path, args.requests)
            own_rate, own_errors, own_cpu, own_database = throughput(real_port, call, None, args.clients,
                                                                     args.seconds, real)
            base_rate, _, base_cpu, _ = throughput(bare_port, call, bare_path, args.clients, args.seconds, bare)
            rows.append({"call": call, "p50": percentile(own, 0.5) * 1000, "p99": percentile(own, 0.99) * 1000,
                         "bare_p50": percentile(base, 0.5) * 1000, "rate": own_rate, "bare_rate": base_rate,
                         "errors": own_errors, "size": len(answers[call.name]["body"]), "cpu": own_cpu,
                         "database_cpu": own_database, "bare_cpu": base_cpu,
                         "load": f"{load_before} → {load()}"})
            row = rows[-1]
            print(f"{call.title}: {row['p50']:.2f} ms p50 ({row['p50'] / row['bare_p50']:.1f}× bare "
                  f"{row['bare_p50']:.2f} ms), {row['rate']:.0f}/s ({row['rate'] / row['bare_rate']:.0%} of bare "
                  f"{row['bare_rate']:.0f}/s), server CPU {row['cpu']:.2f} ms per request, {row['database_cpu']:.2f} "
                  f"of it PostgreSQL (bare {row['bare_cpu']:.2f} ms), load {row['load']}", flush=True)
    finally:
        for server in (real, bare):
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
        answers_file.unlink(missing_ok=True)
        issuer.stop()

    engine = None
    try:
        from benchmarks import cedar_compare

        engine = cedar_compare.main()
    except ImportError:
        print("cedarpy is not installed (pip install -e '.[dev]'): the engine comparison is left out")
    write_report(args, rows, engine)
    return 0


def write_report(args, rows: list[dict], engine: dict | None) -> None:
    by_name = {row["call"].name: row for row in rows}
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    lines = [
        "# Benchmark: every hot path beside a bare Django view of the same payload",
        "",
        f"- Machine: {machine}; PostgreSQL, Redis, both servers and the clients on it",
        f"- Both servers: gunicorn, {args.workers} sync workers, the directory's settings; the bare one answers each "
        "endpoint's own recorded answer from one view (benchmarks/bare_urls.py)",
        f"- p50/p99: {args.requests} sequential requests, one connection each; throughput: {args.clients} client "
        f"processes for {args.seconds:.0f} s; every request SigV4-signed before the run",
        "",
        "Server CPU: the CPU time of the server's workers and of their PostgreSQL backends during the throughput "
        "window, per request; the ratio of these is what the throughput ratio would be on a machine with nothing "
        "else to do, since it does not count time spent waiting for cores that other work holds.",
        "",
        "| endpoint | p50 | p99 | bare p50 | p50 ratio | req/s | bare req/s | throughput ratio | server CPU per "
        "request (of it PostgreSQL; bare) | CPU ratio | target | load average (1/5/15 min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        target = row["call"].target
        if row["call"].name == "batch" and "decide" in by_name:
            target += f" (here {row['p50'] / by_name['decide']['p50']:.2f}×)"
        lines.append(
            f"| {row['call'].title} ({row['size']:,} bytes) | {row['p50']:.2f} ms | {row['p99']:.2f} ms | "
            f"{row['bare_p50']:.2f} ms | {row['p50'] / row['bare_p50']:.1f}× | {row['rate']:.0f} "
            f"({row['errors']} errors) | {row['bare_rate']:.0f} | {row['rate'] / row['bare_rate']:.0%} | "
            f"{row['cpu']:.2f} ms ({row['database_cpu']:.2f} ms; {row['bare_cpu']:.2f} ms) | "
            f"{row['cpu'] / row['bare_cpu']:.1f}× | {target} | "
            f"{row['load']} |")
    if engine:
        lines += ["", "## The policy engine beside cedarpy, same policies", "", *engine["lines"]]
    report = "\n".join(lines) + "\n"
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "hot_paths.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    raise SystemExit(main())
