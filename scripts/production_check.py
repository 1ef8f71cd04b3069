"""Install the project the production way and prove it runs: a clean virtualenv, `pip install .` with no extras,
then gunicorn, a Celery worker and Celery beat from that virtualenv on a fresh database, until a credential
report requested through the signed REST API is COMPLETE.

    python scripts/production_check.py            # DATABASE_URL (server) and REDIS_URL from the environment

The servers run from a folder outside the checkout, so they import the installed package, not the sources.
Run it with an interpreter that has botocore (the project's .venv): the check signs its API requests.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 120
REPORT_TIMEOUT = 120
STOP_GRACE_SECONDS = 10


def say(message: str) -> None:
    print(f"[production-check] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(database_url: str, statement: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(statement)


def signed(method: str, url: str, key_id: str, secret: str) -> tuple[int, bytes]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=b"")
    SigV4Auth(Credentials(key_id, secret), "iam", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, method=method, headers=dict(request.headers.items()))  # noqa: S310 - 127.0.0.1 only
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait(what: str, predicate, timeout: float, processes: dict[str, subprocess.Popen], logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with code {process.returncode} while waiting for {what}:\n"
                                 + (logs / f"{name}.log").read_text()[-4000:])
        if predicate():
            return
        time.sleep(0.5)
    for name in processes:
        print(f"--- {name}.log ---\n" + (logs / f"{name}.log").read_text()[-3000:], file=sys.stderr)
    raise SystemExit(f"timed out after {timeout}s waiting for {what}")


def stop(processes) -> None:
    """SIGTERM every server's process group, then, after one shared grace period, SIGKILL what is left."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the group too: gunicorn and Celery pool children
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()


def main() -> int:
    started = time.monotonic()
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        raise SystemExit("set DATABASE_URL (any database on the server to use) and REDIS_URL")
    work = Path(tempfile.mkdtemp(prefix="iam-production-"))
    name = f"iam_production_{secrets.token_hex(6)}"
    processes: dict[str, subprocess.Popen] = {}
    try:
        say(f"creating a clean virtualenv and running `pip install .` (no extras) in {work}")
        venv.EnvBuilder(with_pip=True).create(work / "venv")
        python = str(work / "venv" / "bin" / "python")
        install = subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                                  str(ROOT)], capture_output=True, text=True)
        if install.returncode != 0:
            raise SystemExit("pip install . failed:\n" + install.stdout[-3000:] + install.stderr[-3000:])
        site = subprocess.run([python, "-c", "import iam_console, os; print(os.path.dirname(iam_console.__file__))"],
                              cwd=work, capture_output=True, text=True, check=True).stdout.strip()
        assert site.startswith(str(work)), f"iam_console was imported from {site}, not from the installed package"

        admin_sql(database_url, f'CREATE DATABASE "{name}"')
        env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "IAM_EMBEDDED", "IAM_TESTING"}}
        env.update({
            "DATABASE_URL": urlunparse(urlparse(database_url)._replace(path="/" + name)),
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SETTINGS_MODULE": "iam_console.settings",
            "IAM_DATA_DIR": str(work / "data"),
            "PYTHONUNBUFFERED": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
        })
        django = [python, "-m", "django"]
        subprocess.run([*django, "migrate", "--noinput", "--verbosity", "0"], cwd=work, env=env, check=True)
        root = json.loads(subprocess.run([*django, "bootstrap_root", "--access-key"], cwd=work, env=env,
                                         check=True, capture_output=True, text=True).stdout)

        port = free_port()
        logs = work / "logs"
        logs.mkdir()
        commands = {
            "web": [python, "-m", "gunicorn", "iam_console.wsgi:application", "--config",
                    f"{site}/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            "worker": [python, "-m", "celery", "-A", "iam_console", "worker", "--loglevel=INFO", "--concurrency=1"],
            "beat": [python, "-m", "celery", "-A", "iam_console", "beat", "--loglevel=INFO",
                     "--schedule", str(work / "celerybeat-schedule")],
        }
        for label, command in commands.items():
            log = open(logs / f"{label}.log", "w")  # noqa: SIM115 - closed with the process
            processes[label] = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)
        say("started gunicorn, a Celery worker and beat from the installed package")
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(base + "/api/v1/health/", timeout=5) as response:  # noqa: S310
                    return json.loads(response.read()) == {"status": "ok", "database": "ok", "redis": "ok"}
            except (OSError, ValueError):
                return False

        wait("the web server's health check", healthy, READY_TIMEOUT, processes, logs)
        wait("the worker and beat", lambda: " ready." in (logs / "worker.log").read_text()
             and "beat: Starting..." in (logs / "beat.log").read_text(), READY_TIMEOUT, processes, logs)
        with urllib.request.urlopen(base + "/sign-in/", timeout=10) as response:  # noqa: S310
            assert response.status == 200 and b"<form" in response.read(), "the console's sign-in page"
        url = base + "/api/v1/credential-report"
        status, body = signed("POST", url, root["access_key_id"], root["secret_access_key"])
        state = json.loads(body).get("state")
        if status != 200 or state != "STARTED":
            raise SystemExit(f"GenerateCredentialReport answered {status}: {body.decode()[:500]}")
        say("credential report requested: STARTED")
        wait("the credential report to be COMPLETE",
             lambda: signed("GET", url, root["access_key_id"], root["secret_access_key"])[0] == 200,
             REPORT_TIMEOUT, processes, logs)
        status, body = signed("POST", url, root["access_key_id"], root["secret_access_key"])
        assert json.loads(body)["state"] == "COMPLETE", body
        say(f"credential report COMPLETE; production install checked in {time.monotonic() - started:.0f}s")
        return 0
    finally:
        stop(processes.values())
        try:
            admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as error:  # noqa: BLE001 - report, but do not hide the check's own outcome
            say(f"could not drop {name}: {error}")
        # Deleting a virtualenv's thousands of files can take half a minute on a busy disk: nobody waits for it.
        subprocess.Popen(["rm", "-rf", str(work)], start_new_session=True,  # noqa: S607 - rm from PATH
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    raise SystemExit(main())
