"""After a full workflow, no password or access key secret is in a log line, an audit event or the database."""

import logging

import pytest
from django.apps import apps

from audit.models import AuditEvent
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
