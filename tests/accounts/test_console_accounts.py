"""The console within accounts: each account's pages show its own entities under shared names, Switch role goes
from one account into a role of another (by id or alias) and remembers it, and the role wizard refuses a trust
policy naming an account the directory does not hold."""

from __future__ import annotations

import pytest
from django.test import Client

from directory.services import inline
from sts.models import RecentRole
from tests.accounts.isolation import MANAGEMENT, furnish, furnish_only_in_management, trust_of
from tests.accounts.test_cross_account_sts import make_role
from tests.sts.conftest import READ_ONLY, allow, document

pytestmark = pytest.mark.django_db
PASSWORD = "Admin-in-B-Passw0rd!"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def member_console(root_caller, make_account):
    """A member account furnished like the management account, and a console signed in to it as its admin."""
    member = make_account("Team B", alias="team-b")
    furnish(root_caller, path="/a/", minimum_length=10)
    furnish(member.caller, path="/b/", minimum_length=14)
    member.make_user("admin", password=PASSWORD, policies=(ADMIN,))
    client = Client()
    response = client.post("/sign-in/", {"account": "team-b", "user_name": "admin", "password": PASSWORD})
    assert response.status_code == 302
    return member, client


def test_each_page_shows_the_accounts_own_entities(member_console, root_caller):
    member, client = member_console
    furnish_only_in_management(root_caller)
    users = client.get("/users/").content.decode()
    assert "/b/" in users and "/a/" not in users
    assert "only-in-a" not in users and MANAGEMENT not in users
    assert f"arn:aws:iam::{member.id}:user/b/alice" in client.get("/users/alice/").content.decode()
    for path in ("/users/only-in-a/", "/groups/only-in-a/", "/roles/only-in-a/",
                 f"/policies/detail/arn:aws:iam::{MANAGEMENT}:policy/only-in-a"):
        assert client.get(path).status_code == 404, path
    policies = client.get("/policies/?scope=Local").content.decode()
    assert "shared" in policies and "only-in-a" not in policies
    # The trail holds the member's own attempts (its refused reads above among them), none of the management's.
    audit = client.get("/audit/?max_items=200").content.decode()
    assert "GetPolicy" in audit and f"<code>arn:aws:iam::{member.id}:root</code>" in audit
    assert f"<code>arn:aws:iam::{MANAGEMENT}:root</code>" not in audit


def test_switch_role_goes_into_another_accounts_role_by_alias_and_remembers_it(root_caller, make_user,
                                                                               make_account, user_console):
    member = make_account("Team B", alias="team-b")
    make_role(member.caller, "ops", trust_of(MANAGEMENT), policies=(READ_ONLY,))
    member.make_user("b-only-user")
    user, client = user_console("alice")
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="assume",
                           policy_document=document(allow("sts:AssumeRole", f"arn:aws:iam::{member.id}:role/*")))
    response = client.post("/switch-role/", {"account": "team-b", "role_name": "ops", "display_name": "",
                                             "color": "green", "duration_seconds": 3600})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    page = client.get("/").content.decode()
    assert "<code>team-b</code>" in page and f"arn:aws:sts::{member.id}:assumed-role/ops/alice" in page
    assert "b-only-user" in client.get("/users/").content.decode()
    recent = RecentRole.objects.get(user=user)
    assert (recent.account, recent.role_name, recent.display_name) == (member.id, "ops", "ops @ team-b")
    # Back to the user: the console acts in the user's own account again, and the menu offers the role again.
    client.post("/switch-role/back/")
    page = client.get("/").content.decode()
    assert f"<code>{MANAGEMENT}</code>" in page and f'name="account" value="{member.id}"' in page


def test_the_switch_role_link_of_a_role_names_its_account(member_console):
    member, client = member_console
    page = client.get("/roles/deployer/")
    assert f"account={member.id}" in page.context["switch_link"]


def test_the_role_wizard_refuses_a_trust_policy_naming_an_account_the_directory_does_not_hold(member_console):
    _, client = member_console
    response = client.post("/roles/create/", {
        "role_name": "outsider", "path": "/", "description": "", "max_session_duration": 3600,
        "document": trust_of("210987654321")})
    assert response.status_code == 400
    assert 'Invalid principal in policy: &quot;AWS&quot;:&quot;arn:aws:iam::210987654321:root&quot;' in \
        response.content.decode()
