"""SSO OIDC and the portal API as services, and the device verification page: a registered client's device code is
pending until the person allows it in the portal, is throttled, single-use and expiring; its token lists the
person's accounts and roles and gets role credentials; refresh tokens are good once; Logout and deprovisioning end
the token."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from iam_console.errors import ExpiredToken
from identitycenter.models import DeviceAuthorization
from identitycenter.services import oidc, portal
from identitystore.services import users
from identitystore.services.store import identity_store_of
from sts.services import session_principal
from tests.identitycenter.test_portal import PASSWORD, setup, signed_in  # noqa: F401 - the portal's fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_app():
    return oidc.register_client(client_name="botocore-client-test", client_type="public")


def _device(client_app):
    return oidc.start_device_authorization(client_id=client_app.client.client_id,
                                           client_secret=client_app.client_secret,
                                           start_url="http://testserver/start/")


def _poll(client_app, device_code):
    return oidc.create_token(client_id=client_app.client.client_id, client_secret=client_app.client_secret,
                             grant_type=oidc.GRANT_DEVICE, device_code=device_code)


def _allow_in_portal(user_code: str) -> None:
    browser = Client()
    first = browser.get(f"/start/device/?user_code={user_code}")
    assert first.status_code == 302 and first["Location"].startswith("/start/?next=")
    signed = browser.post("/start/", {"user_name": "ana", "password": PASSWORD,
                                      "next": f"/start/device/?user_code={user_code}"})
    assert signed["Location"] == f"/start/device/?user_code={user_code}"
    page = browser.get(signed["Location"])
    assert b"botocore-client-test" in page.content
    assert b"device-approved" in browser.post("/start/device/", {"user_code": user_code}).content


def test_the_device_flow_from_pending_to_credentials(setup, client_app):  # noqa: F811
    started = _device(client_app)
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", started.authorization.user_code)
    with pytest.raises(oidc.AuthorizationPendingException):
        _poll(client_app, started.device_code)
    with pytest.raises(oidc.SlowDownException):
        _poll(client_app, started.device_code)  # again within the interval
    _allow_in_portal(started.authorization.user_code)
    issued = _poll(client_app, started.device_code)
    assert issued.access_token and issued.refresh_token and 0 < issued.expires_in <= 8 * 3600
    with pytest.raises(oidc.InvalidGrantException):
        _poll(client_app, started.device_code)  # a device code is good once

    account_id = setup["team"].account.pk
    assert [a.account.pk for a in oidc.list_accounts(access_token=issued.access_token).items] == [account_id]
    roles = oidc.list_account_roles(access_token=issued.access_token, account_id=account_id)
    assert [a.permission_set.name for a in roles.items] == ["ReadOnly"]
    granted = oidc.get_role_credentials(access_token=issued.access_token, account_id=account_id,
                                        role_name="ReadOnly")
    assert session_principal(granted.assumed.access_key_id).account_id == account_id
    with pytest.raises(portal.AccessDeniedException):
        oidc.get_role_credentials(access_token=issued.access_token, account_id=account_id, role_name="Admin")

    refreshed = oidc.create_token(client_id=client_app.client.client_id, client_secret=client_app.client_secret,
                                  grant_type="refresh_token", refresh_token=issued.refresh_token)
    assert oidc.list_accounts(access_token=refreshed.access_token).items
    with pytest.raises(oidc.InvalidGrantException):
        oidc.create_token(client_id=client_app.client.client_id, client_secret=client_app.client_secret,
                          grant_type="refresh_token", refresh_token=issued.refresh_token)

    oidc.logout(access_token=refreshed.access_token)
    with pytest.raises(oidc.UnauthorizedException):
        oidc.list_accounts(access_token=refreshed.access_token)


def test_device_codes_expire_and_wrong_clients_are_refused(setup, client_app):  # noqa: F811
    started = _device(client_app)
    DeviceAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(oidc.ExpiredTokenException):
        _poll(client_app, started.device_code)
    with pytest.raises(oidc.InvalidClientException):
        oidc.start_device_authorization(client_id=client_app.client.client_id, client_secret="wrong",
                                        start_url="http://testserver/start/")
    with pytest.raises(oidc.UnsupportedGrantTypeException):
        oidc.create_token(client_id=client_app.client.client_id, client_secret=client_app.client_secret,
                          grant_type="password")
    assert b"device-error" in signed_in().post("/start/device/", {"user_code": started.authorization.user_code}
                                               ).content


def test_the_authorization_code_grant_checks_pkce(setup, client_app):  # noqa: F811
    session = portal.live_session(signed_in().session[portal_key()])
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = oidc.AuthorizationCode.make(client_app.client, session, "http://127.0.0.1:9999/", challenge)
    wrong = oidc.AuthorizationCode.make(client_app.client, session, "http://127.0.0.1:9999/", challenge)
    with pytest.raises(oidc.InvalidGrantException):
        oidc.create_token(client_id=client_app.client.client_id, client_secret=client_app.client_secret,
                          grant_type="authorization_code", code=wrong, code_verifier="x" * 64,
                          redirect_uri="http://127.0.0.1:9999/")
    issued = oidc.create_token(client_id=client_app.client.client_id, client_secret=client_app.client_secret,
                               grant_type="authorization_code", code=code, code_verifier=verifier,
                               redirect_uri="http://127.0.0.1:9999/")
    assert oidc.list_accounts(access_token=issued.access_token).items


def portal_key() -> str:
    from iam_console.console.views_portal import PORTAL_SESSION_KEY

    return PORTAL_SESSION_KEY


def test_deprovisioning_ends_the_token_and_its_credentials(setup, client_app, root_caller):  # noqa: F811
    started = _device(client_app)
    _allow_in_portal(started.authorization.user_code)
    issued = _poll(client_app, started.device_code)
    granted = oidc.get_role_credentials(access_token=issued.access_token, account_id=setup["team"].account.pk,
                                        role_name="ReadOnly")
    store = identity_store_of(root_caller.account_id)
    users.update_user(caller=root_caller, identity_store_id=store.id, user_id=setup["ana"],
                      operations=[{"AttributePath": "UserStatus", "AttributeValue": "DISABLED"}])
    with pytest.raises(oidc.UnauthorizedException):
        oidc.list_accounts(access_token=issued.access_token)
    with pytest.raises(ExpiredToken):
        session_principal(granted.assumed.access_key_id)
