"""Start the embedded PostgreSQL and Redis, print their URLs as one JSON line, and keep them up until stdin closes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iam_console import embedded  # noqa: E402 - needs the project root on sys.path first


def main() -> int:
    urls = {
        "DATABASE_URL": embedded.ensure_postgres(ROOT),
        "REDIS_URL": embedded.ensure_redis(ROOT),
    }
    print(json.dumps(urls), flush=True)
    sys.stdin.read()  # the caller closes our input when it is done; the servers stop as this process exits
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    raise SystemExit(main())
