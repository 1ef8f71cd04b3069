"""The policy editor and simulator in Chromium: live validation markers, fixing, saving a version, simulating."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from policies.services import managed
from tests.browser.conftest import sign_in
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARN = "arn:aws:iam::123456789012:policy/ReadUsers"
GOOD = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadUsers", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]}, indent=2)
BROKEN = GOOD.replace('"Effect": "Allow"', '"Effect": "Alow"')  # line 6


def replace_document(page, text: str) -> None:
    page.locator(".ace-host .ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_broken_policy_shows_an_error_marker_on_its_line_then_clears_and_saves_a_new_version(
        new_page, shot, root_caller):
    managed.create_policy(caller=root_caller, policy_name="ReadUsers", policy_document=GOOD.replace(
        ', "iam:ListUsers"', "").replace(',\n        "iam:ListUsers"', ""))
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto(f"/policies/new-version/{ARN}")
    expect(page.locator(".ace-host .ace_content")).to_be_visible()
    save = page.get_by_role("button", name="Save new version")
    expect(page.locator("[data-policy-editor]")).to_have_attribute("data-state", "valid")
    expect(save).to_be_enabled()

    replace_document(page, BROKEN)
    started = time.monotonic()
    marker = page.locator(".ace_gutter-cell.ace_error")
    expect(marker).to_have_count(1, timeout=1000)
    elapsed = time.monotonic() - started
    assert marker.inner_text().strip() == "6"
    assert elapsed < 1.0
    expect(save).to_be_disabled()
    expect(page.locator('[data-count="ERROR"] strong')).to_have_text("1")
    error_item = page.locator(".finding.error")
    expect(error_item).to_contain_text("Ln 6")
    expect(page.locator("[data-editor-status]")).to_have_text("1 error to fix")
    page.locator(".finding.error .finding-go").click()
    cursor_row = page.evaluate("document.querySelector('[data-policy-editor]').editor.getCursorPosition().row")
    assert cursor_row == 5
    shot(page, "20-policy-editor-error")

    replace_document(page, GOOD)
    expect(page.locator(".ace_gutter-cell.ace_error")).to_have_count(0, timeout=1000)
    expect(save).to_be_enabled()
    expect(page.locator('[data-count="ERROR"] strong')).to_have_text("0")
    expect(page.locator("[data-summary]")).to_contain_text("Limited: List")
    shot(page, "21-policy-editor-valid")
    save.click()

    expect(page.get_by_text("Version v2 of ReadUsers created and set as the default.")).to_be_visible()
    expect(page.locator("#versions-table")).to_contain_text("v2")
    expect(page.locator("#versions-table tr.selected")).to_contain_text("Default")
    shot(page, "22-policy-versions")
    assert page.csp_errors == []


def test_create_policy_and_simulate_a_user_then_follow_the_statement_link(new_page, shot, make_user):
    make_user("alice", policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.get_by_role("link", name="Policies", exact=True).click()
    expect(page.locator("#policies-table")).to_contain_text("AdministratorAccess")
    shot(page, "23-policy-list")
    page.get_by_role("link", name="Create policy").click()
    page.get_by_label("Policy name").fill("ReadUsers")
    expect(page.locator("[data-policy-editor]")).to_have_attribute("data-state", "invalid")  # the empty template
    replace_document(page, GOOD)
    expect(page.get_by_role("button", name="Create policy")).to_be_enabled()
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_text("Policy ReadUsers created.")).to_be_visible()
    shot(page, "24-policy-detail")

    page.goto("/policies/simulator/")
    page.get_by_label("User", exact=True).fill("alice")
    page.get_by_label("Actions").fill("iam:GetUser\niam:CreateUser")
    page.get_by_label("Resource ARNs").fill("arn:aws:iam::123456789012:user/bob")
    page.get_by_role("button", name="Run simulation").click()
    results = page.locator("#simulation-results")
    expect(results).to_contain_text("Allowed")
    expect(results).to_contain_text("Denied (no statement allows)")
    shot(page, "25-policy-simulator")
    results.get_by_role("link", name="arn:aws:iam::aws:policy/IAMReadOnlyAccess").click()
    expect(page.locator(".ace-host .policy-jump-line")).to_have_count(1)
    assert page.csp_errors == []
