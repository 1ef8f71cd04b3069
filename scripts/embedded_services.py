"""Start the embedded PostgreSQL and Redis, print their URLs as one JSON line, and keep them up for the caller.

The servers stop when the caller is done with them, however it ends: it closes our input (normal end), it
dies outright (our input reaches end-of-file, and on Linux the kernel also sends SIGTERM), or someone sends
this process SIGTERM, SIGINT or SIGHUP. Only a SIGKILL of this very process leaves them running, and the
next start adopts them and stops them properly.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iam_console import embedded  # noqa: E402 - needs the project root on sys.path first

PARENT_CHECK_SECONDS = 1.0


class Stop(Exception):
    """Raised by a signal handler: leave the wait and stop the servers."""


def _stop_on_signal(signum: int, frame: object) -> None:
    raise Stop


def wait_for_caller(parent: int) -> None:
    """Return when our input closes or the process that started us is gone."""
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], PARENT_CHECK_SECONDS)
        if readable and not os.read(sys.stdin.fileno(), 4096):
            return
        if os.getppid() != parent:
            return


def main() -> int:
    parent = os.getppid()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    try:
        urls = {
            "DATABASE_URL": embedded.ensure_postgres(ROOT),
            "REDIS_URL": embedded.ensure_redis(ROOT),
        }
        print(json.dumps(urls), flush=True)
        wait_for_caller(parent)
    except Stop:
        pass
    finally:
        # Stop them now, with signals ignored, so that a second Ctrl-C cannot cut the shutdown short.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        embedded.stop_all()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    raise SystemExit(main())
