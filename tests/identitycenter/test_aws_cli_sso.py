"""The AWS CLI v2 itself (Debian's 2.9 where installed) against gunicorn: `aws sso login --no-browser` prints the
page and code, the person allows it in the portal over HTTP, the CLI caches the token; `aws sts
get-caller-identity` is then the permission set's role. And `aws configure sso`, driven on a terminal, writes the
profile.

CLI 2.9 has no AWS_ENDPOINT_URL_* (2.13 added them): the test points it here the way any botocore reads its data,
with endpoint rule sets in ~/.aws/models that answer the directory's URL (docs/identity-center/sso-for-the-cli.md)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.identitycenter.portal_http import PortalBrowser
from tests.identitycenter.test_portal import PASSWORD, setup  # noqa: F401 - the portal's fixture
from tests.identitycenter.test_sso_login_command import sso_home
from tests.support.gunicorn import gunicorn

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]
# The services the CLI's SSO commands and the check call, with the API version of each model.
SERVICES = {"sso-oidc": "2019-06-10", "sso": "2019-06-10", "sts": "2011-06-15"}


def _aws_cli_v2() -> str | None:
    for candidate in dict.fromkeys(filter(None, [shutil.which("aws"), "/usr/bin/aws", "/usr/local/bin/aws"])):
        try:
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=60).stdout
        except OSError:
            continue
        if version.startswith("aws-cli/2."):
            return candidate
    return None


@pytest.fixture(scope="module")
def aws() -> str:
    found = _aws_cli_v2()
    if found is None:
        pytest.skip("AWS CLI v2 is not installed (Debian: apt-get install awscli; dev.py test installs it as root)")
    return found


@pytest.fixture
def web(setup, tmp_path):  # noqa: F811
    with gunicorn(tmp_path) as port:
        yield f"http://127.0.0.1:{port}"


def point_models_at(home: Path, url: str) -> None:
    """Endpoint rule sets that resolve each of these services to the directory, wherever the region says."""
    ruleset = {"version": "1.0", "parameters": {"Region": {"builtIn": "AWS::Region", "required": False,
                                                           "documentation": "The region.", "type": "String"}},
               "rules": [{"conditions": [], "type": "endpoint",
                          "endpoint": {"url": url, "properties": {}, "headers": {}}}]}
    for service, version in SERVICES.items():
        folder = home / ".aws" / "models" / service / version
        folder.mkdir(parents=True)
        (folder / "endpoint-rule-set-1.json").write_text(json.dumps(ruleset))


def cli_home(tmp_path: Path, url: str, account_id: str) -> dict[str, str]:
    environment = sso_home(tmp_path, url, account_id)
    point_models_at(Path(environment["HOME"]), url)
    environment["AWS_PAGER"] = ""
    return environment


def get_caller_identity(aws: str, environment: dict[str, str]) -> dict:
    done = subprocess.run([aws, "sts", "get-caller-identity", "--profile", "dev", "--output", "json"],
                          env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_aws_sso_login_without_a_browser_then_the_role(aws, web, setup, tmp_path):  # noqa: F811
    account_id = setup["team"].account.pk
    environment = cli_home(tmp_path, web, account_id)
    login = subprocess.Popen([aws, "sso", "login", "--no-browser", "--profile", "dev"], env=environment,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        shown = ""
        while not re.search(r"^[A-Z]{4}-[A-Z]{4}$", shown, re.MULTILINE):
            line = login.stdout.readline()
            assert line, login.stderr.read()
            shown += line
        user_code = re.search(r"^([A-Z]{4}-[A-Z]{4})$", shown, re.MULTILINE).group(1)
        assert f"{web}/start/device/" in shown
        PortalBrowser(web).allow_device(user_code, "ana", PASSWORD)
        out, err = login.communicate(timeout=120)
    finally:
        login.kill()
    assert login.returncode == 0, err
    assert f"Successfully logged into Start URL: {web}/start/" in out

    identity = get_caller_identity(aws, environment)
    assert identity["Account"] == account_id
    assert identity["Arn"].startswith(f"arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_ReadOnly_")
    assert identity["Arn"].endswith("/ana")


class Terminal:
    """A command on a pseudo-terminal (`aws configure sso` prompts through prompt_toolkit, which needs one)."""

    def __init__(self, command: list[str], environment: dict[str, str]) -> None:
        self.primary, secondary = pty.openpty()
        self.process = subprocess.Popen(command, env=environment, stdin=secondary, stdout=secondary,
                                        stderr=secondary, close_fds=True)
        os.close(secondary)
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.seen)
            if found:
                self.seen = self.seen[found.end():]
                return found
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {pattern!r}; the terminal shows:\n{self.seen[-2000:]}"
            if select.select([self.primary], [], [], min(left, 1))[0]:
                try:
                    chunk = os.read(self.primary, 4096)
                except OSError:  # the command ended and closed its terminal
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    raise AssertionError(f"the command ended while waiting for {pattern!r}:\n{self.seen[-2000:]}")
                self.seen += chunk.decode(errors="replace")

    def answer(self, text: str) -> None:
        os.write(self.primary, text.encode() + b"\r")

    def close(self) -> int:
        try:
            return self.process.wait(timeout=30)
        finally:
            self.process.kill()
            os.close(self.primary)


def test_aws_configure_sso_writes_a_profile_that_becomes_the_role(aws, web, setup, tmp_path):  # noqa: F811
    account_id = setup["team"].account.pk
    environment = {**cli_home(tmp_path, web, account_id), "TERM": "dumb"}
    (Path(environment["HOME"]) / ".aws" / "config").write_text("")  # everything from the prompts
    terminal = Terminal([aws, "configure", "sso", "--no-browser", "--profile", "dev"], environment)
    try:
        terminal.expect(r"SSO session name[^\n]*: ")
        terminal.answer("corp")
        terminal.expect(r"SSO start URL[^\n]*: ")
        terminal.answer(f"{web}/start/")
        terminal.expect(r"SSO region[^\n]*: ")
        terminal.answer("us-east-1")
        terminal.expect(r"SSO registration scopes[^\n]*: ")
        terminal.answer("sso:account:access")
        user_code = terminal.expect(r"\n([A-Z]{4}-[A-Z]{4})\r?\n").group(1)
        PortalBrowser(web).allow_device(user_code, "ana", PASSWORD)
        terminal.expect(rf"The only AWS account available to you is: {account_id}")
        terminal.expect(r'Using the role name "ReadOnly"')
        terminal.expect(r"CLI default client Region[^\n]*: ")
        terminal.answer("us-east-1")
        terminal.expect(r"CLI default output format[^\n]*: ")
        terminal.answer("json")
        terminal.expect(r"aws s3 ls --profile dev")
    finally:
        code = terminal.close()
    assert code == 0
    written = (Path(environment["HOME"]) / ".aws" / "config").read_text()
    assert f"sso_account_id = {account_id}" in written and "sso_role_name = ReadOnly" in written

    identity = get_caller_identity(aws, environment)
    assert identity["Arn"].startswith(f"arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_ReadOnly_")
