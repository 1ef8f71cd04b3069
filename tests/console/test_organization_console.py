"""The organization in the console: enabling it, the tree with the guardrails at each node, OUs, moves, policy
types, account pages and the create-account flow, and refusals of everyone but the management account."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import Account, Organization, OrganizationalUnit, PolicyAttachment
from audit.models import AuditEvent
from directory.models import User

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def sections(response) -> list[str]:
    return re.findall(r'<h2 id="([\w-]+)"', text(response))


@pytest.fixture
def organization(root_console) -> Organization:
    assert root_console.post("/organization/").status_code == 302
    return Organization.objects.get()


def _units_created(client: Client, organization: Organization, *names: str, parent: str | None = None):
    for name in names:
        response = client.post("/organization/units/create/", {"unit-name": name,
                                                                "unit-parent_id": parent or organization.root_id})
        assert response.status_code == 302, text(response)
    return [OrganizationalUnit.objects.get(name=name) for name in names]


def test_the_management_account_enables_the_organization_from_the_console(root_console):
    page = root_console.get("/organization/")
    assert page.status_code == 200 and "Enable the organization" in text(page)
    response = root_console.post("/organization/")
    assert response.status_code == 302
    organization = Organization.objects.get()
    page = root_console.get("/organization/")
    assert sections(page) == ["summary-heading", "tree-heading", "unit-heading", "move-heading", "types-heading"]
    assert organization.id in text(page) and organization.root_id in text(page)
    assert "Accounts and OUs" in text(page)  # the side navigation offers the page


def test_ous_are_created_renamed_and_deleted_and_show_in_the_tree(root_console, organization):
    prod, = _units_created(root_console, organization, "Prod")
    team, = _units_created(root_console, organization, "Team", parent=prod.id)
    page = text(root_console.get("/organization/"))
    assert page.index(f'id="node-{prod.id}"') < page.index(f'id="node-{team.id}"')
    assert root_console.post(f"/organization/units/{team.id}/rename/", {"name": "Payments"}).status_code == 302
    assert OrganizationalUnit.objects.get(pk=team.id).name == "Payments"
    refused = root_console.post(f"/organization/units/{prod.id}/delete/", follow=True)
    assert "not empty" in text(refused) and OrganizationalUnit.objects.filter(pk=prod.id).exists()
    assert root_console.post(f"/organization/units/{team.id}/delete/").status_code == 302
    assert not OrganizationalUnit.objects.filter(pk=team.id).exists()


def test_a_duplicate_or_too_deep_ou_is_refused_beside_its_field(root_console, organization):
    parent = None
    for level in range(1, 6):
        parent = _units_created(root_console, organization, f"L{level}", parent=parent and parent.id)[0]
    response = root_console.post("/organization/units/create/", {"unit-name": "sixth", "unit-parent_id": parent.id})
    assert response.status_code == 400
    assert re.search(r'id="field-parent_id">.*?too many levels deep', text(response), re.S)
    response = root_console.post("/organization/units/create/", {"unit-name": "L1",
                                                                 "unit-parent_id": organization.root_id})
    assert response.status_code == 400 and re.search(r'id="field-name">.*?already exists', text(response), re.S)
    assert OrganizationalUnit.objects.count() == 5


def test_an_account_moves_through_the_picker(root_console, organization, make_account):
    member = make_account("Payments")
    prod, = _units_created(root_console, organization, "Prod")
    page = text(root_console.get("/organization/"))
    assert f'<option value="{member.id}">Payments ({member.id})</option>' in page
    response = root_console.post("/organization/move/", {"move-account_id": member.id,
                                                          "move-destination_id": prod.id})
    assert response.status_code == 302
    assert Account.objects.get(pk=member.id).parent_unit_id == prod.id
    response = root_console.post("/organization/move/", {"move-account_id": member.id,
                                                          "move-destination_id": prod.id})
    assert response.status_code == 400 and "already present" in text(response)


def test_policy_types_are_enabled_and_disabled_on_the_root(root_console, organization, make_account):
    member = make_account("Payments")
    assert root_console.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY",
                                                             "action": "enable"}).status_code == 302
    assert PolicyAttachment.objects.filter(target_id=member.id, policy_id="p-FullAWSAccess").exists()
    page = text(root_console.get("/organization/"))
    assert "SCP FullAWSAccess" in page
    root_console.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY", "action": "disable"})
    assert not PolicyAttachment.objects.exists()


def test_an_account_page_shows_its_path_and_the_guardrails_at_each_level(root_console, organization, make_account):
    member = make_account("Payments")
    prod, = _units_created(root_console, organization, "Prod")
    root_console.post("/organization/move/", {"move-account_id": member.id, "move-destination_id": prod.id})
    root_console.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY", "action": "enable"})
    page = root_console.get(f"/organization/accounts/{member.id}/")
    assert page.status_code == 200
    assert sections(page) == ["account-heading", "guardrails-heading", "root-heading"]
    body = text(page)
    assert re.search(r'id="member-path">Root <code>r-\w+</code> / Prod', body)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", body, re.S)
    assert [row.split(" <code>")[0] for row in rows] == ["Root", "OU Prod", "This account"]
    assert all("FullAWSAccess" in row for row in rows)
    management = root_console.get(f"/organization/accounts/{organization.management_account_id}/")
    assert "service control policies do not restrict it" in text(management)


def test_create_account_follows_its_status_to_the_new_account(root_console, organization):
    response = root_console.post("/organization/accounts/create/", {
        "account_name": "Sandbox", "email": "sandbox@example.com", "role_name": "OrganizationAccountAccessRole"})
    assert response.status_code == 302 and "/organization/create-status/car-" in response["Location"]
    status = root_console.get(response["Location"])
    account = Account.objects.get(name="Sandbox")
    assert 'id="create-state">SUCCEEDED' in text(status) and account.pk in text(status)
    fragment = root_console.get(response["Location"], HTTP_HX_REQUEST="true")
    assert text(fragment).startswith('<div id="create-status"') and "hx-trigger" not in text(fragment)
    again = root_console.post("/organization/accounts/create/", {"account_name": "Again",
                                                                 "email": "SANDBOX@example.com"})
    assert 'id="create-state">FAILED' in text(root_console.get(again["Location"]))
    assert "EMAIL_ALREADY_EXISTS" in text(root_console.get(again["Location"]))


def test_a_bad_email_is_refused_beside_its_field(root_console, organization):
    response = root_console.post("/organization/accounts/create/", {"account_name": "X", "email": "no-at-sign"})
    assert response.status_code == 400 and re.search(r'id="field-email">.*?valid email', text(response), re.S)
    assert Account.objects.count() == 1


def test_close_and_remove_an_account(root_console, organization, make_account):
    closing, leaving = make_account("Closing"), make_account("Leaving")
    assert root_console.post(f"/organization/accounts/{closing.id}/close/").status_code == 302
    assert Account.objects.get(pk=closing.id).status == "PENDING_CLOSURE"
    assert root_console.post(f"/organization/accounts/{leaving.id}/remove/").status_code == 302
    assert Account.objects.get(pk=leaving.id).organization_id is None
    refused = root_console.post(f"/organization/accounts/{organization.management_account_id}/close/", follow=True)
    assert "close the management account" in text(refused), re.findall(r"<li class=\"message.*?</li>", text(refused))
    assert Account.objects.get(pk=organization.management_account_id).status == "ACTIVE"


def test_a_member_root_password_is_shown_once_and_audited(root_console, organization, make_account):
    member = make_account("Payments")
    response = root_console.post(f"/organization/accounts/{member.id}/root-password/")
    assert response.status_code == 302
    shown = root_console.get(f"/organization/accounts/{member.id}/")
    password = re.search(r'id="root-password"[^>]*>([^<]+)<', text(shown))
    assert password, text(shown)
    assert "no-store" in shown["Cache-Control"]
    assert User.objects.get(account_id=member.id, is_superuser=True).check_password(password.group(1).strip())
    assert password.group(1).strip() not in text(root_console.get(f"/organization/accounts/{member.id}/"))
    event = AuditEvent.objects.filter(event_name="CreateLoginProfile").latest("event_time")
    assert password.group(1).strip() not in str(event.__dict__)


def test_a_member_accounts_administrator_can_neither_see_nor_change_the_organization(organization, make_account):
    member = make_account("Payments")
    member.make_user("admin", password="Member-Admin-Passw0rd!",
                     policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    client = Client()
    response = client.post("/sign-in/", {"account": member.id, "user_name": "admin",
                                         "password": "Member-Admin-Passw0rd!"})
    assert response.status_code == 302
    assert client.get("/organization/").status_code == 403
    assert client.get(f"/organization/accounts/{member.id}/").status_code == 403
    response = client.post("/organization/units/create/", {"unit-name": "Mine", "unit-parent_id": "r-0000"})
    assert response.status_code == 403 and not OrganizationalUnit.objects.exists()
    assert client.post(f"/organization/accounts/{member.id}/remove/").status_code == 403
    assert Account.objects.get(pk=member.id).organization_id == organization.id


def test_a_user_without_permission_is_refused_through_authorize(organization, user_console):
    _, client = user_console()
    response = client.get("/organization/")
    assert response.status_code == 403 and "AccessDenied" in text(response)
    assert "organizations:ListOrganizationalUnitsForParent" in text(response)
    response = client.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY",
                                                           "action": "enable"})
    assert response.status_code == 403
    assert Organization.objects.get().enabled_policy_types == []


def test_without_an_organization_a_member_cannot_enable_one(make_account):
    member = make_account("Payments")
    member.make_user("admin", password="Member-Admin-Passw0rd!",
                     policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    client = Client()
    sign_in_response = client.post("/sign-in/", {"account": member.id, "user_name": "admin",
                                                 "password": "Member-Admin-Passw0rd!"})
    assert sign_in_response.status_code == 302
    page = client.get("/organization/")
    assert "Only the directory's management account" in text(page)
    client.post("/organization/")
    assert not Organization.objects.exists()
