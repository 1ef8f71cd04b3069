#!/usr/bin/env python3
"""Developer entry point: `python3 dev.py run` starts the console, `python3 dev.py test` runs every check.

Needs only Python 3.11+. It creates `.venv`, installs the project with its development extras (again only
when pyproject.toml changed), and runs the command inside that environment. With no DATABASE_URL or
REDIS_URL set, an embedded PostgreSQL and Redis are started from the project's own dependencies.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".iam-install-stamp"
CHROMIUM = Path("/usr/bin/chromium")
PYTEST_NO_TESTS = 5
# The import contracts of pyproject.toml ([tool.importlinter]); see README, "Architecture".
LINT_IMPORTS = [str(BIN / "lint-imports"), "--no-logo"]

USAGE = """usage: python3 dev.py COMMAND [ARGS...]

  run [--host H] [--port P]   start the console: web server, Celery worker and beat (embedded database
                              and Redis unless DATABASE_URL / REDIS_URL are set)
  test [PYTEST ARGS...]       manage.py check, makemigrations --check, ruff, lint-imports, then the whole
                              test suite
  lint                        ruff check, lint-imports
  migrate                     apply database migrations
  bench                       seed a 100,000-user directory and measure the REST API
  manage ARGS...              any manage.py command inside the project's environment
"""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def install_digest() -> str:
    # Re-install when the declared dependencies or the interpreter change, not on every run.
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the project into it, unless it is already up to date."""
    if sys.version_info < (3, 11):
        fail(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV}")
        try:
            venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
        except (subprocess.CalledProcessError, OSError) as error:
            fail(f"could not create {VENV} ({error}). On Debian/Ubuntu install the venv module first: "
                 "apt-get install python3-venv")
    wanted = install_digest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say("installing the project and its development tools into .venv (once per change of pyproject.toml)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    quiet = [] if in_ci() else ["--quiet"]
    if subprocess.call([*pip, "install", *quiet, "--upgrade", "pip"], cwd=ROOT) != 0:
        fail("could not upgrade pip inside .venv")
    if subprocess.call([*pip, "install", *quiet, "-e", ".[dev]"], cwd=ROOT) != 0:
        fail("pip install -e .[dev] failed (see above)")
    STAMP.write_text(wanted + "\n")


def ensure_static_root() -> None:
    # whitenoise serves from the app folders locally; an existing (empty) STATIC_ROOT keeps it from warning.
    (ROOT / "staticfiles").mkdir(exist_ok=True)


def ensure_chromium() -> bool:
    """Make Debian's Chromium available for the browser tests; return whether it is there."""
    if CHROMIUM.exists():
        return True
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if apt and is_root:
        say("installing Chromium for the browser tests (apt-get install -y chromium)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.call([apt, "install", "-y", "chromium"], env=env, stdin=subprocess.DEVNULL) != 0:
            subprocess.call([apt, "update"], env=env, stdin=subprocess.DEVNULL)
            subprocess.call([apt, "install", "-y", "chromium"], env=env, stdin=subprocess.DEVNULL)
        if CHROMIUM.exists():
            return True
    how = "sudo apt-get install -y chromium" if apt else "install Chromium so that /usr/bin/chromium exists"
    if in_ci():
        fail(f"the browser tests need Chromium at {CHROMIUM} and it could not be installed: {how}")
    say(f"Chromium is missing: the browser tests will be skipped. To run them: {how}")
    return False


class EmbeddedServices:
    """Keep one embedded PostgreSQL and Redis up while several commands run, when none is configured."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> EmbeddedServices:
        if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
            return self
        say("starting the embedded PostgreSQL and Redis (set DATABASE_URL and REDIS_URL to use your own)")
        self.process = subprocess.Popen([str(PYTHON), str(ROOT / "scripts" / "embedded_services.py")],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            fail("the embedded PostgreSQL or Redis did not start (see above)")
        os.environ.update(json.loads(line))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None:
            if self.process.stdin:
                self.process.stdin.close()  # the holder stops its servers when its input closes
            self.process.wait(timeout=120)


def run_step(title: str, command: list[str]) -> int:
    say(title)
    return subprocess.call(command, cwd=ROOT)


def manage(*args: str) -> list[str]:
    return [str(PYTHON), str(ROOT / "manage.py"), *args]


def command_run(args: list[str]) -> int:
    ensure_environment()
    # A local console: generated SECRET_KEY in .data/, plain HTTP on localhost, embedded services.
    os.environ.setdefault("IAM_EMBEDDED", "true")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.execv(str(PYTHON), [str(PYTHON), str(ROOT / "manage.py"), "runconsole", *args])
    return 0  # not reached


def command_test(args: list[str]) -> int:
    ensure_environment()
    ensure_static_root()
    browsers = ensure_chromium()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    os.environ.setdefault("IAM_EMBEDDED", "true")  # manage.py check needs no production SECRET_KEY
    os.environ["IAM_BROWSER_TESTS"] = "true" if browsers else "false"
    workers = os.environ.get("IAM_TEST_WORKERS", "2")
    parallel = [] if workers in {"0", "1"} or any(a in {"-n", "--numprocesses"} or a.startswith("-n")
                                                  for a in args) else ["-n", workers]
    with EmbeddedServices():
        steps = [
            ("manage.py check", manage("check", "--fail-level", "WARNING")),
            ("manage.py makemigrations --check --dry-run", manage("makemigrations", "--check", "--dry-run")),
            ("ruff check", [str(BIN / "ruff"), "check", "."]),
            ("lint-imports (dependencies point one way)", LINT_IMPORTS),
        ]
        for title, command in steps:
            code = run_step(title, command)
            if code != 0:
                say(f"FAILED: {title} (exit code {code})")
                return code
        code = run_step("pytest " + " ".join([*parallel, *args]),
                        [str(PYTHON), "-m", "pytest", *parallel, *args])
    if code == PYTEST_NO_TESTS:
        say("FAILED: pytest collected no tests")
        return 1
    if code != 0:
        say(f"FAILED: pytest (exit code {code})")
    return code


def command_lint(args: list[str]) -> int:
    ensure_environment()
    code = run_step("ruff check", [str(BIN / "ruff"), "check", ".", *args])
    return code or run_step("lint-imports (dependencies point one way)", LINT_IMPORTS)


def command_migrate(args: list[str]) -> int:
    ensure_environment()
    os.environ.setdefault("IAM_EMBEDDED", "true")
    return run_step("manage.py migrate", manage("migrate", *args))


def command_manage(args: list[str]) -> int:
    ensure_environment()
    os.environ.setdefault("IAM_EMBEDDED", "true")
    return subprocess.call(manage(*args), cwd=ROOT)


def command_bench(args: list[str]) -> int:
    ensure_environment()
    with EmbeddedServices():
        code = run_step("seed the benchmark directory",
                        [str(PYTHON), str(ROOT / "benchmarks" / "seed_directory.py"), *args])
        if code != 0:
            return code
        return run_step("benchmark GET /api/v1/users/", [str(PYTHON), str(ROOT / "benchmarks" / "api_list_users.py")])


COMMANDS = {
    "run": command_run,
    "test": command_test,
    "lint": command_lint,
    "migrate": command_migrate,
    "bench": command_bench,
    "manage": command_manage,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"} or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr if argv and argv[0] not in {"-h", "--help", "help"} else sys.stdout)
        return 0 if argv and argv[0] in {"-h", "--help", "help"} else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
