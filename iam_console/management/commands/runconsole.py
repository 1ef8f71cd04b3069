"""Run the whole console locally: migrate, create the root user once, then web server, Celery worker and beat."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
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

    def handle(self, *args, host: str, port: int, web_workers: int, **options) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        self.stopping = False
        self.say("applying database migrations")
        call_command("migrate", interactive=False, verbosity=0)
        base_url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # noqa: S104
        self.announce_root(base_url)
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
        self.stdout.write(f"[console] {message}")
        self.stdout.flush()

    def sign_in_url(self, base_url: str) -> str:
        try:
            return base_url + reverse("console:sign-in")
        except NoReverseMatch:
            return base_url + "/"

    def announce_root(self, base_url: str) -> None:
        """Create the root user on first start and print its password this once; later, only the URL."""
        url = self.sign_in_url(base_url)
        if root_user() is not None:
            self.say(f"sign in at {url} as {root_user().user_name} with the password printed at first start "
                     "(forgotten? run: python manage.py bootstrap_root --reset-password)")
            return
        try:
            credentials = bootstrap_root_user(user_name=settings.IAM_ROOT_USER_NAME,
                                              password=os.environ.get("IAM_ROOT_PASSWORD") or None)
        except IAMError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        rule = "=" * 72
        self.stdout.write("\n".join([
            rule,
            "  The root user was created. This password is shown ONCE: keep it safe.",
            "",
            f"  Sign-in URL : {url}",
            f"  User name   : {credentials.user_name}",
            f"  Password    : {credentials.password}",
            "",
            "  Forgotten later? Run: python manage.py bootstrap_root --reset-password",
            rule,
        ]))
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
                                       start_new_session=True, preexec_fn=_die_with_parent)
            self.say(f"started {name} (pid {process.pid})")
            children.append(Child(name, process))

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
                    self.say(f"{child.name} exited with code {code}; stopping the others")
                    return 1
            if not announced and time.monotonic() < ready_deadline and self.answers(base_url):
                announced = True
                self.say(f"the console is ready at {self.sign_in_url(base_url)} (Ctrl-C stops it)")
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
