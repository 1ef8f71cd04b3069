"""Measure GET /api/v1/users/?limit=100, SigV4-signed with botocore, against gunicorn on the seeded directory.

Latency is what the client sees over loopback for one request, timed from just before the request is sent
to the last byte of the response; each request is signed before its timer starts, so signing costs nothing.
Throughput: concurrent client processes, each sending requests signed just before the timed window opens.
"""

from __future__ import annotations

import argparse
import http.client
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
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

PAGE = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_headers(credentials: dict, host: str, path: str) -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="GET", url=f"http://{host}{path}")
    SigV4Auth(Credentials(credentials["access_key_id"], credentials["secret_access_key"]), "iam",
              "us-east-1").add_auth(request)
    return {**dict(request.headers.items()), "Host": host}


def send(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, body, elapsed


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = common.bench_environment()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "iam_console.wsgi:application",
         "--config", str(common.ROOT / "iam_console" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=common.ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = send("127.0.0.1", port, "/api/v1/health/", {})
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /api/v1/health/ within 60 s")


def measure_latency(port: int, credentials: dict, requests: int) -> list[float]:
    """Walk the directory page by page (restarting at the end): every request is a fresh page of 100."""
    host = f"127.0.0.1:{port}"
    timings, marker = [], None
    for _ in range(requests):
        path = f"/api/v1/users/?limit={PAGE}" + (f"&marker={quote(marker)}" if marker else "")
        headers = signed_headers(credentials, host, path)
        status, body, elapsed = send("127.0.0.1", port, path, headers)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
        page = json.loads(body)
        if len(page["users"]) != PAGE and page["is_truncated"]:
            raise SystemExit(f"a truncated page held {len(page['users'])} users, not {PAGE}")
        marker = page["marker"] if page["is_truncated"] else None
        timings.append(elapsed)
    return timings


def throughput_client(port: int, credentials: dict, seconds: float, start_at: float, queue) -> None:
    host = f"127.0.0.1:{port}"
    path = f"/api/v1/users/?limit={PAGE}"
    # Enough signatures for the window, made before it opens (SigV4 allows reuse within its time window).
    signed = [signed_headers(credentials, host, path) for _ in range(64)]
    time.sleep(max(0.0, start_at - time.time()))
    done = errors = 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        status, _, _ = send("127.0.0.1", port, path, signed[done % len(signed)])
        done += 1
        errors += status != 200
    queue.put((done, errors))


def measure_throughput(port: int, credentials: dict, clients: int, seconds: float) -> tuple[float, int]:
    queue = multiprocessing.Queue()
    start_at = time.time() + 3
    processes = [multiprocessing.Process(target=throughput_client, args=(port, credentials, seconds, start_at, queue))
                 for _ in range(clients)]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    total = sum(done for done, _ in results)
    return total / seconds, sum(errors for _, errors in results)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests for latency")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes for throughput")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the throughput window")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    credentials = common.load_credentials()
    port = free_port()
    server = start_server(port, args.workers)
    try:
        measure_latency(port, credentials, 50)  # warm up connections, caches and the query plans
        timings = measure_latency(port, credentials, args.requests)
        rate, errors = measure_throughput(port, credentials, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)

    p50, p99 = percentile(timings, 0.50) * 1000, percentile(timings, 0.99) * 1000
    mean = statistics.fmean(timings) * 1000
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, Linux"
    report = "\n".join([
        "# Benchmark: GET /api/v1/users/?limit=100",
        "",
        "- Directory: 100,000 users, 1,000 groups, ~150,000 memberships, 20,000 access keys "
        "(`benchmarks/seed_directory.py`)",
        f"- Server: gunicorn, {args.workers} sync workers, PostgreSQL on the same machine; machine: {machine}",
        "- Every request SigV4-signed with botocore; latency is the client's, over loopback, with signing "
        "done before the timer starts",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        f"| p50 latency, page of 100 ({args.requests:,} sequential requests walking every page) "
        f"| {p50:.1f} ms | ≤ 20 ms |",
        f"| p99 latency | {p99:.1f} ms | |",
        f"| mean latency | {mean:.1f} ms | |",
        f"| throughput, {args.clients} concurrent clients for {args.seconds:.0f} s | {rate:.0f} requests/s "
        f"({errors} errors) | ≥ 300 requests/s |",
        "",
    ])
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "latest.md").write_text(report)
    print(report)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
