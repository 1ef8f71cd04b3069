"""The console is governed by the same policies as the REST API: the same rules, proved page by page."""

import pytest
from django.test import Client

from directory.models import User
from directory.services import boundaries
from policies.services import managed
from tests.console.conftest import USER_PASSWORD, sign_in
from tests.policies.conftest import ADMIN, READ_ONLY, allow, deny, document

pytestmark = pytest.mark.django_db


def test_read_only_access_sees_pages_but_cannot_create_or_delete(user_console, make_user):
    make_user("bob")
    _, client = user_console("auditor", policies=(READ_ONLY,))
    assert client.get("/users/").status_code == 200
    assert client.get("/users/bob/").status_code == 200
    assert client.post("/users/create/", {"user_name": "new", "path": "/", "password_mode": "generate"}).status_code == 403
    assert client.post("/users/bob/delete/", {"confirm_name": "bob"}).status_code == 403
    assert User.objects.filter(user_name="bob").exists() and not User.objects.filter(user_name="new").exists()


def test_user_without_policies_gets_the_403_page_for_the_users_list(user_console):
    _, client = user_console("nobody")
    response = client.get("/users/")
    assert response.status_code == 403 and "not authorized to perform: iam:ListUsers" in response.content.decode()


def test_explicit_deny_on_delete_user_beats_administrator_access_in_the_console(root_caller, user_console, make_user):
    no_deletes = managed.create_policy(caller=root_caller, policy_name="NoDeletes",
                                       policy_document=document(deny("iam:DeleteUser")))
    make_user("victim")
    _, client = user_console("admin", policies=(ADMIN, no_deletes.arn))
    response = client.post("/users/victim/delete/", {"confirm_name": "victim"})
    assert response.status_code == 403 and "explicit deny" in response.content.decode()
    assert User.objects.filter(user_name="victim").exists()


def test_permissions_boundary_caps_administrator_access_in_the_console(root_caller, user_console):
    _, client = user_console("capped", policies=(ADMIN,))
    boundary = managed.create_policy(caller=root_caller, policy_name="ListOnly",
                                     policy_document=document(allow(["iam:List*", "iam:Get*"])))
    boundaries.put_user_permissions_boundary(caller=root_caller, user_name="capped",
                                             permissions_boundary=boundary.arn)
    assert client.get("/users/").status_code == 200
    response = client.post("/users/create/", {"user_name": "blocked", "path": "/", "password_mode": "generate"})
    assert response.status_code == 403 and "permissions boundary" in response.content.decode()


def test_source_ip_condition_is_honoured_in_the_console(root_caller, make_user):
    office = managed.create_policy(caller=root_caller, policy_name="OfficeOnly", policy_document=document(
        allow("iam:ListUsers", Condition={"IpAddress": {"aws:SourceIp": "10.20.0.0/16"}})))
    make_user("office", password=USER_PASSWORD, policies=(office.arn,))
    inside, outside = Client(REMOTE_ADDR="10.20.1.2"), Client(REMOTE_ADDR="192.0.2.7")
    for client in (inside, outside):
        assert sign_in(client, "office", USER_PASSWORD).status_code == 302
    assert inside.get("/users/").status_code == 200
    assert outside.get("/users/").status_code == 403


def test_create_buttons_show_only_to_callers_who_may_create(root_console, user_console):
    _, reader = user_console("auditor", policies=(READ_ONLY,))
    for path, label in (("/users/", "Create user"), ("/groups/", "Create group"), ("/policies/", "Create policy"),
                        ("/roles/", "Create role")):
        assert label in root_console.get(path).content.decode()
        assert label not in reader.get(path).content.decode()


def test_create_user_form_is_all_or_nothing_and_the_refusal_is_still_audited(root_caller, user_console):
    from audit.models import AuditEvent
    from directory.services import groups

    groups.create_group(caller=root_caller, group_name="admins")
    may_create_not_add = managed.create_policy(caller=root_caller, policy_name="CreateOnly", policy_document=document(
        allow(["iam:CreateUser", "iam:CreateLoginProfile", "iam:ListGroups", "iam:GetAccountPasswordPolicy"])))
    creator, client = user_console("creator", policies=(may_create_not_add.arn,))
    response = client.post("/users/create/", {"user_name": "newbie", "path": "/", "console_access": "on",
                                              "password_mode": "generate", "groups": ["admins"]})
    assert response.status_code == 403
    assert not User.objects.filter(user_name="newbie").exists()
    events = AuditEvent.objects.filter(actor_arn=creator.arn).exclude(event_name="ConsoleLogin")
    assert [(e.event_name, e.outcome, e.error_code) for e in events] == [("AddUserToGroup", "Failure", "AccessDenied")]


def test_create_user_form_sets_a_permissions_boundary(root_console, root_caller):
    cap = managed.create_policy(caller=root_caller, policy_name="Cap", policy_document=document(allow("iam:Get*")))
    page = root_console.get("/users/create/").content.decode()
    assert "Permissions boundary" in page and cap.arn in page
    response = root_console.post("/users/create/", {"user_name": "bounded", "path": "/", "password_mode": "generate",
                                                     "permissions_boundary": cap.arn})
    assert response.status_code == 302
    assert User.objects.get(user_name="bounded").permissions_boundary.policy == cap
