"""Check no new access in Chromium: the draft in the editor against a chosen version, PASS or FAIL with the
request, under the console's strict CSP."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from policies.services import managed
from tests.browser.conftest import sign_in
from tests.browser.test_policy_editor import replace_document
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARN = "arn:aws:iam::123456789012:policy/Reports"


def policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "arn:aws:s3:::reports/*"}]}, indent=2)


def test_check_no_new_access_shows_fail_with_the_request_then_pass(new_page, shot, root_caller):
    managed.create_policy(caller=root_caller, policy_name="Reports", policy_document=policy("s3:GetObject"))
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto(f"/policies/new-version/{ARN}")
    expect(page.locator(".ace-host .ace_content")).to_be_visible()
    replace_document(page, policy("s3:GetObject", "s3:PutObject"))
    page.get_by_role("button", name="Check no new access").click()
    result = page.locator("[data-check-result]")
    expect(result.locator(".check-verdict")).to_contain_text("FAIL compared with v1")
    expect(result.locator(".counterexample")).to_contain_text("s3:PutObject")
    shot(page, "24-check-no-new-access")

    replace_document(page, policy("s3:GetObject"))
    page.get_by_role("button", name="Check no new access").click()
    expect(result.locator(".check-verdict")).to_contain_text("PASS compared with v1")
    expect(result.locator(".counterexample")).to_have_count(0)
    assert page.csp_errors == []
