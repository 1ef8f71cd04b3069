"""The portal API behind gunicorn as production serves it: botocore's `sso` client sends its access token as
`x-amz-sso_bearer_token`, a header name with an underscore, which gunicorn drops unless told. The project's workers
keep exactly that name, and still drop every other: `X_Forwarded_For` never joins X-Forwarded-For."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from audit.models import AuditEvent
from tests.identitycenter.test_portal import PASSWORD, setup  # noqa: F401 - the portal's fixture
from tests.identitycenter.test_sso_oidc import _allow_in_portal
from tests.support.gunicorn import gunicorn, send

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]
REGION = "us-east-1"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(params=[1, 2], ids=["sync-worker", "threaded-worker"])
def web(request, setup, tmp_path):  # noqa: F811
    # One trusted proxy: the client's address is the last hop of X-Forwarded-For, so a merged header would show.
    with gunicorn(tmp_path, threads=request.param, env={"IAM_TRUSTED_PROXIES": "1"}) as port:
        yield f"http://127.0.0.1:{port}"


def _client(url: str, service: str):
    return boto3.session.Session().client(service, region_name=REGION, endpoint_url=url,
                                          config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


def _access_token(url: str) -> str:
    oidc = _client(url, "sso-oidc")
    registered = oidc.register_client(clientName="botocore-client-test", clientType="public")
    started = oidc.start_device_authorization(clientId=registered["clientId"],
                                              clientSecret=registered["clientSecret"], startUrl=f"{url}/start/")
    _allow_in_portal(started["userCode"])
    return oidc.create_token(clientId=registered["clientId"], clientSecret=registered["clientSecret"],
                             grantType=DEVICE_GRANT, deviceCode=started["deviceCode"])["accessToken"]


def test_botocore_lists_the_accounts_of_a_token_through_gunicorn(web, setup):  # noqa: F811
    sso = _client(web, "sso")
    token = _access_token(web)
    accounts = sso.list_accounts(accessToken=token)["accountList"]
    assert [a["accountId"] for a in accounts] == [setup["team"].account.pk]
    with pytest.raises(ClientError) as refused:
        sso.list_accounts(accessToken=token + "x")
    assert refused.value.response["Error"]["Code"] == "UnauthorizedException"


def test_only_the_underscored_name_carries_the_token(web, setup):  # noqa: F811
    token = _access_token(web)
    # The look-alike with hyphens is not the portal API's header: dropped, so the token is missing.
    status, _, body = send(int(web.rsplit(":", 1)[1]), "GET", "/assignment/accounts",
                           headers={"Host": "localhost", "x-amz-sso-bearer-token": token})
    assert (status, json.loads(body)["__type"]) == (401, "UnauthorizedException")


def test_an_underscored_x_forwarded_for_is_still_dropped(web, setup):  # noqa: F811
    token = _access_token(web)
    account_id = setup["team"].account.pk
    status, _, body = send(int(web.rsplit(":", 1)[1]), "GET",
                           f"/federation/credentials?account_id={account_id}&role_name=ReadOnly",
                           headers={"Host": "localhost", "x-amz-sso_bearer_token": token,
                                    "X-Forwarded-For": "198.51.100.7", "X_Forwarded_For": "203.0.113.9"})
    assert status == 200, body
    event = AuditEvent.objects.filter(event_name="GetRoleCredentials").latest("event_time")
    assert event.source_ip == "198.51.100.7"
