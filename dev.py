#!/usr/bin/env python3
"""Developer entry point: `python3 dev.py run` starts the console, `python3 dev.py test` runs every check.

Needs only Python 3.11+. It creates `.venv`, installs the project with its development extras (again only
when pyproject.toml changed), and runs the command inside that environment. With no DATABASE_URL or
REDIS_URL set, an embedded PostgreSQL and Redis are started from the project's own dependencies.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import signal
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
AWS_CLI = Path("/usr/bin/aws")  # Debian's awscli package
INSTALL_LOG = VENV / "install.log"
PYTEST_NO_TESTS = 5
# After SIGTERM, a step gets this long to stop in order (pytest prints its summary) before it is killed.
STOP_GRACE_SECONDS = 30
PR_SET_PDEATHSIG = 1
VERBOSE = False
# The import contracts of pyproject.toml ([tool.importlinter]); see docs/development/architecture.md.
LINT_IMPORTS = [str(BIN / "lint-imports"), "--no-logo"]

USAGE = """usage: python3 dev.py [--verbose] COMMAND [ARGS...]

  run [--host H] [--port P] [--verbose]
                              start the console: web server, Celery worker and beat (embedded database
                              and Redis unless DATABASE_URL / REDIS_URL are set); --verbose shows the
                              installer's and the servers' own output
  test [PYTEST ARGS...]       manage.py check, makemigrations --check, ruff, lint-imports, the docs site
                              (strict), then the whole test suite
  docs [--port P]             serve the documentation site (docs/, mkdocs.yml) at http://127.0.0.1:8001/,
                              rebuilt on every change; `test` builds it in strict mode
  lint                        ruff check, lint-imports
  migrate                     apply database migrations
  bench [--large]             every hot path beside a bare Django view of the same payload, and the policy
                              engine beside cedarpy (benchmarks/hot_paths.py); --large also seeds a
                              100,000-user directory and measures its list pages
  manage ARGS...              any manage.py command inside the project's environment
"""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def die_with_parent() -> None:
    """In a child, before exec: on Linux the kernel sends it SIGTERM if this launcher is killed outright.

    Ctrl-C is also given back its default meaning: a launcher started in the background has SIGINT ignored,
    which the child would inherit, and then could not be stopped in order."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the child still stops when its input closes or when it is told to


class Terminated(Exception):
    """SIGTERM or SIGHUP reached the launcher: stop the running step, then the embedded services."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signal.Signals(signum).name)


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
    say("installing the project and its development tools into .venv (once per change of pyproject.toml; "
        "takes a minute or two)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    show = VERBOSE or in_ci()
    # The installer's own chatter (build back-end warnings, hundreds of lines) goes to a log unless asked for.
    with open(INSTALL_LOG, "w") as log:
        for what, command in (("upgrade pip", [*pip, "install", "--upgrade", "pip"]),
                              ("pip install -e .[dev]", [*pip, "install", "-e", ".[dev]"])):
            code = subprocess.call(command, cwd=ROOT, stdout=None if show else log,
                                   stderr=None if show else subprocess.STDOUT)
            if code != 0:
                if not show:
                    log.flush()
                    print(INSTALL_LOG.read_text()[-6000:], file=sys.stderr)
                fail(f"{what} failed (the installer's output is above and in {INSTALL_LOG})")
    STAMP.write_text(wanted + "\n")


def ensure_static_root() -> None:
    # whitenoise serves from the app folders locally; an existing (empty) STATIC_ROOT keeps it from warning.
    (ROOT / "staticfiles").mkdir(exist_ok=True)


def apt_install(package: str, binary: Path) -> bool:
    """Install a Debian package where this runs as root with apt-get (refreshing the package lists once if the
    first try fails); return whether `binary` is then there."""
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        say(f"installing {package} for the tests that use it (apt-get install -y {package})")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.call([apt, "install", "-y", package], env=env, stdin=subprocess.DEVNULL) != 0:
            subprocess.call([apt, "update"], env=env, stdin=subprocess.DEVNULL)
            subprocess.call([apt, "install", "-y", package], env=env, stdin=subprocess.DEVNULL)
    return binary.exists()


def ensure_chromium() -> bool:
    """Make Debian's Chromium available for the browser tests; return whether it is there."""
    if CHROMIUM.exists() or apt_install("chromium", CHROMIUM):
        return True
    how = "sudo apt-get install -y chromium" if shutil.which("apt-get") else \
        "install Chromium so that /usr/bin/chromium exists"
    if in_ci():
        fail(f"the browser tests need Chromium at {CHROMIUM} and it could not be installed: {how}")
    say(f"Chromium is missing: the browser tests will be skipped. To run them: {how}")
    return False


def ensure_aws_cli() -> None:
    """Debian's AWS CLI v2 (2.9) for the tests of `aws sso login` and `aws configure sso`, which skip without it."""
    if AWS_CLI.exists() or apt_install("awscli", AWS_CLI):
        return
    say("the AWS CLI v2 is missing: its SSO tests will be skipped. To run them: sudo apt-get install -y awscli")


class EmbeddedServices:
    """Keep one embedded PostgreSQL and Redis up while several commands run, when none is configured."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> EmbeddedServices:
        if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
            return self
        say("starting the embedded PostgreSQL and Redis (set DATABASE_URL and REDIS_URL to use your own)")
        # Its own session: a Ctrl-C at the terminal reaches the steps, and the holder stops after them. It
        # stops when its input closes, which also happens when this launcher is killed outright.
        # Their own chatter goes to a log unless asked for.
        log_dir = Path(os.environ.get("IAM_DATA_DIR") or ROOT / ".data") / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / "embedded-services.log"
        with open(log_path, "w") as log:
            self.process = subprocess.Popen([str(PYTHON), str(ROOT / "scripts" / "embedded_services.py")],
                                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=None if VERBOSE else log, text=True,
                                            start_new_session=True, preexec_fn=die_with_parent)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            self.process.wait()
            print(log_path.read_text()[-6000:], file=sys.stderr)
            fail(f"the embedded PostgreSQL or Redis did not start (its output is above and in {log_path})")
        os.environ.update(json.loads(line))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is None:
            return
        if self.process.stdin:
            self.process.stdin.close()  # the holder stops its servers when its input closes
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wait_interruptible(process: subprocess.Popen) -> int:
    """Wait for a child to end. A Ctrl-C at the terminal reached it too and it stops in its own way; a SIGINT
    sent to this launcher alone is passed on if the child is still running a moment later."""
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            try:
                return process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGINT)
            except KeyboardInterrupt:
                continue


def run_step(title: str, command: list[str]) -> int:
    """Run one step to its end. Ctrl-C reaches it from the terminal and it stops in its own way (pytest
    prints its summary); SIGTERM or SIGHUP to this launcher is passed on to it as SIGINT, and after a grace
    period the step is killed. Either way the caller then stops the embedded services."""
    say(title)
    process = subprocess.Popen(command, cwd=ROOT, preexec_fn=die_with_parent)
    try:
        return wait_interruptible(process)
    except Terminated:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise


def manage(*args: str) -> list[str]:
    return [str(PYTHON), str(ROOT / "manage.py"), *args]


def command_run(args: list[str]) -> int:
    ensure_environment()
    # A local console: generated SECRET_KEY in .data/, plain HTTP on localhost, embedded services.
    os.environ.setdefault("IAM_EMBEDDED", "true")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    if VERBOSE and "--verbose" not in args:
        args = [*args, "--verbose"]
    # runconsole stops on Ctrl-C or SIGTERM; the embedded services stop after it, however it ended.
    with EmbeddedServices():
        process = subprocess.Popen(manage("runconsole", *args), cwd=ROOT, preexec_fn=die_with_parent)
        try:
            return wait_interruptible(process)
        except Terminated:
            process.terminate()
            process.wait()
            return 143


def command_test(args: list[str]) -> int:
    ensure_environment()
    ensure_static_root()
    browsers = ensure_chromium()
    ensure_aws_cli()
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
            ("mkdocs build --strict (broken links, pages missing from the navigation)", docs_build_command()),
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


def docs_build_command() -> list[str]:
    # Into the data folder (kept out of git): this step proves the site builds strictly; `docs` serves it.
    site = Path(os.environ.get("IAM_DATA_DIR") or ROOT / ".data") / "docs-site"
    return [str(BIN / "mkdocs"), "build", "--strict", "--quiet", "--clean", "--site-dir", str(site)]


def command_docs(args: list[str]) -> int:
    ensure_environment()
    port = "8001"
    if args[:1] == ["--port"] and len(args) > 1:
        port, args = args[1], args[2:]
    say(f"serving the documentation at http://127.0.0.1:{port}/ (Ctrl-C stops it)")
    return run_step("mkdocs serve", [str(BIN / "mkdocs"), "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}",
                                     *args])


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
    large = "--large" in args
    args = [arg for arg in args if arg != "--large"]
    with EmbeddedServices():
        code = run_step("benchmark every hot path beside a bare view",
                        [str(PYTHON), str(ROOT / "benchmarks" / "hot_paths.py"), *args])
        if code != 0 or not large:
            return code
        code = run_step("seed the benchmark directory", [str(PYTHON), str(ROOT / "benchmarks" / "seed_directory.py")])
        if code != 0:
            return code
        return run_step("benchmark GET /api/v1/users/", [str(PYTHON), str(ROOT / "benchmarks" / "api_list_users.py")])


COMMANDS = {
    "run": command_run,
    "test": command_test,
    "docs": command_docs,
    "lint": command_lint,
    "migrate": command_migrate,
    "bench": command_bench,
    "manage": command_manage,
}


def main(argv: list[str]) -> int:
    global VERBOSE
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if argv and argv[0] in {"-v", "--verbose"}:
        VERBOSE, argv = True, argv[1:]
    elif len(argv) > 1 and argv[0] == "run" and "--verbose" in argv:
        VERBOSE = True
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_terminated)
    if not argv or argv[0] in {"-h", "--help", "help"} or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr if argv and argv[0] not in {"-h", "--help", "help"} else sys.stdout)
        return 0 if argv and argv[0] in {"-h", "--help", "help"} else 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except Terminated as stop:
        say(f"stopped by {stop}")
        return 143
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
