"""Switch role in the console: the form and its links, acting as the role session, the bar, back, credentials."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from directory.services import role_policies, roles
from iam_console.console.role_sessions import ROLE_SESSION_KEY
from sts import services as sts
from sts.models import RecentRole, RoleSession

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def trust(*principals: str, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


@pytest.fixture
def make_role(root_caller):
    def make(name: str, trust_document: str, *, policies: tuple[str, ...] = (), **kwargs):
        role = roles.create_role(caller=root_caller, role_name=name, assume_role_policy_document=trust_document,
                                 **kwargs)
        for arn in policies:
            role_policies.attach_role_policy(caller=root_caller, role_name=name, policy_arn=arn)
        return role

    return make


def switch(client, role_name: str, **fields):
    data = {"account": ACCOUNT, "role_name": role_name, "display_name": fields.pop("display_name", ""),
            "color": fields.pop("color", "blue"), "duration_seconds": fields.pop("duration_seconds", 3600), **fields}
    response = client.post("/switch-role/", data)
    if response.status_code != 302:
        return response
    # Post/redirect/get: the credentials page shows the fresh secret once.
    assert response.url == "/switch-role/credentials/"
    return client.get(response.url)


@pytest.fixture
def alice_reader(user_console, make_role):
    """alice (no policies of her own) and a role 'reader' with IAMReadOnlyAccess that trusts her."""
    user, client = user_console("alice")
    make_role("reader", trust(user_arn("alice")), policies=(READ_ONLY,))
    return user, client


def test_form_is_prefilled_with_this_account(user_console):
    _, client = user_console("alice")
    response = client.get("/switch-role/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["account"].value() == ACCOUNT
    assert form["color"].value() == "blue"
    assert form["duration_seconds"].value() == 3600


@pytest.mark.parametrize("path", ["/switch-role", "/switch-role/"])
def test_link_opens_the_form_prefilled_with_role_display_name_and_colour(user_console, path):
    _, client = user_console("alice")
    response = client.get(path, {"roleName": "eng/deployer", "displayName": "Prod deploy", "color": "F2B0A9"})
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["role_name"].value(), form["display_name"].value(), form["color"].value()) == (
        "eng/deployer", "Prod deploy", "red")
    assert b'value="red" class="" id="id_color_0" checked' in response.content or b"checked" in response.content


def test_unknown_colour_in_a_link_falls_back_to_blue(user_console):
    _, client = user_console("alice")
    response = client.get("/switch-role", {"roleName": "x", "color": "javascript:alert(1)"})
    assert response.context["form"]["color"].value() == "blue"


def test_switching_shows_the_credentials_once_and_keeps_only_the_key_id(alice_reader):
    user, client = alice_reader
    response = switch(client, "reader", display_name="Reader")
    assert response.status_code == 200
    context = response.context
    secret, token, key_id = context["secret_access_key"], context["session_token"], context["access_key_id"]
    assert key_id.startswith("ASIA") and len(secret) == 40 and token
    body = response.content.decode()
    assert secret in body and token in body
    assert f"export AWS_SECRET_ACCESS_KEY={secret}" in body
    assert "aws_session_token = " + token in body
    process = json.loads(context["snippets"]["process"])
    assert process == {"Version": 1, "AccessKeyId": key_id, "SecretAccessKey": secret, "SessionToken": token,
                       "Expiration": context["expiration"]}
    assert "no-store" in response["Cache-Control"]
    assert client.session[ROLE_SESSION_KEY] == {"access_key_id": key_id, "role_name": "reader",
                                                "display_name": "Reader", "color": "blue"}
    session_data = json.dumps(dict(client.session.items()))
    assert secret not in session_data and token not in session_data
    session = RoleSession.objects.get(access_key_id=key_id)
    assert session.session_name == "alice" and session.source_user == user
    assert token not in session.token_digest
    # A reload of the page shows neither again and assumes the role no second time.
    reload = client.get("/switch-role/credentials/").content.decode()
    assert secret not in reload and token not in reload and key_id in reload
    assert RoleSession.objects.filter(source_user=user).count() == 1


def test_secret_and_token_never_reach_the_audit_trail(alice_reader):
    _, client = alice_reader
    response = switch(client, "reader")
    secret, token = response.context["secret_access_key"], response.context["session_token"]
    event = AuditEvent.objects.get(event_name="AssumeRole", outcome=AuditEvent.Outcome.SUCCESS)
    assert event.actor_arn == user_arn("alice") and event.via == "console"
    dumped = json.dumps([event.request_parameters, event.response_elements, event.error_message])
    assert secret not in dumped and token not in dumped


def test_after_switching_pages_are_authorized_with_the_roles_permissions(alice_reader):
    _, client = alice_reader
    assert client.get("/users/").status_code == 403  # alice alone has no policies
    switch(client, "reader", display_name="Reader")
    assert client.get("/users/").status_code == 200  # the role may read
    denied = client.post("/groups/create/", {"group_name": "admins", "path": "/"})
    assert denied.status_code == 403
    assert ("Session: arn:aws:sts::123456789012:assumed-role/reader/alice is not authorized to perform: "
            "iam:CreateGroup") in denied.content.decode()


def test_bar_shows_display_name_role_and_time_left(alice_reader):
    _, client = alice_reader
    switch(client, "reader", display_name="Read only", color="green")
    page = client.get("/").content.decode()
    assert 'class="role-bar role-color-green"' in page
    assert '<span class="role-bar-name">Read only</span>' in page
    assert "Role <code>reader</code> as <code>alice</code>" in page
    assert "59 min</time> left" in page or "1 h 00 min</time> left" in page
    assert "Back to alice" in page


def test_back_returns_to_the_users_own_identity(alice_reader):
    _, client = alice_reader
    switch(client, "reader", display_name="Reader")
    response = client.post("/switch-role/back/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert ROLE_SESSION_KEY not in client.session
    page = client.get("/").content.decode()
    assert "You left Reader and are back to alice." in page and "role-bar" not in page
    assert client.get("/users/").status_code == 403


def test_untrusted_role_is_refused_next_to_the_form(user_console, make_role):
    _, client = user_console("alice")
    make_role("admins-only", trust(user_arn("bob")))
    response = switch(client, "admins-only")
    assert response.status_code == 403
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("You cannot switch to admins-only: User: arn:aws:iam::123456789012:user/alice is not "
                                "authorized to perform: sts:AssumeRole on resource: "
                                "arn:aws:iam::123456789012:role/admins-only")
    assert ROLE_SESSION_KEY not in client.session
    assert RecentRole.objects.count() == 0


def test_unknown_role_is_refused_like_an_untrusted_one(user_console):
    _, client = user_console("alice")
    response = switch(client, "no-such-role")
    assert response.status_code == 403
    assert "not authorized to perform: sts:AssumeRole" in response.context["form"].non_field_errors()[0]


def test_role_with_a_path_is_named_path_then_name(user_console, make_role):
    _, client = user_console("alice")
    make_role("deployer", trust(user_arn("alice")), path="/eng/")
    assert switch(client, "deployer").status_code == 403  # the ARN without the path names another role
    response = switch(client, "eng/deployer")
    assert response.status_code == 200
    assert RoleSession.objects.get().role.role_name == "deployer"


def test_an_account_the_directory_does_not_hold_is_refused_as_an_untrusting_role(user_console, make_role):
    _, client = user_console("alice")
    make_role("reader", trust(user_arn("alice")))
    for account in ("999999999999", "no-such-alias"):
        response = switch(client, "reader", account=account)
        assert response.status_code == 403
        assert "You cannot switch to reader" in response.context["form"].non_field_errors()[0]
    assert switch(client, "reader", account="12345678901").context["form"].errors["account"] == [
        "Enter a 12-digit account ID, or the account's alias."]


def test_role_requiring_mfa_asks_for_a_code(user_console, make_role):
    _, client = user_console("alice")
    make_role("mfa-admin", trust(user_arn("alice"), condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    response = switch(client, "mfa-admin")
    assert response.status_code == 403
    assert response.context["form"].errors["token_code"] == [
        "This role requires MFA: enter the current code from your MFA device."]
    assert 'name="token_code"' in response.content.decode()


def test_mfa_code_without_a_device_is_refused(user_console, make_role):
    _, client = user_console("alice")
    make_role("mfa-admin", trust(user_arn("alice"), condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    response = switch(client, "mfa-admin", token_code="123456")
    assert response.status_code == 400
    assert response.context["form"].errors["token_code"] == [
        "You have no MFA device. Assign one under My security credentials first."]


def test_duration_is_capped_by_the_roles_maximum(alice_reader):
    _, client = alice_reader
    response = switch(client, "reader", duration_seconds=7200)
    assert response.status_code == 400
    assert response.context["form"].errors["duration_seconds"] == [
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."]


def test_chosen_duration_sets_the_expiration(alice_reader):
    _, client = alice_reader
    before = timezone.now()
    switch(client, "reader", duration_seconds=900)
    session = RoleSession.objects.get()
    assert before + timedelta(seconds=899) <= session.expiration <= timezone.now() + timedelta(seconds=900)


def test_expired_session_drops_back_to_the_user_with_a_message(alice_reader):
    _, client = alice_reader
    switch(client, "reader", display_name="Reader")
    RoleSession.all_objects.update(expiration=timezone.now() - timedelta(seconds=1))
    response = client.get("/users/")
    assert response.status_code == 403  # alice's own permissions again
    assert ROLE_SESSION_KEY not in client.session
    page = client.get("/").content.decode()
    assert "role-bar" not in page
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Your session as Reader (reader) has expired. You are back to alice."]


def test_revoked_session_drops_back_to_the_user_with_a_message(alice_reader, root_caller):
    _, client = alice_reader
    switch(client, "reader", display_name="Reader")
    assert client.get("/users/").status_code == 200
    sts.revoke_role_sessions(caller=root_caller, role_name="reader")
    response = client.get("/users/")
    assert response.status_code == 403
    assert [str(m) for m in response.context["messages"]] == [
        "Your session as Reader (reader) was revoked. You are back to alice."]


def test_credentials_panel_afterwards_shows_key_id_and_expiration_only(alice_reader):
    _, client = alice_reader
    first = switch(client, "reader", display_name="Reader")
    secret, token = first.context["secret_access_key"], first.context["session_token"]
    response = client.get("/switch-role/credentials/")
    assert response.status_code == 200
    body = response.content.decode()
    assert first.context["access_key_id"] in body and first.context["expiration"] in body
    assert secret not in body and token not in body
    assert "were shown once, when you switched" in body
    assert "Switch again for new credentials" in body


def test_credentials_panel_without_a_role_sends_to_the_form(user_console):
    _, client = user_console("alice")
    response = client.get("/switch-role/credentials/")
    assert response.status_code == 302 and response["Location"] == "/switch-role/"


def test_last_five_roles_are_kept_newest_first_and_shown_in_the_menu(user_console, make_role):
    user, client = user_console("alice")
    for number in range(6):
        make_role(f"role-{number}", trust(user_arn("alice")))
        assert switch(client, f"role-{number}", display_name=f"Role {number}").status_code == 200
    switch(client, "role-2", display_name="Role 2 again")
    recent = list(RecentRole.objects.filter(user=user).values_list("role_name", "display_name"))
    assert recent == [("role-2", "Role 2 again"), ("role-5", "Role 5"), ("role-4", "Role 4"), ("role-3", "Role 3"),
                      ("role-1", "Role 1")]
    page = client.get("/").content.decode()
    assert "Role history" in page
    assert page.count('class="recent-role"') == 5
    # One click switches again: the recent entry posts the role back to the form.
    client.post("/switch-role/back/")
    response = client.post("/switch-role/", {"account": ACCOUNT, "role_name": "role-4", "display_name": "Role 4",
                                             "color": "blue", "duration_seconds": "3600"})
    assert response.status_code == 302 and client.session[ROLE_SESSION_KEY]["role_name"] == "role-4"


def test_recent_roles_belong_to_their_user(user_console, make_role):
    _, alice = user_console("alice")
    _, bob = user_console("bob")
    make_role("shared", trust(user_arn("alice"), user_arn("bob")))
    switch(alice, "shared", display_name="Alice's view")
    assert "Alice's view" not in bob.get("/switch-role/").content.decode()


def test_switching_from_a_role_starts_from_the_user_not_the_role(alice_reader, make_role):
    _, client = alice_reader
    make_role("second", trust(user_arn("alice")))
    switch(client, "reader")
    response = switch(client, "second")
    assert response.status_code == 200
    session = RoleSession.objects.get(role__role_name="second")
    assert session.caller_arn == user_arn("alice") and not session.chained


def test_root_cannot_switch_roles(root_console, make_role):
    make_role("ops", trust(f"arn:aws:iam::{ACCOUNT}:root"))
    page = root_console.get("/switch-role/").content.decode()
    assert "The root user cannot switch roles." in page
    response = switch(root_console, "ops")
    assert response.status_code == 403
    assert "Roles may not be assumed by root accounts." in response.context["form"].non_field_errors()[0]


def test_switch_role_needs_a_signed_in_user(client):
    response = client.get("/switch-role/?roleName=x")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_console_calls_to_the_api_act_as_the_switched_role(alice_reader):
    _, client = alice_reader
    assert client.get("/api/v1/users/").status_code == 403  # alice has no policies of her own
    assert switch(client, "reader").status_code == 200
    assert client.get("/api/v1/users/").status_code == 200
    denied = client.post("/api/v1/users/", {"user_name": "x"}, content_type="application/json")
    assert denied.status_code == 403
    assert "assumed-role/reader/alice" in denied.json()["error"]["message"]
