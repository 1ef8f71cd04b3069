"""SSO OIDC and the portal API on the wire, through botocore itself: a client registers and starts the device
flow, the person allows it in the portal, the token is written where botocore's SSO token provider reads it, and a
token lists the person's accounts and roles and gets role credentials from the portal API, and botocore's own SSO
credential provider turns a profile with an `sso_session` into the permission set's role. Errors are parsed by botocore's REST-JSON parser."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import boto3
import botocore.credentials
import botocore.tokens
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from django.test import Client
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler

from tests.identitycenter.conftest import finish
from tests.identitycenter.test_portal import PASSWORD, setup  # noqa: F401 - the portal's fixture
from tests.identitycenter.test_sso_oidc import _allow_in_portal

pytestmark = pytest.mark.django_db(transaction=True)
REGION = "us-east-1"


class _BearerHeaderKept(QuietWSGIRequestHandler):
    """Django's server, passing on the one header name with underscores the portal API needs, as the project's
    gunicorn workers do (test_sso_on_gunicorn.py runs those)."""

    def get_environ(self):
        token = self.headers.get("x-amz-sso_bearer_token")
        environ = super().get_environ()
        if token is not None:
            environ["HTTP_X_AMZ_SSO_BEARER_TOKEN"] = token
        return environ


class _BearerServerThread(LiveServerThread):
    def _create_server(self, connections_override=None):
        return self.server_class((self.host, self.port), _BearerHeaderKept, allow_reuse_address=False,
                                 connections_override=connections_override)


@pytest.fixture
def bearer_server(transactional_db):
    thread = _BearerServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield SimpleNamespace(url=f"http://127.0.0.1:{thread.port}")
    thread.terminate()


def _unsigned(live_server, service: str):
    return boto3.session.Session().client(service, region_name=REGION, endpoint_url=live_server.url,
                                          config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


def _portal_api(access_token: str):
    """The portal API as botocore sends it (`x-amz-sso_bearer_token`), through Django's client."""
    browser = Client()

    def call(method: str, path: str, status: int = 200) -> dict:
        response = browser.generic(method, path, headers={"x-amz-sso_bearer_token": access_token})
        assert response.status_code == status, response.content
        assert status == 200 or response["x-amzn-ErrorType"] == response.json()["__type"]
        return response.json()
    return call


def _device_flow(live_server) -> dict:
    oidc = _unsigned(live_server, "sso-oidc")
    registered = oidc.register_client(clientName="botocore-client-test", clientType="public")
    start_url = f"{live_server.url}/start/"
    started = oidc.start_device_authorization(clientId=registered["clientId"],
                                              clientSecret=registered["clientSecret"], startUrl=start_url)
    assert started["verificationUriComplete"].endswith(f"/start/device/?user_code={started['userCode']}")
    with pytest.raises(ClientError) as pending:
        oidc.create_token(clientId=registered["clientId"], clientSecret=registered["clientSecret"],
                          grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=started["deviceCode"])
    assert pending.value.response["Error"]["Code"] == "AuthorizationPendingException"
    assert pending.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    _allow_in_portal(started["userCode"])
    token = oidc.create_token(clientId=registered["clientId"], clientSecret=registered["clientSecret"],
                              grantType="urn:ietf:params:oauth:grant-type:device_code",
                              deviceCode=started["deviceCode"])
    assert token["tokenType"] == "Bearer" and token["expiresIn"] > 0
    return {"registered": registered, "token": token, "start_url": start_url}


def test_a_profile_with_an_sso_session_gets_the_permission_sets_role(setup, bearer_server, tmp_path,  # noqa: F811
                                                                      monkeypatch):
    live_server = bearer_server
    flow = _device_flow(live_server)
    account_id = setup["team"].account.pk
    (tmp_path / "config").write_text(
        f"[profile dev]\nsso_session = corp\nsso_account_id = {account_id}\nsso_role_name = ReadOnly\n"
        f"region = {REGION}\n\n[sso-session corp]\nsso_start_url = {flow['start_url']}\nsso_region = {REGION}\n"
        "sso_registration_scopes = sso:account:access\n")
    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    now = datetime.now(UTC)
    (cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(json.dumps({  # noqa: S324 - botocore's key
        "startUrl": flow["start_url"], "region": REGION, "accessToken": flow["token"]["accessToken"],
        "expiresAt": (now + timedelta(seconds=flow["token"]["expiresIn"])).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "refreshToken": flow["token"]["refreshToken"], "clientId": flow["registered"]["clientId"],
        "clientSecret": flow["registered"]["clientSecret"],
        "registrationExpiresAt": (now + timedelta(days=80)).strftime("%Y-%m-%dT%H:%M:%SZ")}))
    for name, value in {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                        "AWS_ENDPOINT_URL_SSO": live_server.url, "AWS_ENDPOINT_URL_SSO_OIDC": live_server.url,
                        "AWS_ENDPOINT_URL_STS": live_server.url}.items():
        monkeypatch.setenv(name, value)
    # botocore fixes its ~/.aws/sso/cache at import: pointed at this test's home the way HOME would have.
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)

    identity = boto3.Session(profile_name="dev").client("sts").get_caller_identity()
    assert identity["Account"] == account_id
    assert identity["Arn"].startswith(f"arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_ReadOnly_")
    assert identity["Arn"].endswith("/ana")


def test_the_portal_api_lists_and_refuses_as_botocore_expects(setup, live_server):  # noqa: F811
    access_token = _device_flow(live_server)["token"]["accessToken"]
    account_id = setup["team"].account.pk
    sso = _portal_api(access_token)
    assert [a["accountId"] for a in sso("GET", "/assignment/accounts")["accountList"]] == [account_id]
    roles = sso("GET", f"/assignment/roles?account_id={account_id}")["roleList"]
    assert [r["accountId"] for r in roles] == [account_id]
    credentials = sso("GET", f"/federation/credentials?account_id={account_id}&role_name=ReadOnly")[
        "roleCredentials"]
    expires = datetime.fromtimestamp(credentials["expiration"] / 1000, UTC)  # epoch milliseconds
    assert timedelta(hours=1) < expires - datetime.now(UTC) <= timedelta(hours=2, minutes=1)
    denied = sso("GET", f"/federation/credentials?account_id={account_id}&role_name=Admin", status=403)
    assert denied["__type"] == "ForbiddenException"
    sso("POST", "/logout")
    assert sso("GET", "/assignment/accounts", status=401)["__type"] == "UnauthorizedException"
    assert sso("GET", "/assignment/roles", status=400)["__type"] == "InvalidRequestException"  # no account_id
    with pytest.raises(ClientError) as invalid:
        _unsigned(live_server, "sso-oidc").register_client(clientName="x", clientType="confidential")
    assert invalid.value.response["Error"]["Code"] == "InvalidClientMetadataException"


@pytest.fixture
def many(setup, sso, instance_arn, make_account):  # noqa: F811
    """ana's group also holds ReadOnly in two more accounts, and two more permission sets in Team."""
    group = sso("ListAccountAssignments", InstanceArn=instance_arn, AccountId=setup["team"].account.pk,
                PermissionSetArn=_permission_set(sso, instance_arn, "ReadOnly"))["AccountAssignments"][0]["PrincipalId"]

    def assign(account_id: str, permission_set: str) -> None:
        status = sso("CreateAccountAssignment", InstanceArn=instance_arn, TargetId=account_id,
                     TargetType="AWS_ACCOUNT", PermissionSetArn=permission_set, PrincipalType="GROUP",
                     PrincipalId=group)["AccountAssignmentCreationStatus"]
        assert finish(status) == "SUCCEEDED"

    accounts = [setup["team"].account.pk]
    for name in ("Team B", "Team C"):
        account_id = make_account(name).account.pk
        assign(account_id, _permission_set(sso, instance_arn, "ReadOnly"))
        accounts.append(account_id)
    for name in ("Audit", "Deploy"):
        made = sso("CreatePermissionSet", InstanceArn=instance_arn, Name=name)["PermissionSet"]["PermissionSetArn"]
        assign(setup["team"].account.pk, made)
    return accounts


def _permission_set(sso, instance_arn: str, name: str) -> str:  # noqa: F811
    for arn in sso("ListPermissionSets", InstanceArn=instance_arn)["PermissionSets"]:
        if sso("DescribePermissionSet", InstanceArn=instance_arn, PermissionSetArn=arn)["PermissionSet"]["Name"] == name:
            return arn
    raise LookupError(name)


def test_the_portal_api_pages_with_opaque_tokens_and_boto3_paginators(many, bearer_server):
    access_token = _device_flow(bearer_server)["token"]["accessToken"]
    sso = _unsigned(bearer_server, "sso")
    first = sso.list_accounts(accessToken=access_token, maxResults=2)
    assert [a["accountId"] for a in first["accountList"]] == many[:2] and first["nextToken"]
    second = sso.list_accounts(accessToken=access_token, maxResults=2, nextToken=first["nextToken"])
    assert [a["accountId"] for a in second["accountList"]] == many[2:] and "nextToken" not in second
    assert [a["accountId"] for page in sso.get_paginator("list_accounts").paginate(
        accessToken=access_token, PaginationConfig={"PageSize": 1}) for a in page["accountList"]] == many

    pages = list(sso.get_paginator("list_account_roles").paginate(
        accessToken=access_token, accountId=many[0], PaginationConfig={"PageSize": 1}))
    assert len(pages) == 3
    assert [r["roleName"] for page in pages for r in page["roleList"]] == ["Audit", "Deploy", "ReadOnly"]
    # A token is good for the list it came from, only as handed out; maxResults stays within the model's 1 to 100.
    roles_token = sso.list_account_roles(accessToken=access_token, accountId=many[0], maxResults=1)["nextToken"]
    for call in (lambda: sso.list_accounts(accessToken=access_token, nextToken=first["nextToken"] + "x"),
                 lambda: sso.list_accounts(accessToken=access_token, nextToken="not-a-token"),
                 lambda: sso.list_accounts(accessToken=access_token, nextToken=roles_token),
                 lambda: sso.list_account_roles(accessToken=access_token, accountId=many[1], nextToken=roles_token),
                 lambda: sso.list_accounts(accessToken=access_token, maxResults=101)):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
