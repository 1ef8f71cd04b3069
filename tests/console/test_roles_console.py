"""Roles in the console: list, create wizard with trust templates, detail tabs, edit, permissions, revoke, delete."""

from __future__ import annotations

import json

import pytest

from audit.models import AuditEvent
from directory.models import Role, RolePolicyAttachment
from directory.services import role_policies, roles
from sts import services as sts

pytestmark = pytest.mark.django_db
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
TRUST_ALICE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def reader(root_caller) -> Role:
    role = roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=TRUST_ALICE,
                             description="Reads the directory")
    role_policies.attach_role_policy(caller=root_caller, role_name="reader", policy_arn=READ_ONLY)
    return role


def test_list_shows_roles_to_an_administrator(root_console, reader):
    response = root_console.get("/roles/")
    assert response.status_code == 200
    assert [role.role_name for role in response.context["roles"]] == ["reader"]
    assert 'href="/roles/reader/"' in response.content.decode()


def test_list_is_denied_without_iam_list_roles(user_console, reader):
    _, client = user_console("alice")
    assert client.get("/roles/").status_code == 403


@pytest.mark.parametrize("template, expected", [
    ("account", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                 "Action": "sts:AssumeRole"}),
    ("mfa", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
    ("external_id", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                     "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "EXTERNAL-ID"}}}),
])
def test_create_wizard_offers_trust_templates(root_console, template, expected):
    response = root_console.get("/roles/create/", {"template": template})
    assert response.status_code == 200
    assert json.loads(response.context["form"]["document"].value())["Statement"] == [expected]
    assert response.context["editor"]["policy_type"] == "TRUST_POLICY"


def test_create_wizard_specific_user_template_names_the_user(root_console):
    response = root_console.get("/roles/create/", {"template": "user",
                                                   "user_arn": "arn:aws:iam::123456789012:user/bob"})
    statement = json.loads(response.context["form"]["document"].value())["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:user/bob"}


def test_create_role_then_land_on_its_permissions(root_console, make_user):
    make_user("alice")
    response = root_console.post("/roles/create/", {
        "role_name": "deployer", "path": "/eng/", "description": "Deploys", "max_session_duration": "7200",
        "document": TRUST_ALICE, "template": "custom"})
    assert response.status_code == 302 and response["Location"] == "/roles/deployer/?tab=permissions"
    role = Role.objects.get(role_name="deployer")
    assert (role.path, role.description, role.max_session_duration) == ("/eng/", "Deploys", 7200)


def test_create_refuses_an_identity_policy_as_trust_policy(root_console):
    identity = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]})
    response = root_console.post("/roles/create/", {"role_name": "bad", "path": "/", "max_session_duration": "3600",
                                                    "document": identity, "template": "custom"})
    assert response.status_code == 400
    errors = response.context["form"].errors["document"]
    assert len(errors) == 1 and "Principal" in errors[0], errors
    assert not Role.objects.filter(role_name="bad").exists()


def test_create_duplicate_name_is_shown_on_the_name_field(root_console, reader, make_user):
    make_user("alice")
    response = root_console.post("/roles/create/", {"role_name": "READER", "path": "/", "max_session_duration": "3600",
                                                    "document": TRUST_ALICE, "template": "custom"})
    assert response.status_code == 400
    assert response.context["form"].errors["role_name"] == ["Role with name READER already exists."]


def test_detail_tabs_show_summary_trust_and_permissions(root_console, reader):
    summary = root_console.get("/roles/reader/")
    assert summary.status_code == 200
    body = summary.content.decode()
    assert reader.arn in body and reader.role_id in body
    assert "/switch-role/?account=123456789012&amp;roleName=reader&amp;displayName=reader" in body
    trust = root_console.get("/roles/reader/", {"tab": "trust"})
    assert trust.context["editor"]["policy_type"] == "TRUST_POLICY"
    assert json.loads(trust.context["trust_form"]["document"].value()) == json.loads(TRUST_ALICE)
    permissions = root_console.get("/roles/reader/", {"tab": "permissions"})
    assert [p.arn for p in permissions.context["attached"]] == [READ_ONLY]


def test_trust_policy_is_saved_from_the_editor(root_console, reader, make_user):
    make_user("bob")
    new = TRUST_ALICE.replace("user/alice", "user/bob")
    response = root_console.post("/roles/reader/trust-policy/", {"document": new})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert json.loads(reader.assume_role_policy_document) == json.loads(new)
    assert reader.trust_policy_version == 2


def test_invalid_trust_policy_is_shown_with_its_error(root_console, reader):
    response = root_console.post("/roles/reader/trust-policy/", {"document": "{not json"})
    assert response.status_code == 400
    assert "expected a double-quoted key" in response.context["trust_error"]


def test_edit_description_and_maximum_session_duration(root_console, reader):
    response = root_console.post("/roles/reader/edit/", {"description": "New words", "max_session_duration": "14400"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert (reader.description, reader.max_session_duration) == ("New words", 14400)


def test_attach_detach_and_inline_policies(root_console, reader):
    root_console.post("/roles/reader/permissions/", {"action": "detach", "policy_arn": READ_ONLY})
    assert not RolePolicyAttachment.objects.filter(role=reader).exists()
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})
    response = root_console.post("/roles/reader/add-inline-policy/", {"policy_name": "get-user",
                                                                      "document": document})
    assert response.status_code == 302
    page = root_console.get("/roles/reader/", {"tab": "permissions"})
    assert page.context["inline_names"] == ["get-user"]
    root_console.post("/roles/reader/inline-policies/get-user/delete/")
    assert root_console.get("/roles/reader/", {"tab": "permissions"}).context["inline_names"] == []


def test_delete_with_policies_shows_delete_conflict(root_console, reader):
    response = root_console.post("/roles/reader/delete/", follow=True)
    assert "Cannot delete entity, must detach all policies first." in response.content.decode()
    assert Role.objects.filter(role_name="reader").exists()


def test_delete_without_policies_removes_the_role(root_console, reader, root_caller):
    role_policies.detach_role_policy(caller=root_caller, role_name="reader", policy_arn=READ_ONLY)
    response = root_console.post("/roles/reader/delete/")
    assert response.status_code == 302 and response["Location"] == "/roles/"
    assert not Role.objects.filter(role_name="reader").exists()


def test_revoke_sessions_ends_a_switched_console_session(root_console, reader, user_console):
    _, alice = user_console("alice")
    alice.post("/switch-role/", {"account": "123456789012", "role_name": "reader", "display_name": "R",
                                 "color": "blue", "duration_seconds": "3600"})
    assert alice.get("/users/").status_code == 200
    response = root_console.post("/roles/reader/revoke-sessions/", follow=True)
    assert "Revoked 1 active session of reader" in response.content.decode()
    assert AuditEvent.objects.filter(event_name="RevokeRoleSessions").count() == 1
    assert alice.get("/users/").status_code == 403


def test_revoke_sessions_needs_permission(user_console, reader):
    _, client = user_console("alice", policies=(READ_ONLY,))
    assert client.post("/roles/reader/revoke-sessions/").status_code == 403
    assert sts.RoleSession.objects.count() == 0


def test_role_tags_are_added_and_removed_on_the_tags_tab(root_console, reader, root_caller):
    page = root_console.get(f"/roles/{reader.role_name}/?tab=tags")
    assert page.status_code == 200 and "No tags." in page.content.decode()
    added = root_console.post(f"/roles/{reader.role_name}/tags/", {"key": "team", "value": "blue"}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200 and "blue" in added.content.decode()
    assert [(t.key, t.value) for t in roles.list_role_tags(caller=root_caller, role_name=reader.role_name)] == [
        ("team", "blue")]
    refused = root_console.post(f"/roles/{reader.role_name}/tags/", {"key": "aws:reserved", "value": "x"},
                                HTTP_HX_REQUEST="true")
    assert "Tag keys cannot begin with aws:" in refused.content.decode()
    removed = root_console.post(f"/roles/{reader.role_name}/tags/", {"action": "remove", "key": "team"})
    assert removed.status_code == 302 and removed.url.endswith("?tab=tags")
    assert roles.list_role_tags(caller=root_caller, role_name=reader.role_name) == []


def test_role_tags_need_iam_tag_role(user_console, reader):
    _, client = user_console("viewer", policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    assert client.get(f"/roles/{reader.role_name}/?tab=tags").status_code == 200
    assert client.post(f"/roles/{reader.role_name}/tags/", {"key": "team", "value": "x"}).status_code == 403


def test_choosing_a_trust_template_keeps_what_was_typed(root_console):
    response = root_console.post("/roles/create/", {"role_name": "deployer", "path": "/ci/",
                                                     "description": "Deploys", "max_session_duration": "7200",
                                                     "document": "{}", "choose_template": "mfa"})
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["role_name"].value(), form["path"].value(), form["description"].value()) == (
        "deployer", "/ci/", "Deploys")
    assert "aws:MultiFactorAuthPresent" in form["document"].value()
    assert not Role.objects.filter(role_name="deployer").exists()


def test_create_role_with_a_permissions_boundary(root_console, root_caller, make_user):
    make_user("alice")
    from policies.services import managed

    cap = managed.create_policy(caller=root_caller, policy_name="RoleCap", policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}))
    response = root_console.post("/roles/create/", {"role_name": "capped", "path": "/", "max_session_duration": "3600",
                                                     "document": TRUST_ALICE, "permissions_boundary": cap.arn})
    assert response.status_code == 302, response.content.decode()[:500]
    assert role_policies.role_permissions_boundary(Role.objects.get(role_name="capped")) == cap


def test_a_trust_policy_naming_a_user_that_does_not_exist_is_flagged_before_saving(root_console, reader):
    template = root_console.get("/roles/create/?template=user").context["form"].initial["document"]
    assert "user/USER-NAME" in template
    response = root_console.post("/roles/create/", {"role_name": "placeholder", "path": "/",
                                                     "max_session_duration": "3600", "document": template})
    assert response.status_code == 400
    assert "user/USER-NAME, which does not exist" in response.context["form"].errors["document"][0]
    assert not Role.objects.filter(role_name="placeholder").exists()
    edited = root_console.post("/roles/reader/trust-policy/", {"document": template})
    assert edited.status_code == 400 and "which does not exist" in edited.context["trust_error"]
    reader.refresh_from_db()
    assert "USER-NAME" not in reader.assume_role_policy_document
