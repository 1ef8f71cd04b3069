"""Switch role in a real browser: the link, the bar, allowed and denied pages, copying credentials, going back."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from directory.services import role_policies, roles
from tests.browser.conftest import sign_in
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ALICE_PASSWORD = "Alice-Passw0rd!"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def trusting(user_name: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::123456789012:user/{user_name}"},
        "Action": "sts:AssumeRole"}]})


def test_switch_to_a_role_act_with_its_permissions_copy_credentials_and_go_back(new_page, shot, make_user,
                                                                                  root_caller):
    make_user("alice", password=ALICE_PASSWORD)
    roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=trusting("alice"),
                      description="Read-only access to the directory")
    role_policies.attach_role_policy(caller=root_caller, role_name="reader", policy_arn=READ_ONLY)

    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "alice", ALICE_PASSWORD)
    page.goto("/switch-role?roleName=reader&displayName=Directory%20reader&color=green")
    expect(page.get_by_label("Account")).to_have_value("123456789012")
    expect(page.get_by_label("Role", exact=True)).to_have_value("reader")
    expect(page.get_by_label("Display name")).to_have_value("Directory reader")
    expect(page.locator("input[name=color][value=green]")).to_be_checked()
    shot(page, "switch-role-01-form")
    page.get_by_role("button", name="Switch role").click()

    # The credentials, shown once, with copy buttons that really copy.
    expect(page.get_by_role("heading", name="Session credentials")).to_be_visible()
    secret = page.locator("#cred-secret").text_content().strip()
    assert len(secret) == 40
    page.get_by_role("button", name="Copy SecretAccessKey").click()
    expect(page.get_by_role("button", name="Copy SecretAccessKey")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.get_by_role("button", name="Copy the shell export lines").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert f"export AWS_SECRET_ACCESS_KEY={secret}" in copied and copied.startswith("export AWS_ACCESS_KEY_ID=ASIA")
    shot(page, "switch-role-02-credentials")

    # The bar, and the role's permissions: it may read users but not create a group.
    bar = page.locator("#role-bar")
    expect(bar).to_contain_text("Directory reader")
    expect(bar).to_contain_text("reader")
    expect(page.locator("#role-time-left")).to_have_text("59 min")
    assert page.evaluate("getComputedStyle(document.getElementById('role-bar')).backgroundColor") == \
        "rgb(183, 202, 157)"
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.locator("#users-table").get_by_role("link", name="alice")).to_be_visible()
    shot(page, "switch-role-03-bar-allowed-page")
    page.goto("/groups/create/")
    page.get_by_label("Group name").fill("admins")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    expect(page.get_by_text("assumed-role/reader/alice is not authorized to perform: iam:CreateGroup")).to_be_visible()
    shot(page, "switch-role-04-denied-page")

    # Afterwards the panel shows the key id and expiration only.
    bar.get_by_role("link", name="Credentials").click()
    expect(page.locator("#credentials-note")).to_contain_text("shown once")
    expect(page.locator("#cred-secret")).to_have_count(0)
    shot(page, "switch-role-05-credentials-later")

    # The role is one click away in the identity menu.
    page.locator(".role-menu summary").click()
    expect(page.locator(".role-menu .recent-role-button")).to_have_text("Directory reader")
    shot(page, "switch-role-06-menu")

    bar.get_by_role("button", name="Back to alice").click()
    expect(page.get_by_text("You left Directory reader and are back to alice.")).to_be_visible()
    expect(page.locator("#role-bar")).to_have_count(0)
    page.goto("/users/")
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    assert page.csp_errors == []


def test_roles_list_detail_and_create_wizard(new_page, shot, root, root_caller):
    roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=trusting("alice"),
                      description="Read-only access to the directory")
    role_policies.attach_role_policy(caller=root_caller, role_name="reader", policy_arn=READ_ONLY)
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.get_by_role("link", name="Roles", exact=True).click()
    expect(page.get_by_role("link", name="reader")).to_be_visible()
    shot(page, "roles-01-list")
    page.get_by_role("link", name="reader").click()
    expect(page.locator("#role-arn")).to_have_text("arn:aws:iam::123456789012:role/reader")
    shot(page, "roles-02-detail")
    page.get_by_role("link", name="Trust relationships").click()
    expect(page.locator(".policy-editor")).to_have_attribute("data-policy-type", "TRUST_POLICY")
    shot(page, "roles-03-trust")
    page.get_by_role("link", name="Permissions").click()
    expect(page.locator("#attached-policies")).to_contain_text("IAMReadOnlyAccess")
    shot(page, "roles-04-permissions")

    page.goto("/roles/create/?template=mfa")
    page.get_by_label("Role name").fill("breakglass")
    shot(page, "roles-05-create")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_text("Role breakglass created.")).to_be_visible()
    page.get_by_role("link", name="Trust relationships").click()
    expect(page.locator(".policy-editor")).to_contain_text("aws:MultiFactorAuthPresent")
    page.goto("/roles/reader/delete/")
    page.get_by_label("Type reader to confirm").fill("reader")
    page.get_by_role("button", name="Delete role").click()
    expect(page.get_by_text("Cannot delete entity, must detach all policies first.")).to_be_visible()
    shot(page, "roles-06-delete-conflict")
    assert page.csp_errors == []
