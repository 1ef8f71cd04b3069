"""Policies in the console: list, create, versions, compare, delete, permissions of users and groups, simulator."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import UserInlinePolicy, UserPermissionsBoundary, UserPolicyAttachment
from directory.services import attachments, groups, inline
from policies.models import ManagedPolicy
from policies.services import managed

pytestmark = pytest.mark.django_db

ACCOUNT = "123456789012"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def document(*actions: str, effect: str = "Allow", resource: str = "*") -> str:
    statement = {"Sid": "Main", "Effect": effect, "Action": list(actions), "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def detail(name: str, query: str = "") -> str:
    return f"/policies/detail/{arn(name)}" + (f"?{query}" if query else "")


@pytest.fixture
def policy(root_caller):
    return managed.create_policy(caller=root_caller, policy_name="ReadUsers", policy_document=document("iam:GetUser"),
                                 description="Read users")


# --- List ---------------------------------------------------------------------------------------------------

def test_policy_list_shows_system_and_customer_policies_sorted_by_name(root_console, policy):
    response = root_console.get("/policies/")
    assert response.status_code == 200
    names = [p.policy_name for p in response.context["policies"]]
    assert names == sorted(names, key=str.lower)
    assert {"AdministratorAccess", "IAMReadOnlyAccess", "ReadUsers"} <= set(names)
    assert f'href="/policies/detail/{arn("ReadUsers")}"' in response.content.decode()


def test_policy_list_filters_by_name_scope_and_attachment(root_console, root_caller, policy, make_user):
    make_user("alice", policies=(READ_ONLY,))
    names = lambda query: [p.policy_name for p in root_console.get(f"/policies/?{query}").context["policies"]]  # noqa: E731
    assert names("q=readusers") == ["ReadUsers"]
    assert names("scope=Local") == ["ReadUsers"]
    assert "ReadUsers" not in names("scope=AWS")
    assert names("usage=attached") == ["IAMReadOnlyAccess"]
    assert "IAMReadOnlyAccess" not in names("usage=unattached") and "ReadUsers" in names("usage=unattached")
    listed = {p.policy_name: p.attachment_count for p in root_console.get("/policies/").context["policies"]}
    assert listed["IAMReadOnlyAccess"] == 1 and listed["ReadUsers"] == 0


def test_policy_list_pages_with_a_marker(root_console, root_caller):
    for i in range(55):
        managed.create_policy(caller=root_caller, policy_name=f"P{i:02d}", policy_document=document("iam:GetUser"))
    first = root_console.get("/policies/?scope=Local")
    assert len(first.context["policies"]) == 50 and first.context["next_marker"]
    second = root_console.get(f"/policies/?scope=Local&marker={first.context['next_marker']}")
    assert [p.policy_name for p in second.context["policies"]] == [f"P{i}" for i in range(50, 55)]
    assert second.context["next_marker"] is None
    assert root_console.get("/policies/?marker=!!bad").context["error"].code == "ValidationError"


def test_policy_list_runs_a_constant_number_of_queries(root_console, root_caller, make_user):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert root_console.get("/policies/").status_code == 200
        return len(queries)

    before = count()
    for i in range(12):
        managed.create_policy(caller=root_caller, policy_name=f"Q{i}", policy_document=document("iam:GetUser"))
    make_user("bob", policies=(arn("Q1"), arn("Q2")))
    assert count() == before


# --- Create ---------------------------------------------------------------------------------------------------

def test_create_policy_page_has_the_editor_with_a_textarea_fallback(root_console):
    body = root_console.get("/policies/create/").content.decode()
    assert '<textarea name="document"' in body and "data-policy-document" in body
    assert "/static/django_ace/ace/ace.js" in body and "/static/js/policy_editor.js" in body
    assert 'data-validate-url="/api/v1/policies/validate"' in body
    assert "<script>" not in body  # CSP: no inline script


def test_create_policy_saves_and_goes_to_its_page(root_console):
    response = root_console.post("/policies/create/", {"policy_name": "Ops", "path": "/team/",
                                                       "description": "Ops people", "document": document("iam:List*")})
    assert response.status_code == 302
    assert response.url == "/policies/detail/arn:aws:iam::123456789012:policy/team/Ops"
    policy = ManagedPolicy.objects.get(policy_name="Ops")
    assert (policy.path, policy.description, policy.default_version_id) == ("/team/", "Ops people", "v1")
    page = root_console.get(response.url)
    assert "Policy Ops created." in page.content.decode()
    assert [row["service"] for row in page.context["editor"]["summary"]] == ["iam"]
    assert [level["level"] for level in page.context["editor"]["summary"][0]["levels"]] == ["List"]


def test_create_policy_with_a_malformed_document_is_refused_with_findings_on_their_lines(root_console):
    broken = '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": "iam:GetUser"\n  }]\n}'
    response = root_console.post("/policies/create/", {"policy_name": "Broken", "document": broken})
    assert response.status_code == 400
    assert not ManagedPolicy.objects.filter(policy_name="Broken").exists()
    errors = response.context["form"].errors["document"]
    assert "expected" in errors[0] or "Resource" in errors[0]
    groups_ = {g["severity"]: g for g in response.context["editor"]["findings"]}
    assert groups_["ERROR"]["count"] >= 1
    finding = groups_["ERROR"]["items"][0]
    assert finding["line"] == 3 and finding["issue_code"] == "MISSING_RESOURCE"
    body = response.content.decode()
    assert "Errors <strong>1</strong>" in body and 'data-line="3"' in body
    assert broken.replace('"', "&quot;") in body  # the document the user typed comes back unchanged


def test_create_policy_with_invalid_json_shows_the_error_line(root_console):
    response = root_console.post("/policies/create/", {"policy_name": "Bad", "document": '{\n  "Version": \n}'})
    assert response.status_code == 400
    items = response.context["editor"]["findings"][0]["items"]
    assert items and items[0]["line"] == 3


def test_create_policy_with_a_taken_name_shows_the_error_on_the_name(root_console, policy):
    response = root_console.post("/policies/create/", {"policy_name": "readusers", "document": document("iam:GetUser")})
    assert response.context["form"].errors["policy_name"] == [
        "A policy called readusers already exists. Duplicate names are not allowed."]


# --- Detail, versions, compare, delete -------------------------------------------------------------------------

def test_detail_shows_the_default_version_read_only_and_jumps_to_a_line(root_console, policy):
    response = root_console.get(detail("ReadUsers", "line=5"))
    assert response.status_code == 200
    assert response.context["version"].version_id == "v1"
    body = response.content.decode()
    assert 'data-jump-line="5"' in body and "data-readonly" in body
    assert "Edit (new version)" in body and "Delete" in body


def test_system_policy_detail_offers_no_edit_or_delete(root_console):
    response = root_console.get(f"/policies/detail/{ADMIN}")
    body = response.content.decode()
    assert response.status_code == 200 and "Product managed (read-only)" in body
    assert "Edit (new version)" not in body and "/policies/delete/" not in body


def test_unknown_policy_is_a_404_page(root_console):
    assert root_console.get(detail("Nope")).status_code == 404


def test_new_version_set_as_default_then_compare_set_default_and_delete(root_console, policy):
    response = root_console.post(f"/policies/new-version/{arn('ReadUsers')}",
                                 {"document": document("iam:GetUser", "iam:ListUsers"), "set_as_default": "on"})
    assert response.status_code == 302 and response.url.endswith("?tab=versions&version=v2")
    policy.refresh_from_db()
    assert policy.default_version_id == "v2"

    versions = root_console.get(detail("ReadUsers", "tab=versions"))
    assert [v.version_id for v in versions.context["versions"]] == ["v2", "v1"]

    compare = root_console.get(f"/policies/compare/{arn('ReadUsers')}?left=v1&right=v2")
    rows = compare.context["rows"]
    assert [(r.kind, r.left.strip(), r.right.strip()) for r in rows if r.kind != "same"] == [
        ("changed", '"iam:GetUser"', '"iam:GetUser",'), ("added", "", '"iam:ListUsers"')]
    assert compare.context["changes"] == 2 and "2 changed lines" in compare.content.decode()

    root_console.post(f"/policies/versions/{arn('ReadUsers')}", {"action": "set_default", "version_id": "v1"})
    policy.refresh_from_db()
    assert policy.default_version_id == "v1"

    refused = root_console.post(f"/policies/versions/{arn('ReadUsers')}", {"action": "delete", "version_id": "v1"},
                                follow=True)
    assert "Cannot delete the default version of a policy." in refused.content.decode()
    deleted = root_console.post(f"/policies/versions/{arn('ReadUsers')}", {"action": "delete", "version_id": "v2"},
                                follow=True)
    assert "Version v2 deleted." in deleted.content.decode()
    assert list(policy.versions.values_list("version_id", flat=True)) == ["v1"]


def test_new_version_without_default_keeps_the_old_default(root_console, policy):
    root_console.post(f"/policies/new-version/{arn('ReadUsers')}", {"document": document("iam:ListUsers")})
    policy.refresh_from_db()
    assert (policy.default_version_id, policy.versions.count()) == ("v1", 2)


def test_new_version_with_an_error_is_refused_and_the_sixth_version_is_limited(root_console, root_caller, policy):
    bad = root_console.post(f"/policies/new-version/{arn('ReadUsers')}",
                            {"document": document("iam:GetUser", effect="Maybe"), "set_as_default": "on"})
    assert bad.status_code == 400 and policy.versions.count() == 1
    assert bad.context["editor"]["findings"][0]["count"] >= 1
    for _ in range(4):
        managed.create_policy_version(caller=root_caller, policy_arn=arn("ReadUsers"),
                                      policy_document=document("iam:GetUser"))
    full = root_console.post(f"/policies/new-version/{arn('ReadUsers')}", {"document": document("iam:GetUser")})
    assert full.status_code == 400
    assert "A managed policy can have up to 5 versions." in full.content.decode()


def test_edit_form_starts_from_the_chosen_version(root_console, root_caller, policy):
    managed.create_policy_version(caller=root_caller, policy_arn=arn("ReadUsers"),
                                  policy_document=document("iam:ListGroups"))
    page = root_console.get(f"/policies/new-version/{arn('ReadUsers')}?from=v2")
    assert page.context["editor"]["document"] == document("iam:ListGroups")


def test_delete_policy_asks_for_the_name_and_refuses_while_attached(root_console, make_user, policy):
    make_user("alice", policies=(arn("ReadUsers"),))
    page = root_console.get(f"/policies/delete/{arn('ReadUsers')}")
    assert "detach it from user" in page.content.decode()
    assert root_console.post(f"/policies/delete/{arn('ReadUsers')}", {"confirm_name": "wrong"}).status_code == 400
    conflict = root_console.post(f"/policies/delete/{arn('ReadUsers')}", {"confirm_name": "ReadUsers"})
    assert conflict.status_code == 409 and "Cannot delete" in conflict.content.decode()
    UserPolicyAttachment.objects.all().delete()
    done = root_console.post(f"/policies/delete/{arn('ReadUsers')}", {"confirm_name": "ReadUsers"})
    assert done.status_code == 302 and done.url == "/policies/"
    assert not ManagedPolicy.objects.filter(policy_name="ReadUsers").exists()


def test_entities_tab_lists_users_groups_and_boundaries(root_console, root_caller, make_user, policy):
    make_user("alice", policies=(arn("ReadUsers"),))
    make_user("bob")
    groups.create_group(caller=root_caller, group_name="devs")
    attachments.attach_group_policy(caller=root_caller, group_name="devs", policy_arn=arn("ReadUsers"))
    root_console.post("/users/bob/permissions/", {"action": "set_boundary", "policy_arn": arn("ReadUsers")})
    entities = root_console.get(detail("ReadUsers", "tab=entities")).context["entities"]
    assert [u.user_name for u in entities.users] == ["alice"]
    assert [g.group_name for g in entities.groups] == ["devs"]
    assert [u.user_name for u in entities.boundary_users] == ["bob"]


def test_summary_endpoint_renders_the_access_levels_of_a_valid_document(root_console):
    response = root_console.post("/policies/summary/", {"document": document("iam:CreateUser", "iam:GetUser")})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Limited: Read" in body and "Limited: Write" in body and "<strong>iam</strong>" in body
    invalid = root_console.post("/policies/summary/", {"document": "{"})
    assert "The summary shows when the document has no errors." in invalid.content.decode()


# --- Users and groups -------------------------------------------------------------------------------------------

def test_attach_and_detach_a_policy_on_a_user(root_console, make_user, policy):
    make_user("alice")
    page = root_console.get("/users/alice/?tab=permissions")
    assert page.status_code == 200 and arn("ReadUsers") in [p.arn for p in page.context["attachable"]]
    response = root_console.post("/users/alice/permissions/", {"action": "attach", "policy_arn": arn("ReadUsers")},
                                 follow=True)
    assert f"Policy {arn('ReadUsers')} attached to alice." in response.content.decode()
    assert [p.policy_name for p in response.context["attached"]] == ["ReadUsers"]
    response = root_console.post("/users/alice/permissions/", {"action": "detach", "policy_arn": arn("ReadUsers")},
                                 follow=True)
    assert response.context["attached"] == []
    missing = root_console.post("/users/alice/permissions/", {"action": "attach", "policy_arn": arn("Nope")},
                                follow=True)
    assert f"Policy {arn('Nope')} does not exist or is not attachable." in missing.content.decode()


def test_inline_policy_add_edit_refuse_malformed_and_delete_on_a_user(root_console, make_user):
    make_user("alice")
    created = root_console.post("/users/alice/add-inline-policy/",
                                {"policy_name": "Self", "document": document("iam:GetUser")})
    assert created.status_code == 302 and created.url == "/users/alice/?tab=permissions"
    assert UserInlinePolicy.objects.get(policy_name="Self").document == document("iam:GetUser")
    page = root_console.get("/users/alice/inline-policies/Self/")
    assert page.context["form"].fields["policy_name"].disabled
    bad = root_console.post("/users/alice/inline-policies/Self/", {"document": document("iam:GetUser", effect="Nope")})
    assert bad.status_code == 400 and bad.context["editor"]["findings"][0]["count"] >= 1
    # The name is fixed: a posted name is ignored, the policy is rewritten in place.
    edited = root_console.post("/users/alice/inline-policies/Self/",
                               {"policy_name": "Other", "document": document("iam:ListUsers")})
    assert edited.status_code == 302
    assert list(UserInlinePolicy.objects.values_list("policy_name", "document")) == [
        ("Self", document("iam:ListUsers"))]
    listed = root_console.get("/users/alice/?tab=permissions").context["inline_names"]
    assert listed == ["Self"]
    root_console.post("/users/alice/inline-policies/Self/delete/")
    assert not UserInlinePolicy.objects.exists()
    assert root_console.get("/users/alice/inline-policies/Self/").status_code == 404


def test_boundary_set_and_remove_on_a_user(root_console, make_user, policy):
    make_user("alice")
    response = root_console.post("/users/alice/permissions/",
                                 {"action": "set_boundary", "policy_arn": arn("ReadUsers")}, follow=True)
    assert response.context["boundary"].policy_name == "ReadUsers"
    assert "Permissions boundary of alice set to" in response.content.decode()
    response = root_console.post("/users/alice/permissions/", {"action": "remove_boundary"}, follow=True)
    assert response.context["boundary"] is None and not UserPermissionsBoundary.objects.exists()
    again = root_console.post("/users/alice/permissions/", {"action": "remove_boundary"}, follow=True)
    assert "The user alice has no permissions boundary." in again.content.decode()


def test_group_permissions_attach_and_inline_policy(root_console, root_caller, policy):
    groups.create_group(caller=root_caller, group_name="devs")
    root_console.post("/groups/devs/permissions/", {"action": "attach", "policy_arn": arn("ReadUsers")})
    root_console.post("/groups/devs/add-inline-policy/", {"policy_name": "Extra", "document": document("iam:ListUsers")})
    page = root_console.get("/groups/devs/")
    assert [p.policy_name for p in page.context["attached"]] == ["ReadUsers"]
    assert page.context["inline_names"] == ["Extra"]
    assert inline.get_group_policy(caller=root_caller, group_name="devs", policy_name="Extra").document == \
        document("iam:ListUsers")
    root_console.post("/groups/devs/permissions/", {"action": "detach", "policy_arn": arn("ReadUsers")})
    root_console.post("/groups/devs/inline-policies/Extra/delete/")
    page = root_console.get("/groups/devs/")
    assert page.context["attached"] == [] and page.context["inline_names"] == []


# --- Simulator -------------------------------------------------------------------------------------------------

def test_simulator_for_a_user_shows_each_decision_and_the_deciding_statement(root_console, make_user, root_caller):
    managed.create_policy(caller=root_caller, policy_name="NoDelete",
                          policy_document=document("iam:DeleteUser", effect="Deny"))
    make_user("alice", policies=(READ_ONLY, arn("NoDelete")))
    response = root_console.post("/policies/simulator/", {
        "mode": "user", "user_name": "alice", "actions": "iam:GetUser, iam:DeleteUser\niam:CreateUser",
        "resources": f"arn:aws:iam::{ACCOUNT}:user/bob"})
    assert response.status_code == 200
    rows = {row["action"]: row for row in response.context["rows"]}
    assert [rows[a]["decision"] for a in ("iam:GetUser", "iam:DeleteUser", "iam:CreateUser")] == [
        "allowed", "explicitDeny", "implicitDeny"]
    deny = rows["iam:DeleteUser"]["statements"][0]
    assert (deny["policy"], deny["effect"], deny["sid"], deny["line"]) == (arn("NoDelete"), "Deny", "Main", 4)
    assert deny["link"] == f"/policies/detail/{arn('NoDelete')}?line=4"
    assert rows["iam:GetUser"]["statements"][0]["link"].startswith(f"/policies/detail/{READ_ONLY}?line=")
    assert response.context["summary"] == {"allowed": 1, "denied": 1, "implicit": 1}


def test_simulator_with_pasted_documents_and_context_keys(root_console):
    conditional = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
    form = {"mode": "custom", "documents": f"{conditional}\n---\n{document('iam:GetUser')}",
            "actions": "iam:ListUsers\niam:GetUser"}
    inside = root_console.post("/policies/simulator/", {**form, "context": "aws:SourceIp = 10.1.2.3"})
    assert [row["decision"] for row in inside.context["rows"]] == ["allowed", "allowed"]
    assert inside.context["rows"][0]["statements"][0]["policy"] == "PolicyInputList.1"
    outside = root_console.post("/policies/simulator/", {**form, "context": "aws:SourceIp = 192.0.2.1"})
    assert [row["decision"] for row in outside.context["rows"]] == ["implicitDeny", "allowed"]
    bad = root_console.post("/policies/simulator/", {**form, "context": "aws:SourceIp = not-an-ip"})
    assert bad.status_code == 400 and "is not a valid ip" in str(bad.context["form"].errors)


def test_simulator_form_errors_sit_next_to_their_fields(root_console):
    response = root_console.post("/policies/simulator/", {"mode": "user", "actions": "iam:GetUser"})
    assert response.context["form"].errors["user_name"] == ["Choose the user whose policies to simulate."]
    response = root_console.post("/policies/simulator/", {"mode": "user", "user_name": "ghost",
                                                          "actions": "iam:GetUser"})
    assert response.status_code == 400 and "ghost" in response.context["form"].errors["user_name"][0]


# --- Who may do what ---------------------------------------------------------------------------------------------

def test_read_only_user_sees_the_pages_but_every_change_is_denied(user_console, root_caller, make_user, policy):
    make_user("bob")
    _, client = user_console("reader", policies=(READ_ONLY,))
    for url in ("/policies/", detail("ReadUsers"), detail("ReadUsers", "tab=versions"),
                detail("ReadUsers", "tab=entities"), f"/policies/compare/{arn('ReadUsers')}",
                "/users/bob/?tab=permissions", "/policies/simulator/"):
        assert client.get(url).status_code == 200, url
    listing = client.get("/policies/").content.decode()
    assert "Create policy" not in listing
    assert "Edit (new version)" not in client.get(detail("ReadUsers")).content.decode()
    refusals = [
        ("/policies/create/", {"policy_name": "Mine", "document": document("iam:GetUser")}),
        (f"/policies/new-version/{arn('ReadUsers')}", {"document": document("iam:ListUsers")}),
        (f"/policies/versions/{arn('ReadUsers')}", {"action": "delete", "version_id": "v1"}),
        (f"/policies/delete/{arn('ReadUsers')}", {"confirm_name": "ReadUsers"}),
        ("/users/bob/permissions/", {"action": "attach", "policy_arn": arn("ReadUsers")}),
        ("/users/bob/permissions/", {"action": "set_boundary", "policy_arn": arn("ReadUsers")}),
        ("/users/bob/add-inline-policy/", {"policy_name": "X", "document": document("iam:GetUser")}),
    ]
    for url, data in refusals:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "is not authorized to perform" in response.content.decode()
    assert not ManagedPolicy.objects.filter(policy_name="Mine").exists()
    assert not UserPolicyAttachment.objects.filter(user__user_name="bob").exists()
    # Simulation is a read: IAMReadOnlyAccess allows it.
    simulated = client.post("/policies/simulator/", {"mode": "user", "user_name": "bob", "actions": "iam:GetUser"})
    assert simulated.context["rows"][0]["decision"] == "implicitDeny"


def test_user_without_policies_gets_the_403_page(user_console, policy):
    _, client = user_console("nobody")
    for url in ("/policies/", detail("ReadUsers"), detail("ReadUsers", "tab=versions"),
                f"/policies/compare/{arn('ReadUsers')}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Access denied" in response.content.decode()
    denied = client.post("/policies/simulator/", {"mode": "custom", "documents": document("iam:GetUser"),
                                                  "actions": "iam:GetUser"})
    assert denied.status_code == 403
    assert client.post("/policies/summary/", {"document": document("iam:GetUser")}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, policy):
    for url in ("/policies/", detail("ReadUsers"), "/policies/simulator/", "/policies/create/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/sign-in/"), url


def test_simulator_links_a_group_inline_statement_to_that_groups_editor():
    from iam_console.console.views_simulator import _statement_link

    statement = {"policy": "ops-create", "line": 3, "source_policy_type": "group", "group_name": "ops"}
    assert _statement_link(statement, user_name="alice", inline_names={"ops-create"}) == \
        "/groups/ops/inline-policies/ops-create/?line=3"
    user_statement = {"policy": "mine", "line": 2, "source_policy_type": "user"}
    assert _statement_link(user_statement, user_name="alice", inline_names={"mine"}) == \
        "/users/alice/inline-policies/mine/?line=2"
