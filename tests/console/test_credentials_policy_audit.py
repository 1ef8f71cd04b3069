"""Self-service access keys, the password policy form, the audit viewer, groups, and security headers."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.credentials import derive_secret_access_key
from directory.models import AccessKey, Group, PasswordPolicy
from directory.services import groups
from tests.conftest import SELF_SERVICE
from tests.console.conftest import USER_PASSWORD

pytestmark = pytest.mark.django_db


def test_user_creates_an_access_key_and_sees_the_secret_once_after_the_redirect(user_console):
    user, client = user_console(policies=SELF_SERVICE)
    created = client.post("/my/security-credentials/", {"action": "create"})
    assert created.status_code == 302 and created.url == "/my/security-credentials/"
    response = client.get(created.url)
    assert response.status_code == 200
    key = AccessKey.objects.get(user=user)
    secret = derive_secret_access_key(key.access_key_id, key.secret_nonce)
    body = response.content.decode()
    assert secret in body and key.access_key_id in body
    assert f'data-csv-row="{key.access_key_id},{secret}"' in body
    assert 'data-csv-header="Access key ID,Secret access key"' in body
    assert "no-store" in response["Cache-Control"]
    assert secret not in client.get("/my/security-credentials/").content.decode()
    assert secret not in str(list(AuditEvent.objects.values_list("request_parameters", "response_elements")))


def test_third_access_key_is_refused_with_limit_exceeded(user_console):
    user, client = user_console(policies=SELF_SERVICE)
    client.post("/my/security-credentials/", {"action": "create"})
    client.post("/my/security-credentials/", {"action": "create"})
    response = client.post("/my/security-credentials/", {"action": "create"}, follow=True)
    assert "Cannot exceed quota for AccessKeysPerUser: 2" in response.content.decode()
    assert AccessKey.objects.filter(user=user).count() == 2


def test_user_deactivates_activates_and_deletes_own_key(user_console):
    user, client = user_console(access_key=True, policies=SELF_SERVICE)
    key_id = user.test_access_key[0]
    client.post("/my/security-credentials/", {"action": "Inactive", "access_key_id": key_id})
    assert AccessKey.objects.get(access_key_id=key_id).status == "Inactive"
    client.post("/my/security-credentials/", {"action": "Active", "access_key_id": key_id})
    assert AccessKey.objects.get(access_key_id=key_id).status == "Active"
    client.post("/my/security-credentials/", {"action": "delete", "access_key_id": key_id})
    assert not AccessKey.objects.filter(access_key_id=key_id).exists()


def test_user_cannot_touch_another_users_key(user_console, make_user):
    other = make_user("bob", access_key=True)
    _, client = user_console(policies=SELF_SERVICE)
    response = client.post("/my/security-credentials/", {"action": "delete", "access_key_id": other.test_access_key[0]},
                           follow=True)
    assert "cannot be found" in response.content.decode()
    assert AccessKey.objects.filter(access_key_id=other.test_access_key[0]).exists()


def test_user_changes_own_password_on_the_credentials_page(user_console):
    user, client = user_console(policies=SELF_SERVICE)
    response = client.post("/my/security-credentials/", {"action": "change_password", "old_password": USER_PASSWORD,
                                                          "new_password": "Fresh-Passw0rd!",
                                                          "confirm_password": "Fresh-Passw0rd!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Fresh-Passw0rd!")


def test_password_policy_form_saves_every_setting(root_console):
    response = root_console.post("/account/password-policy/", {
        "mode": "custom", "minimum_password_length": "14", "require_symbols": "on", "require_numbers": "on",
        "require_uppercase_characters": "on", "require_lowercase_characters": "on",
        "allow_users_to_change_password": "on", "expire_passwords": "on", "max_password_age": "90",
        "hard_expiry": "on", "prevent_reuse": "on", "password_reuse_prevention": "5"})
    assert response.status_code == 302
    policy = PasswordPolicy.objects.get()
    assert (policy.minimum_password_length, policy.require_symbols, policy.require_numbers,
            policy.require_uppercase_characters, policy.require_lowercase_characters,
            policy.allow_users_to_change_password, policy.max_password_age, policy.password_reuse_prevention,
            policy.hard_expiry) == (14, True, True, True, True, True, 90, 5, True)
    form = root_console.get("/account/password-policy/").context["form"]
    assert form.initial["max_password_age"] == 90 and form.initial["expire_passwords"] is True


@pytest.mark.parametrize("field,value,message", [
    ("minimum_password_length", "5", "Ensure this value is greater than or equal to 6."),
    ("minimum_password_length", "129", "Ensure this value is less than or equal to 128."),
    ("max_password_age", "1096", "Ensure this value is less than or equal to 1095."),
    ("password_reuse_prevention", "25", "Ensure this value is less than or equal to 24."),
])
def test_password_policy_form_refuses_values_out_of_range(root_console, field, value, message):
    data = {"mode": "custom", "minimum_password_length": "8", "expire_passwords": "on", "max_password_age": "30",
            "prevent_reuse": "on", "password_reuse_prevention": "3", field: value}
    response = root_console.post("/account/password-policy/", data)
    assert response.status_code == 400 and response.context["form"].errors[field] == [message]
    assert not PasswordPolicy.objects.exists()


def test_deleting_the_policy_reverts_to_defaults(root_console, root_caller):
    root_console.post("/account/password-policy/", {"mode": "custom", "minimum_password_length": "20"})
    assert PasswordPolicy.objects.exists()
    assert root_console.get("/account/password-policy/delete/").status_code == 200
    response = root_console.post("/account/password-policy/delete/", follow=True)
    assert "The password policy has been deleted" in response.content.decode()
    assert "No password policy is set" in response.content.decode()
    assert not PasswordPolicy.objects.exists()


def test_a_user_cannot_change_the_password_policy(user_console):
    _, client = user_console(policies=SELF_SERVICE)
    response = client.post("/account/password-policy/", {"mode": "custom", "minimum_password_length": "6"})
    assert response.status_code == 403 and not PasswordPolicy.objects.exists()


def test_audit_viewer_filters_by_event_actor_and_outcome(root_console, make_user):
    make_user("alice", password=USER_PASSWORD)
    Client().post("/sign-in/", {"user_name": "alice", "password": "wrong-Passw0rd"})
    events = root_console.get("/audit/?event_name=ConsoleLogin&outcome=Failure").context["events"]
    assert [(e.event_name, e.actor_arn) for e in events] == [
        ("ConsoleLogin", "arn:aws:iam::123456789012:user/alice")]
    by_actor = root_console.get("/audit/?actor=root").context["events"]
    assert {e.actor_arn for e in by_actor} == {"arn:aws:iam::123456789012:root"}
    body = root_console.get("/audit/?event_name=CreateUser").content.decode()
    event = root_console.get("/audit/?event_name=CreateUser").context["events"][0]
    assert f'href="/audit/{event.event_id}/"' in body
    detail = root_console.get(f"/audit/{event.event_id}/").content.decode()
    assert "&quot;eventName&quot;: &quot;CreateUser&quot;" in detail
    future = root_console.get("/audit/?start=2999-01-01T00:00").context["events"]
    assert future == []


def test_group_create_add_member_with_picker_remove_and_delete(root_console, make_user):
    make_user("alice")
    make_user("albert")
    make_user("bob")
    assert root_console.post("/groups/create/", {"group_name": "devs", "path": "/"}).url == "/groups/devs/"
    picker = root_console.get("/groups/devs/user-picker/?user_name=al", HTTP_HX_REQUEST="true")
    assert [u.user_name for u in picker.context["matches"]] == ["albert", "alice"]
    assert "<html" not in picker.content.decode()
    root_console.post("/groups/devs/members/", {"user_name": "alice", "action": "add"})
    assert list(Group.objects.get(group_name="devs").users.values_list("user_name", flat=True)) == ["alice"]
    blocked = root_console.get("/groups/devs/delete/").content.decode()
    assert "remove its users first" in blocked
    root_console.post("/groups/devs/members/", {"user_name": "alice", "action": "remove"})
    root_console.post("/groups/devs/edit/", {"new_name": "developers", "new_path": "/eng/"})
    assert Group.objects.get().arn == "arn:aws:iam::123456789012:group/eng/developers"
    assert root_console.post("/groups/developers/delete/").url == "/groups/"
    assert not Group.objects.exists()


def test_duplicate_group_name_is_shown_on_the_field(root_console, root_caller):
    groups.create_group(caller=root_caller, group_name="devs")
    response = root_console.post("/groups/create/", {"group_name": "DEVS"})
    assert response.context["form"].errors["group_name"] == ["Group with name DEVS already exists."]


def test_csrf_is_enforced_on_console_forms(make_user):
    make_user("alice", password=USER_PASSWORD)
    client = Client(enforce_csrf_checks=True)
    assert client.post("/sign-in/", {"user_name": "alice", "password": USER_PASSWORD}).status_code == 403
    page = client.get("/sign-in/")
    token = page.cookies["csrftoken"].value
    response = client.post("/sign-in/", {"user_name": "alice", "password": USER_PASSWORD,
                                         "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    refused = client.post("/my/security-credentials/", {"action": "create"})
    assert refused.status_code == 403 and "This form has expired" in refused.content.decode()
    assert not AccessKey.objects.filter(user__user_name="alice").exists()


def test_security_headers_on_console_pages(root_console):
    response = root_console.get("/users/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert "<script>" not in body and "style=" not in body and " onclick=" not in body


def test_session_cookie_is_httponly_and_lax(make_user):
    make_user("alice", password=USER_PASSWORD)
    response = Client().post("/sign-in/", {"user_name": "alice", "password": USER_PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
