"""SCIM bearer tokens through the REST API: shown once, stored as a digest, audited without the secret, revoked,
at most two at a time, and issued only by a caller whose policies allow sso-directory:CreateBearerToken."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps

from audit.models import AuditEvent
from tests.scim.conftest import ScimClient

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/identity-store/scim-tokens/"


def _everything_stored() -> str:
    return "\n".join(str(row) for model in apps.get_models() for row in model.objects.values_list())


def test_a_token_is_shown_once_works_and_leaves_no_trace(root_api, caplog):
    caplog.set_level(logging.DEBUG)
    issued = root_api.post(TOKENS, {})
    assert issued.status_code == 201, issued.content
    bearer, token_id = issued.json()["bearer_token"], issued.json()["scim_token"]["token_id"]
    assert ScimClient(bearer).get("Users").status_code == 200
    listed = root_api.get(TOKENS)
    assert listed.json()["identity_store_id"].startswith("d-")
    assert listed.json()["scim_endpoint"].endswith("/scim/v2/")
    assert [token["token_id"] for token in listed.json()["scim_tokens"]] == [token_id]
    assert bearer.encode() not in listed.content
    assert bearer not in _everything_stored() and bearer not in caplog.text
    assert AuditEvent.objects.filter(event_name="CreateBearerToken", event_source="sso-directory.amazonaws.com",
                                     response_elements__BearerId=token_id).exists()
    assert root_api.delete(f"{TOKENS}{token_id}/").status_code == 204
    assert ScimClient(bearer).get("Users").status_code == 401
    assert AuditEvent.objects.filter(event_name="DeleteBearerToken", request_parameters__bearer_id=token_id).exists()


def test_two_tokens_at_a_time(root_api):
    assert root_api.post(TOKENS, {}).status_code == 201
    assert root_api.post(TOKENS, {}).status_code == 201
    third = root_api.post(TOKENS, {})
    assert third.status_code == 409 and third.json()["error"]["code"] == "ServiceQuotaExceededException"


def test_a_user_without_the_permission_cannot_issue_and_a_member_account_has_no_store(user_api, make_account):
    refused = user_api("nobody")[1].post(TOKENS, {})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "AccessDenied"
    admin = make_account("Member").make_user("admin", access_key=True,
                                             policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    from tests.support.signing import SignedClient

    answer = SignedClient(*admin.test_access_key).post(TOKENS, {})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "ResourceNotFoundException"
