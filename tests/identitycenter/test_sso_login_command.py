"""`iam-directory sso login` end to end against gunicorn: the command reads the profile's sso-session, registers,
prints the page and code, polls CreateToken while the person allows the code in the portal over HTTP, and writes
botocore's SSO token cache; boto3 then uses the profile as the permission set's role."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.identitycenter.portal_http import PortalBrowser
from tests.identitycenter.test_portal import PASSWORD, setup  # noqa: F401 - the portal's fixture
from tests.support.gunicorn import gunicorn

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]
CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"
REGION = "us-east-1"


@pytest.fixture
def web(setup, tmp_path):  # noqa: F811
    with gunicorn(tmp_path) as port:
        yield f"http://127.0.0.1:{port}"


def sso_home(tmp_path: Path, url: str, account_id: str, *, session: str = "corp") -> dict[str, str]:
    """A home with an sso-session profile `dev` for the permission set ReadOnly, and the environment pointing every
    AWS client at the directory."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(
        f"[profile dev]\nsso_session = {session}\nsso_account_id = {account_id}\nsso_role_name = ReadOnly\n"
        f"region = {REGION}\n\n[sso-session {session}]\nsso_start_url = {url}/start/\nsso_region = {REGION}\n"
        "sso_registration_scopes = sso:account:access\n")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("AWS_") and key not in ("PYTHONPATH",)}
    environment.update({"HOME": str(home), "AWS_ENDPOINT_URL_SSO": url, "AWS_ENDPOINT_URL_SSO_OIDC": url,
                        "AWS_ENDPOINT_URL_STS": url, "AWS_EC2_METADATA_DISABLED": "true"})
    return environment


def caller_identity(environment: dict[str, str]) -> dict:
    found = subprocess.run(
        [sys.executable, "-c", "import boto3, json; print(json.dumps(boto3.Session(profile_name='dev')"
                               ".client('sts').get_caller_identity()))"],
        env=environment, capture_output=True, text=True, timeout=60)
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout)


def run_login(web: str, environment: dict[str, str]) -> str:
    """`iam-directory sso login --profile dev`, the person allowing its code in the portal over HTTP; its output."""
    command = subprocess.Popen([sys.executable, "-m", "iam_directory_client", "sso", "login", "--profile", "dev"],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        shown = ""
        while "Code:" not in shown:
            line = command.stdout.readline()
            assert line, command.stderr.read()
            shown += line
        user_code = re.search(r"Code: ([A-Z]{4}-[A-Z]{4})", shown).group(1)
        assert f"{web}/start/device/?user_code={user_code}" in shown
        PortalBrowser(web).allow_device(user_code, "ana", PASSWORD)
        out, err = command.communicate(timeout=60)
    finally:
        command.kill()
    assert command.returncode == 0, err
    return out


def test_sso_login_writes_the_token_botocore_reads_and_boto3_becomes_the_role(web, setup, tmp_path):  # noqa: F811
    account_id = setup["team"].account.pk
    environment = sso_home(tmp_path, web, account_id)
    environment["PYTHONPATH"] = str(CLIENT_SRC)
    assert "Signed in." in run_login(web, environment)

    cache_file = Path(environment["HOME"]) / ".aws" / "sso" / "cache" / \
        f"{hashlib.sha1(b'corp').hexdigest()}.json"  # noqa: S324 - botocore's key
    cached = json.loads(cache_file.read_text())
    assert set(cached) == {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                           "registrationExpiresAt", "refreshToken"}
    assert cached["startUrl"] == f"{web}/start/" and cached["region"] == REGION
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cached["expiresAt"])

    identity = caller_identity(environment)
    assert identity["Account"] == account_id
    assert identity["Arn"].startswith(f"arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_ReadOnly_")
    assert identity["Arn"].endswith("/ana")

    # Signing in again reuses the cached client registration, with a new token.
    run_login(web, environment)
    again = json.loads(cache_file.read_text())
    assert again["clientId"] == cached["clientId"] and again["accessToken"] != cached["accessToken"]


def test_sso_login_refuses_a_profile_without_an_sso_session(tmp_path):
    environment = sso_home(tmp_path, "http://127.0.0.1:9", "123456789012")
    environment["PYTHONPATH"] = str(CLIENT_SRC)
    (Path(environment["HOME"]) / ".aws" / "config").write_text("[profile plain]\nregion = us-east-1\n")
    done = subprocess.run([sys.executable, "-m", "iam_directory_client", "sso", "login", "--profile", "plain"],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and 'The profile "plain" has no sso_session' in done.stderr
