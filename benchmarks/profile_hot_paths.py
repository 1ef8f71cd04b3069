"""Where each hot path's time goes: the same pre-signed requests as benchmarks/hot_paths.py, run in-process through
Django's WSGI handler under cProfile, with the queries each request makes. One file per endpoint in
benchmarks/results/profiles/ (run benchmarks/hot_paths.py first: it prepares the database).

    .venv/bin/python benchmarks/profile_hot_paths.py [--requests 300]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import authorization_api, common, hot_paths  # noqa: E402

PORT = 8000  # the Host the requests are signed for; nothing listens there
CONSOLE_PASSWORD = "Bench-Alice-Passw0rd!"  # benchmark data only


def console_client():
    """A browser signed in to the console as alice (who may list users): the console's users page."""
    from django.test import Client

    from directory.models import User
    from directory.services import login_profiles
    from iam_console.callers import Caller

    root = Caller(principal=User.objects.get(is_superuser=True))
    login_profiles.create_login_profile(caller=root, user_name="alice", password=CONSOLE_PASSWORD)
    browser = Client()
    response = browser.post("/sign-in/", {"user_name": "alice", "password": CONSOLE_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return browser


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    keys = hot_paths.prepare()
    os.environ["DATABASE_URL"] = authorization_api.database_url()
    from django.db import connection
    from django.test import Client

    client = Client()
    folder = common.RESULTS / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    console = hot_paths.Call("console", "console page: the users list, signed in", "GET", "/users/",
                             {"Host": f"127.0.0.1:{PORT}"}, b"", "")
    browser = console_client()
    for call in [*hot_paths.calls(keys, PORT), console]:
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in call.headers.items()
                 if name.lower() not in {"content-type", "content-length"}}

        def once(call=call, extra=extra):
            response = (browser if call is console else client).generic(call.method, call.path, data=call.body,
                                      content_type=call.headers.get("Content-Type", "application/octet-stream"),
                                      **extra)
            assert response.status_code < 400, (call.title, response.status_code, response.content[:300])

        for _ in range(20):
            once()
        queries: list[str] = []

        def note(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):  # Django resets its own query log when a request starts
            once()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            once()
        profiler.disable()
        per_request = (time.perf_counter() - started) / args.requests * 1000
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        header = [f"# {call.title}: {call.method} {call.path}", "",
                  f"{args.requests} requests in-process (no network), {per_request:.2f} ms each under cProfile; "
                  f"load average {hot_paths.load()}", "", f"Queries per request: {len(queries)}"]
        header += [f"  {' '.join(sql.split())[:160]}" for sql in queries]
        (folder / f"{call.name}.txt").write_text("\n".join(header) + "\n\n" + text.getvalue())
        print(f"{call.title}: {per_request:.2f} ms per request under cProfile, {len(queries)} queries", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
