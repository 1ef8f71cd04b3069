"""The organization as a member account's principals see it: the organization, its management account and the
account's own path and guardrails, read only, and nothing of the rest of the tree."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Organization, OrganizationalUnit, OrganizationPolicy
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Member-Admin-Passw0rd!"
DENY_DELETE_USER = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]})


def text(response) -> str:
    return response.content.decode()


def signed_in(member, user_name: str = "admin",
              policies: tuple[str, ...] = ("arn:aws:iam::aws:policy/AdministratorAccess",)) -> Client:
    member.make_user(user_name, password=PASSWORD, policies=policies)
    client = Client()
    response = client.post("/sign-in/", {"account": member.id, "user_name": user_name, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def organization(root_console) -> Organization:
    """An organization with SCPs enabled, OUs Workloads/Prod and Sandbox, and an SCP attached to Prod."""
    assert root_console.post("/organization/").status_code == 302
    root_console.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY", "action": "enable"})
    organization = Organization.objects.get()
    for name, parent in (("Workloads", organization.root_id), ("Sandbox", organization.root_id)):
        assert root_console.post("/organization/units/create/", {
            "unit-name": name, "unit-parent_id": parent}).status_code == 302
    workloads = OrganizationalUnit.objects.get(name="Workloads")
    assert root_console.post("/organization/units/create/", {
        "unit-name": "Prod", "unit-parent_id": workloads.id}).status_code == 302
    assert root_console.post("/organization/policies/create/?type=SERVICE_CONTROL_POLICY", {
        "name": "KeepUsers", "description": "", "document": DENY_DELETE_USER}).status_code == 302
    prod = OrganizationalUnit.objects.get(name="Prod")
    policy = OrganizationPolicy.objects.get(name="KeepUsers")
    assert root_console.post(f"/organization/policies/{policy.id}/attach/", {"target_id": prod.id}).status_code == 302
    return organization


def _placed(root_console, organization, member, unit_name: str) -> OrganizationalUnit:
    unit = OrganizationalUnit.objects.get(name=unit_name)
    response = root_console.post("/organization/move/", {"move-account_id": member.id, "move-destination_id": unit.id})
    assert response.status_code == 302
    return unit


def test_a_member_administrator_sees_the_organization_and_its_own_place_in_it(root_console, organization,
                                                                              make_account):
    member, other = make_account("Payments"), make_account("Hidden-Neighbour", email="neighbour@example.com")
    prod = _placed(root_console, organization, member, "Prod")
    _placed(root_console, organization, other, "Sandbox")
    client = signed_in(member)
    assert "Your organization" in text(client.get("/"))  # the navigation offers the read-only view
    page = client.get("/organization/")
    assert page.status_code == 200
    body = text(page)
    management = Account.objects.get(pk=organization.management_account_id)
    assert f'id="organization-id">{organization.id}<' in body
    assert f'id="management-account-id">{management.pk}<' in body
    assert f'id="management-account-email">{management.email}<' in body
    workloads = OrganizationalUnit.objects.get(name="Workloads")
    assert re.search(rf'id="member-path">Root <code>{organization.root_id}</code> / Workloads <code>{workloads.id}'
                     rf'</code> / Prod <code>{prod.id}</code></dd>', body)
    rows = re.findall(r'<tr><th scope="row">(.*?)</tr>', body, re.S)
    assert [row.split(" <code>")[0] for row in rows] == ["Root", "OU Workloads", "OU Prod", "This account"]
    assert "KeepUsers" in rows[2] and "KeepUsers" not in rows[0] + rows[1] + rows[3]
    assert all("FullAWSAccess" in row for row in rows)


def test_a_member_sees_no_other_account_or_ou_and_no_management_action(root_console, organization, make_account):
    member, other = make_account("Payments"), make_account("Hidden-Neighbour", email="neighbour@example.com")
    _placed(root_console, organization, member, "Prod")
    _placed(root_console, organization, other, "Sandbox")
    body = text(signed_in(member).get("/organization/"))
    sandbox = OrganizationalUnit.objects.get(name="Sandbox")
    for hidden in ("Hidden-Neighbour", other.id, "neighbour@example.com", "Sandbox", sandbox.id):
        assert hidden not in body
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main and "<button" not in main
    for action in ("Create account", "SCPs and RCPs", "Create OU", "Move", "Enable", "/organization/accounts/"):
        assert action not in main


def test_a_member_administrator_still_cannot_change_anything(root_console, organization, make_account):
    member = make_account("Payments")
    _placed(root_console, organization, member, "Prod")
    client = signed_in(member)
    sandbox = OrganizationalUnit.objects.get(name="Sandbox")
    before = (list(OrganizationalUnit.objects.values_list("id", "name", "parent_id").order_by("id")),
              list(Account.objects.values_list("id", "parent_unit_id", "status").order_by("id")))
    assert client.post("/organization/").status_code == 302  # AlreadyInOrganization, shown as a message
    refused = [
        client.post("/organization/units/create/", {"unit-name": "Mine", "unit-parent_id": organization.root_id}),
        client.post(f"/organization/units/{sandbox.id}/rename/", {"name": "Mine"}),
        client.post(f"/organization/units/{sandbox.id}/delete/"),
        client.post("/organization/move/", {"move-account_id": member.id, "move-destination_id": sandbox.id}),
        client.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY", "action": "disable"}),
        client.post(f"/organization/accounts/{member.id}/remove/"),
        client.get(f"/organization/accounts/{member.id}/"),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert before == (list(OrganizationalUnit.objects.values_list("id", "name", "parent_id").order_by("id")),
                      list(Account.objects.values_list("id", "parent_unit_id", "status").order_by("id")))
    assert Organization.objects.get().enabled_policy_types == ["SERVICE_CONTROL_POLICY"]


def test_a_member_user_without_describe_organization_is_refused_through_authorize(organization, make_account):
    member = make_account("Payments")
    client = signed_in(member, "reader", policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    assert "Your organization" not in text(client.get("/"))
    response = client.get("/organization/")
    assert response.status_code == 403 and "organizations:DescribeOrganization" in text(response)
    assert AuditEvent.objects.filter(event_name="DescribeOrganization", error_code="AccessDenied").exists()


def test_the_management_account_still_sees_the_whole_tree(root_console, organization, make_account):
    make_account("Hidden-Neighbour")
    body = text(root_console.get("/organization/"))
    assert 'id="org-tree"' in body and "Hidden-Neighbour" in body and "Sandbox" in body


def test_the_member_page_takes_as_many_queries_whatever_the_size_of_the_organization(root_console, organization,
                                                                                     make_account):
    member = make_account("Payments")
    _placed(root_console, organization, member, "Prod")
    client = signed_in(member)
    client.get("/organization/")  # the caller's policy set cached

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/organization/").status_code == 200
        return len(captured)

    few = queries()
    for i in range(4):
        _placed(root_console, organization, make_account(f"Other{i}"), "Sandbox")
        root_console.post("/organization/units/create/", {"unit-name": f"Extra{i}",
                                                          "unit-parent_id": organization.root_id})
    client.get("/organization/")  # the tree changed: the caller's cached guardrails are loaded again once
    assert queries() == few
