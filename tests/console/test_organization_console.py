"""The organization in the console: enabling it, the tree with the guardrails at each node, OUs, moves, policy
types, account pages and the create-account flow, and refusals of everyone but the management account."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Account, Organization, OrganizationalUnit, OrganizationPolicy, PolicyAttachment
from audit.models import AuditEvent
from directory.models import User
from evidence.models import ActionUsage
from tests.walks.door_console import _Forms
from tests.walks.doors import NON_ASCII_DIGITS, NUL

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
    assert f"/switch-role/?account={member.id}&amp;roleName=OrganizationAccountAccessRole" in body
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


def test_a_member_accounts_administrator_can_neither_see_the_tree_nor_change_it(organization, make_account):
    member = make_account("Payments")
    member.make_user("admin", password="Member-Admin-Passw0rd!",
                     policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    client = Client()
    response = client.post("/sign-in/", {"account": member.id, "user_name": "admin",
                                         "password": "Member-Admin-Passw0rd!"})
    assert response.status_code == 302
    assert "Accounts and OUs" not in text(client.get("/"))  # the navigation offers its read-only view instead
    assert 'id="org-tree"' not in text(client.get("/organization/"))
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


# --- SCPs and RCPs -------------------------------------------------------------------------------------------
DENY_CREATE_USER = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]})


@pytest.fixture
def scps(root_console, organization) -> Organization:
    root_console.post("/organization/policy-types/", {"policy_type": "SERVICE_CONTROL_POLICY", "action": "enable"})
    return organization


def _scp_created(client: Client, name: str = "NoNewUsers", document: str = DENY_CREATE_USER) -> OrganizationPolicy:
    response = client.post("/organization/policies/create/?type=SERVICE_CONTROL_POLICY",
                           {"name": name, "description": "", "document": document})
    assert response.status_code == 302, text(response)
    return OrganizationPolicy.objects.get(name=name)


def test_the_policy_pages_show_their_sections_and_the_editor_validates_as_scp(root_console, scps):
    page = root_console.get("/organization/policies/?type=SERVICE_CONTROL_POLICY")
    assert page.status_code == 200 and sections(page) == ["policies-heading"] and "FullAWSAccess" in text(page)
    create = root_console.get("/organization/policies/create/?type=SERVICE_CONTROL_POLICY")
    assert 'data-policy-type="SERVICE_CONTROL_POLICY"' in text(create) and "data-policy-editor" in text(create)
    policy = _scp_created(root_console)
    detail = root_console.get(f"/organization/policies/{policy.id}/")
    assert sections(detail) == ["details-heading", "targets-heading", "document-heading", "summary-title"]
    assert 'data-policy-type="SERVICE_CONTROL_POLICY"' in text(detail)
    validated = root_console.post("/api/v1/policies/validate/", json.dumps({
        "policy_document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]},
        "policy_type": "SERVICE_CONTROL_POLICY"}), content_type="application/json")
    assert validated.status_code == 200 and not json.loads(validated.content)["valid"], validated.content


def test_an_scp_with_a_principal_is_refused_beside_the_document(root_console, scps):
    response = root_console.post("/organization/policies/create/?type=SERVICE_CONTROL_POLICY", {
        "name": "Bad", "description": "", "document": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})})
    assert response.status_code == 400
    assert re.search(r'id="field-document">.*?Principal', text(response), re.S)
    assert not OrganizationPolicy.objects.filter(name="Bad").exists()
    too_long = root_console.post("/organization/policies/create/?type=SERVICE_CONTROL_POLICY", {
        "name": "Long", "description": "", "document": " " * 5121})
    assert too_long.status_code == 400 and not OrganizationPolicy.objects.filter(name="Long").exists()


def test_attach_and_detach_with_the_last_scp_kept(root_console, scps, make_account):
    member = make_account("Payments")
    policy = _scp_created(root_console)
    response = root_console.post(f"/organization/policies/{policy.id}/attach/", {"target_id": member.id})
    assert response.status_code == 302
    assert PolicyAttachment.objects.filter(policy=policy, target_id=member.id).exists()
    again = root_console.post(f"/organization/policies/{policy.id}/attach/", {"target_id": member.id})
    assert again.status_code == 400 and re.search(r'id="field-target_id">.*?already attached', text(again), re.S)
    detached = root_console.post(f"/organization/policies/{policy.id}/detach/", {"target_id": member.id},
                                 follow=True)
    assert "Detached" in text(detached)
    last = root_console.post("/organization/policies/p-FullAWSAccess/detach/", {"target_id": member.id},
                             follow=True)
    assert "keeps at least one policy" in text(last)
    assert PolicyAttachment.objects.filter(policy_id="p-FullAWSAccess", target_id=member.id).exists()


def test_an_scp_is_edited_and_aws_managed_ones_are_read_only(root_console, scps):
    policy = _scp_created(root_console)
    response = root_console.post(f"/organization/policies/{policy.id}/", {
        "name": "NoNewUsersOrGroups", "description": "no", "document": DENY_CREATE_USER})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.name == "NoNewUsersOrGroups" and policy.version == 2
    managed = text(root_console.get("/organization/policies/p-FullAWSAccess/"))
    assert "AWS (read-only)" in managed and 'name="document"' not in managed


def test_what_an_scp_would_change_lists_the_actions_used_that_it_would_refuse(root_console, scps, make_account):
    member = make_account("Payments")
    member.make_user("used")  # the member root created a user: iam:CreateUser in the member's audit trail
    policy = _scp_created(root_console)
    page = root_console.get(f"/organization/policies/{policy.id}/impact/?target_id={scps.root_id}")
    assert page.status_code == 200 and sections(page) == ["scope-heading", "losses-heading"]
    rows = re.findall(r"<tr><td>Payments <code>(\d+)</code></td><td class=\"break\">([^<]+)</td><td><code>([^<]+)"
                      r"</code>", text(page))
    assert rows == [(member.id, f"arn:aws:iam::{member.id}:root", "iam:CreateUser")]
    harmless = _scp_created(root_console, "NoS3", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}))
    page = root_console.get(f"/organization/policies/{harmless.id}/impact/?target_id={member.id}")
    assert "Nobody would lose an action they used." in text(page)
    assert not PolicyAttachment.objects.filter(policy__in=[policy, harmless]).exists()  # a preview changes nothing


def test_what_an_scp_would_change_counts_the_last_accessed_evidence_too(root_console, scps, make_account):
    """A decision for a registered service is in the last-accessed aggregates, not in the audit trail."""
    member = make_account("Payments")
    reader = member.make_user("reader")
    ActionUsage.objects.create(account_id=member.id, entity_type="user", entity_id=reader.user_id, service="docs",
                               action="ReadPage", allowed=True, count=3, last_at=timezone.now(),
                               last_principal_arn=reader.arn, last_source="service")
    ActionUsage.objects.create(account_id=member.id, entity_type="user", entity_id=reader.user_id, service="docs",
                               action="OldPage", allowed=True, count=1, last_at=timezone.now() - timedelta(days=91),
                               last_principal_arn=reader.arn, last_source="service")
    policy = _scp_created(root_console, "NoDocs", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "docs:*", "Resource": "*"}]}))
    page = text(root_console.get(f"/organization/policies/{policy.id}/impact/?target_id={member.id}"))
    assert f"<td class=\"break\">{reader.arn}</td><td><code>docs:ReadPage</code>" in page
    assert "docs:OldPage" not in page  # older than 90 days


def test_a_member_administrator_cannot_reach_the_policies(organization, make_account):
    member = make_account("Payments")
    member.make_user("admin", password="Member-Admin-Passw0rd!",
                     policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    client = Client()
    client.post("/sign-in/", {"account": member.id, "user_name": "admin", "password": "Member-Admin-Passw0rd!"})
    assert client.get("/organization/policies/").status_code == 403
    response = client.post("/organization/policies/create/", {"name": "Mine", "description": "",
                                                              "document": DENY_CREATE_USER})
    assert response.status_code == 403 and not OrganizationPolicy.objects.filter(name="Mine").exists()
    assert client.post("/organization/policies/p-FullAWSAccess/detach/",
                       {"target_id": organization.root_id}).status_code == 403


# --- hostile input on every form of the organization's pages, with an organization there -------------------------
REFUSED = (NUL, "x" * 6000)  # no field of these forms takes either
ODD = (*NON_ASCII_DIGITS, "../../etc", "<script>alert(1)</script>")  # some fields take them (an OU's name)


def _forms(client: Client, path: str) -> list[tuple[str, dict[str, str]]]:
    page = _Forms()
    page.feed(text(client.get(path)))
    return [(action or path, fields) for action, fields in page.forms
            if not action.startswith(("/sign-out/", "/switch-role/back/"))]


def test_hostile_input_in_every_field_of_every_organization_form(root_console, scps, make_account):
    """Every field of every form, sent back with a NUL or 6,000 characters, is refused and changes nothing; sent with
    odd but possible values, it is never a server error, and what is kept is shown escaped."""
    member = make_account("Payments")
    unit, = _units_created(root_console, scps, "Prod")
    policy = _scp_created(root_console)
    pages = ["/organization/", f"/organization/accounts/{member.id}/", "/organization/accounts/create/",
             f"/organization/units/{unit.id}/rename/", f"/organization/units/{unit.id}/delete/",
             f"/organization/accounts/{member.id}/close/", f"/organization/accounts/{member.id}/remove/",
             "/organization/policies/create/?type=SERVICE_CONTROL_POLICY", f"/organization/policies/{policy.id}/",
             f"/organization/policies/{policy.id}/impact/?target_id={unit.id}"]

    def state():
        return (list(Account.objects.order_by("pk").values_list("pk", "status", "parent_unit_id", "organization_id")),
                list(OrganizationalUnit.objects.order_by("pk").values_list("pk", "name", "parent_id")),
                list(OrganizationPolicy.objects.order_by("pk").values_list("pk", "name", "content", "version")),
                list(PolicyAttachment.objects.order_by("pk").values_list("policy_id", "target_id")),
                Organization.objects.get().enabled_policy_types)

    def send(values) -> int:
        sent = 0
        for path in pages:
            for value in values:
                response = root_console.get(f"{path.split('?')[0]}?type={value}&target_id={value}&marker={value}")
                assert response.status_code < 500, (path, value)
            for action, fields in _forms(root_console, path):
                for name in fields:
                    if name == "csrfmiddlewaretoken":
                        continue
                    for value in values:
                        response = root_console.post(action, {**fields, name: value})
                        sent += 1
                        assert response.status_code < 500, (action, name, value)
        return sent

    before = state()
    assert send(REFUSED) >= 40
    assert state() == before
    assert send(ODD) >= 80
    assert "<script>alert(1)</script>" not in text(root_console.get("/organization/"))
    for path in (f"/organization/accounts/{value}/" for value in (*REFUSED, *ODD)):
        assert root_console.get(path).status_code in (400, 403, 404)

