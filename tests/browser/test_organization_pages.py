"""The organization's pages in Chromium at 1280 and 390 px (sections there, no sideways growth, axe-core finds no
serious or critical violation, the keyboard reaches the forms), and the newcomer's story: create the organization,
an OU, a member account, attach an SCP that stops that account's administrator, sign in to the member account,
and switch from one account into a role of another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account, Organization, OrganizationPolicy
from organizations.services import members, organization, policies, units
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_page_types import WIDTHS, _axe_source, _axe_violations, _no_horizontal_overflow
from tests.browser.test_policy_editor import replace_document
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "organization.png"

DENY_CREATE_USER = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}, indent=2)


@pytest.fixture
def organized(root, root_caller):
    """An organization with SCPs enabled, an OU, a member account in it and an SCP attached to the OU."""
    made = organization.create_organization(caller=root_caller)
    organization.enable_policy_type(caller=root_caller, root_id=made.root_id, policy_type="SERVICE_CONTROL_POLICY")
    unit = units.create_organizational_unit(caller=root_caller, parent_id=made.root_id, name="Sandbox").unit
    status = members.create_account(caller=root_caller, email="team@example.com", account_name="Team").request
    members.move_account(caller=root_caller, account_id=status.account_id, source_parent_id=made.root_id,
                         destination_parent_id=unit.id)
    scp = policies.create_policy(caller=root_caller, content=DENY_CREATE_USER, description="", name="NoNewUsers",
                                 policy_type="SERVICE_CONTROL_POLICY").policy
    policies.attach_policy(caller=root_caller, policy_id=scp.id, target_id=unit.id)
    return {"account": status.account_id, "unit": unit.id, "scp": scp.id, "request": status.id, "root": made.root_id}


def _pages(ids: dict) -> list[tuple[str, str, str, list[str]]]:
    return [
        ("organization", "/organization/", "Organization",
         ["Root, OUs and accounts", "Create an organizational unit", "Move an account", "Policy types of the root"]),
        ("organization-account", f"/organization/accounts/{ids['account']}/", "Team",
         ["Guardrails in force", "Parent path", "Give the root user a password"]),
        ("organization-account-create", "/organization/accounts/create/", "Create a member account",
         ["Access role name"]),
        ("organization-create-status", f"/organization/create-status/{ids['request']}/", "Create account status",
         ["SUCCEEDED"]),
        ("organization-policies", "/organization/policies/", "Service control policies (SCPs)", ["NoNewUsers"]),
        ("organization-policy-create", "/organization/policies/create/?type=SERVICE_CONTROL_POLICY",
         "Create a policy: Service control policies (SCPs)", ["Policy document"]),
        ("organization-policy", f"/organization/policies/{ids['scp']}/", "NoNewUsers",
         ["Targets", "What would this change?", "Summary"]),
        ("organization-policy-impact", f"/organization/policies/{ids['scp']}/impact/?target_id={ids['root']}",
         None, ["Actions that would be refused"]),
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_organization_pages_are_complete_readable_and_accessible(new_page, shot, organized, width):
    page = new_page()
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, "root", ROOT_PASSWORD)
    source, failures = _axe_source(), []
    for name, path, heading, texts in _pages(organized):
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        for text in texts:
            expect(page.get_by_text(text, exact=False).first).to_be_attached()
        _no_horizontal_overflow(page)
        shot(page, f"page-{name}-{width}")
        failures += [f"{name}: {violation}" for violation in _axe_violations(page, source)]
    assert failures == []
    assert page.csp_errors == []


def test_the_organization_forms_are_reached_and_sent_with_the_keyboard(new_page, organized):
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto("/organization/")
    page.get_by_label("Name of the new OU").focus()
    page.keyboard.type("Keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Under")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create OU")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#org-tree")).to_contain_text("Keyboard")


def test_a_newcomers_organization_story(new_page, shot, root, make_user):
    make_user("alice", password="Alice-Passw0rd!", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.get_by_role("link", name="Accounts and OUs").click()
    page.get_by_role("button", name="Enable the organization").click()
    expect(page.get_by_role("heading", name="Root, OUs and accounts")).to_be_visible()
    page.get_by_role("button", name="Enable Service control policies (SCPs)").click()
    expect(page.locator("#org-tree")).to_contain_text("SCP FullAWSAccess")
    page.get_by_label("Name of the new OU").fill("Sandbox")
    page.get_by_role("button", name="Create OU").click()
    expect(page.locator("#org-tree")).to_contain_text("Sandbox")

    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Account name").fill("Team")
    page.get_by_label("E-mail address of the account's owner").fill("team@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#create-state")).to_have_text("SUCCEEDED")
    member = Account.objects.get(name="Team").pk
    page.get_by_role("link", name=f"View account {member}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team")

    page.goto("/organization/")
    page.get_by_label("Account", exact=True).select_option(member)
    page.get_by_label("Move to").select_option(label="— Sandbox")
    page.get_by_role("button", name="Move account").click()
    unit = Organization.objects.get().units.get(name="Sandbox")
    expect(page.locator(f"#node-{unit.id}")).to_contain_text("Team")

    page.get_by_role("link", name="SCPs and RCPs").click()
    page.get_by_role("link", name="Create policy").click()
    page.get_by_label("Policy name").fill("NoNewUsers")
    expect(page.locator(".ace-host .ace_content")).to_be_visible()
    replace_document(page, DENY_CREATE_USER)
    expect(page.get_by_role("button", name="Create policy")).to_be_enabled()  # validated as an SCP as typed
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NoNewUsers")
    scp = OrganizationPolicy.objects.get(name="NoNewUsers")
    page.get_by_label("Target (root, OU or account)").select_option(unit.id)
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator("#policy-targets")).to_contain_text("Sandbox")
    assert scp.attachments.filter(target_id=unit.id).exists()
    shot(page, "story-scp-attached")

    page.goto(f"/organization/accounts/{member}/")
    expect(page.locator("#guardrails")).to_contain_text("NoNewUsers")
    page.get_by_role("button", name="Give the root user a password").click()
    password = page.locator("#root-password").inner_text().strip()
    page.get_by_role("button", name="Sign out").click()

    # The member account's root user is its administrator: the SCP stops it creating users.
    page.goto("/sign-in/")
    page.get_by_label("Account ID or alias").fill(member)
    page.get_by_label("User name").fill("root")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#account-id")).to_have_text(member)
    page.goto("/users/create/")
    page.get_by_label("User name").fill("intruder")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("service control policy", exact=False).first).to_be_visible()
    shot(page, "story-scp-refuses-member-root")
    page.get_by_role("button", name="Sign out").click()

    # A user of the management account switches into the member account's access role.
    page.goto("/sign-in/")
    page.get_by_label("Account ID or alias").fill(root.account_id)  # the sign-in page remembers the last account
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("Alice-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/switch-role/?account={member}&roleName=OrganizationAccountAccessRole")
    expect(page.get_by_label("Account ID or alias")).to_have_value(member)
    page.get_by_role("button", name="Switch role").click()
    expect(page.get_by_role("heading", name="Session credentials")).to_be_visible()
    page.goto("/")
    expect(page.locator("#account-id")).to_have_text(member)
    shot(page, "story-switched-into-member")


def test_the_organization_page_as_the_docs_show_it(new_page, organized):
    """docs/organization/console.md shows the tree this way (refresh it by copying the screenshot over
    docs/images/organization.png)."""
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto("/organization/")
    tree = page.locator("#tree-heading").locator("xpath=..")
    expect(tree).to_contain_text("NoNewUsers")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = SCREENSHOTS / "docs-organization.png"
    tree.screenshot(path=str(taken))
    assert taken.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert DOCS_IMAGE.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
