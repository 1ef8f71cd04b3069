"""Run the whole console locally: migrate, create the root user once, then web server, Celery worker and beat."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import NoReverseMatch, reverse

from directory.services.root import bootstrap_root_user, root_user
from iam_console import embedded
from iam_console.errors import IAMError

STOP_TIMEOUT_SECONDS = 20
READY_TIMEOUT_SECONDS = 60
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """On Linux, have the kernel send SIGTERM to a child if the launcher itself is killed outright."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl-C and SIGTERM still stop every child through the launcher


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path
    ready: threading.Event
    pump: threading.Thread | None = None

    def tail(self, lines: int = 30) -> str:
        try:
            return "".join(self.log_path.read_text(errors="replace").splitlines(keepends=True)[-lines:])
        except OSError:
            return ""


# What each server prints once it serves: the console is announced only when all of them have.
READY_MARKERS = {"web": "Booting worker", "worker": " ready.", "beat": "beat: Starting..."}


class Command(BaseCommand):
    help = ("Run the IAM console on this machine: apply migrations, create the root user on first start "
            "(its password is printed once), then run the web server (gunicorn), a Celery worker and Celery "
            "beat until Ctrl-C. With no DATABASE_URL / REDIS_URL, an embedded PostgreSQL and Redis are used.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("IAM_HOST", "127.0.0.1"),
                            help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=int(os.environ.get("IAM_PORT", "8000")),
                            help="Port to listen on (default 8000).")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (default 2).")
        parser.add_argument("--verbose", action="store_true",
                            help="Show the servers' own output (always kept in the data folder's logs/).")

    def handle(self, *args, host: str, port: int, web_workers: int, verbose: bool, **options) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        self.stopping = False
        self.verbose = verbose
        self.output_lock = threading.Lock()
        self.log_dir = embedded.data_dir(settings.BASE_DIR) / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.say("applying database migrations")
        call_command("migrate", interactive=False, verbosity=0)
        base_url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # noqa: S104
        self.new_root = self.create_root()
        # The children open their own connections; the launcher keeps none idle for hours.
        connections.close_all()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.request_stop)
        children: list[Child] = []
        try:
            self.start_children(children, host, port, web_workers)
            exit_code = self.supervise(children, base_url)
        finally:
            self.stop(children)
        if exit_code:
            raise SystemExit(exit_code)

    # --- output ------------------------------------------------------------------------------------
    def say(self, message: str) -> None:
        with self.output_lock:
            self.stdout.write(f"[console] {message}")
            self.stdout.flush()

    def sign_in_url(self, base_url: str) -> str:
        """The management account's own sign-in link (the account is filled in)."""
        root = root_user()
        try:
            if root is not None:
                return base_url + reverse("console:account-sign-in", args=[root.account_id])
            return base_url + reverse("console:sign-in")
        except NoReverseMatch:
            return base_url + "/"

    def create_root(self):
        """Create the root user on first start; its credentials are announced once the console answers."""
        if root_user() is not None:
            return None
        try:
            return bootstrap_root_user(user_name=settings.IAM_ROOT_USER_NAME,
                                       password=os.environ.get("IAM_ROOT_PASSWORD") or None)
        except IAMError as error:
            raise CommandError(f"{error.code}: {error.message}") from None

    def announce(self, base_url: str) -> None:
        """The last thing printed: where to sign in, as whom, and on first start the password, this once."""
        url = self.sign_in_url(base_url)
        rule = "=" * 72
        if self.new_root is None:
            lines = [rule,
                     f"  The console is ready: {url}",
                     f"  Sign in as {root_user().user_name} with the password printed at first start.",
                     "  Forgotten? Run: python3 dev.py manage bootstrap_root --reset-password",
                     "  Ctrl-C stops it.",
                     rule]
        else:
            lines = [rule,
                     "  The console is ready. The root user was created; its password is shown ONCE.",
                     "",
                     f"  Sign-in URL : {url}",
                     f"  User name   : {self.new_root.user_name}",
                     f"  Password    : {self.new_root.password}",
                     "",
                     "  Keep the password safe. Forgotten later? Run:",
                     "  python3 dev.py manage bootstrap_root --reset-password   (manage.py bootstrap_root ...)",
                     "  Ctrl-C stops the console.",
                     rule]
        self.say(f"the console is ready at {url} (server logs in {self.log_dir})")
        with self.output_lock:
            self.stdout.write("\n".join(lines))
            self.stdout.flush()

    # --- children ----------------------------------------------------------------------------------
    def start_children(self, children: list[Child], host: str, port: int, web_workers: int) -> None:
        schedule = embedded.data_dir(settings.BASE_DIR) / "celerybeat-schedule"
        # whitenoise serves from the app folders (finders) locally; an empty STATIC_ROOT keeps it quiet.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        commands = {
            "web": [python, "-m", "gunicorn", "iam_console.wsgi:application",
                    "--config", str(settings.BASE_DIR / "iam_console" / "gunicorn.conf.py"),
                    "--bind", f"{host}:{port}", "--workers", str(web_workers)],
            "worker": [python, "-m", "celery", "-A", "iam_console", "worker", "--loglevel=INFO",
                       "--concurrency=2"],
            "beat": [python, "-m", "celery", "-A", "iam_console", "beat", "--loglevel=INFO",
                     "--schedule", str(schedule)],
        }
        for name, command in commands.items():
            # Each child leads its own process group: the launcher alone decides how it stops, and can
            # reap grandchildren (gunicorn and Celery pool workers) that outlive their parent.
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy(),  # noqa: S603
                                       start_new_session=True, preexec_fn=_die_with_parent,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            child = Child(name, process, self.log_dir / f"{name}.log", threading.Event())
            child.pump = threading.Thread(target=self.pump, args=(child,), daemon=True)
            child.pump.start()
            self.say(f"started {name} (pid {process.pid})")
            children.append(child)

    def pump(self, child: Child) -> None:
        """Copy a server's output to its log file (and, with --verbose, to ours), watching for its ready line."""
        marker = READY_MARKERS[child.name]
        with open(child.log_path, "a", buffering=1) as log:
            for raw in child.process.stdout:
                line = raw.decode(errors="replace")
                log.write(line)
                if marker in line:
                    child.ready.set()
                if self.verbose:
                    with self.output_lock:
                        self.stdout.write(f"{child.name}: {line}", ending="")
                        self.stdout.flush()

    def request_stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def supervise(self, children: list[Child], base_url: str) -> int:
        """Wait until asked to stop (0) or until a child dies (1), announcing when the console answers."""
        ready_deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        announced = False
        while not self.stopping:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    if child.pump is not None:
                        child.pump.join(timeout=2)
                    self.say(f"{child.name} exited with code {code}; stopping the others")
                    if not self.verbose:
                        self.stderr.write(f"last lines of {child.log_path}:\n{child.tail()}")
                    return 1
            if not announced and all(child.ready.is_set() for child in children) and self.answers(base_url):
                announced = True
                self.announce(base_url)
            elif not announced and time.monotonic() > ready_deadline:
                announced = True
                self.say(f"not every server answered within {READY_TIMEOUT_SECONDS}s; see {self.log_dir}")
                self.announce(base_url)
            time.sleep(0.25)
        self.say("stopping")
        return 0

    @staticmethod
    def answers(base_url: str) -> bool:
        try:
            with urllib.request.urlopen(base_url + "/api/v1/health/", timeout=1) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, children: list[Child]) -> None:
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} did not stop in {STOP_TIMEOUT_SECONDS}s; killing it")
            # Whatever is left in the child's process group (a stuck pool worker) goes too.
            try:
                os.killpg(child.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            child.process.wait()
        self.say("stopped")
