"""After a full workflow, no password or access key secret is in a log line, an audit event or the database."""

import logging

import pytest
from django.apps import apps

from audit.models import AuditEvent
from tests.identitycenter.conftest import instance_arn, people, sso  # noqa: F401 - the portal fixture's own
from tests.identitycenter.test_portal import setup  # noqa: F401 - the portal's fixture
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db

PASSWORD = "Known-Passw0rd-7391!"
NEW_PASSWORD = "Changed-Passw0rd-5523!"


def _everything_stored() -> str:
    """Every row of every table, as text: what a database dump would reveal."""
    dump = []
    for model in apps.get_models():
        dump.extend(str(row) for row in model.objects.values_list())
    return "\n".join(dump)


def test_secrets_appear_nowhere_after_a_full_workflow(root_api, caplog):
    caplog.set_level(logging.DEBUG)
    assert root_api.post("/api/v1/users/", {"user_name": "alice"}).status_code == 201
    assert root_api.post("/api/v1/users/alice/login-profile/", {"password": PASSWORD}).status_code == 201
    created = root_api.post("/api/v1/users/alice/access-keys/", {}).json()
    key_id, secret = created["access_key"]["access_key_id"], created["access_key"]["secret_access_key"]
    assert root_api.post("/api/v1/users/alice/attached-policies/",
                         {"policy_arn": "arn:aws:iam::aws:policy/IAMUserChangePassword"}).status_code == 204
    alice = SignedClient(key_id, secret)
    changed = alice.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code in (200, 204), changed.content
    # A wrong old password and a weak new one: failures are audited too, still without the values.
    alice.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "weak"})
    SignedClient(key_id, "wrong" + secret[5:]).get("/api/v1/me/")

    secrets = [PASSWORD, NEW_PASSWORD, secret]
    audit_text = "\n".join(str(row) for row in AuditEvent.objects.values_list())
    assert AuditEvent.objects.filter(event_name="ChangePassword").count() == 2
    stored = _everything_stored()
    for value in secrets:
        assert value not in caplog.text
        assert value not in audit_text
        assert value not in stored


def _json_post(client, path: str, body: dict, **headers) -> dict:
    import json

    response = client.post(path, json.dumps(body), content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_workforce_secrets_are_stored_hashed_and_appear_nowhere(setup, root_caller, caplog):  # noqa: F811
    """The secrets of Identity Center, row by row: each is shown once and then only its digest (or a sealed seed)
    is kept; none reaches a log line, an audit event or the database in the clear."""
    import re

    from django.test import Client

    from directory.mfa import totp
    from directory.mfa.requirement import update_mfa_requirement
    from identitystore.services.scim_tokens import issue_scim_token
    from tests.identitycenter.test_portal import PASSWORD as PORTAL_PASSWORD
    from tests.identitycenter.test_portal_mfa import _seed

    caplog.set_level(logging.DEBUG)
    update_mfa_requirement(caller=root_caller, scope="All")
    scim_token = issue_scim_token(caller=root_caller).bearer
    assert Client().get("/scim/v2/Users", headers={"Authorization": f"Bearer {scim_token}"}).status_code == 200
    assert Client().get("/scim/v2/Users", headers={"Authorization": f"Bearer {scim_token}x"}).status_code == 401

    browser = Client()
    assert browser.post("/start/", {"user_name": "ana", "password": PORTAL_PASSWORD})["Location"] == "/start/mfa/"
    assert browser.post("/start/", {"user_name": "ana", "password": PORTAL_PASSWORD + "x"}).status_code == 401
    seed = _seed(browser.get("/start/mfa/").content.decode())
    mfa_code = totp.code_at(seed, totp.current_step())
    assert browser.post("/start/mfa/", {"code": mfa_code}).status_code == 302

    door = Client()
    registered = _json_post(door, "/client/register", {"clientName": "census", "clientType": "public"})
    client = {"clientId": registered["clientId"], "clientSecret": registered["clientSecret"]}
    started = _json_post(door, "/device_authorization", {**client, "startUrl": "http://testserver/start/"})
    assert b"device-approved" in browser.post("/start/device/", {"user_code": started["userCode"]}).content
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    token = _json_post(door, "/token", {**client, "grantType": grant, "deviceCode": started["deviceCode"]})
    refreshed = _json_post(door, "/token", {**client, "grantType": "refresh_token",
                                            "refreshToken": token["refreshToken"]})
    accounts = door.get("/assignment/accounts", headers={"x-amz-sso_bearer_token": refreshed["accessToken"]})
    assert accounts.status_code == 200
    assert door.get("/assignment/accounts", headers={"x-amz-sso_bearer_token": token["accessToken"][:-1]}) \
        .status_code == 401

    rows = {
        "invitation link token": setup["token"],
        "portal password": PORTAL_PASSWORD,
        "portal MFA seed": re.sub("=", "", __import__("base64").b32encode(seed).decode()),
        "SCIM bearer token": scim_token,
        "OIDC client secret": registered["clientSecret"],
        "device code": started["deviceCode"],
        "access token": token["accessToken"],
        "refresh token": token["refreshToken"],
        "refreshed access token": refreshed["accessToken"],
        "refreshed refresh token": refreshed["refreshToken"],
    }
    audit_text = "\n".join(str(row) for row in AuditEvent.objects.values_list())
    assert AuditEvent.objects.filter(event_name="Authenticate").exists()
    stored = _everything_stored()
    for name, value in rows.items():
        # The secret part of a prefixed token (`scim-<id>.<secret>`): its id may be stored, its secret never.
        secret = value.rsplit(".", 1)[-1]
        assert len(secret) >= 16, name  # long enough that finding it by chance is impossible
        assert secret not in caplog.text, f"{name} is in a log line"
        assert secret not in audit_text, f"{name} is in an audit event"
        assert secret not in stored, f"{name} is stored in the clear"
