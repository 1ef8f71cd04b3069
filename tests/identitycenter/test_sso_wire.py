"""SSO OIDC and the portal API on the wire, through botocore itself: a client registers and starts the device
flow, the person allows it in the portal, the token is written where botocore's SSO token provider reads it, and a
token lists the person's accounts and roles and gets role credentials from the portal API. Errors are parsed by botocore's REST-JSON parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from django.test import Client

from tests.identitycenter.test_portal import PASSWORD, setup  # noqa: F401 - the portal's fixture
from tests.identitycenter.test_sso_oidc import _allow_in_portal

pytestmark = pytest.mark.django_db(transaction=True)
REGION = "us-east-1"


def _unsigned(live_server, service: str):
    return boto3.session.Session().client(service, region_name=REGION, endpoint_url=live_server.url,
                                          config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


def _portal_api(access_token: str):
    """The portal API as botocore sends it, through Django's client: Django's development server and gunicorn
    drop header names with an underscore, such as the portal API's `x-amz-sso_bearer_token`."""
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
