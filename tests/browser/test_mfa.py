"""MFA in a real browser: enrol from the page's secret, sign in with a code, replay refused, recovery, requirement."""

from __future__ import annotations

import base64
import time

import pyotp
import pytest
from playwright.sync_api import expect

from directory.mfa.requirement import update_mfa_requirement
from tests.browser.conftest import sign_in
from tests.conftest import SELF_SERVICE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Alice-Passw0rd!"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_enrol_sign_in_with_code_replay_refused_recovery_code_and_requirement(new_page, shot, make_user, root,
                                                                              root_caller, settings):
    settings.IAM_MFA_TOLERANCE_STEPS = 4  # the test uses several codes in a row; keep later steps in the window
    make_user("alice", password=PASSWORD, policies=SELF_SERVICE)
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.get_by_role("link", name="My MFA devices").click()
    page.get_by_role("link", name="Assign MFA device").click()
    page.get_by_label("Device name").fill("alice-phone")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#mfa-qr svg")).to_be_visible()
    shot(page, "mfa-01-scan")
    secret = page.locator("#mfa-secret").inner_text().strip()
    app = pyotp.TOTP(secret)  # the authenticator app, fed the secret typed from the page
    assert base64.b32decode(secret + "=" * (-len(secret) % 8))
    now = int(time.time())
    page.get_by_label("MFA code 1").fill(app.at(now - 30))
    page.get_by_label("MFA code 2").fill(app.at(now))
    page.get_by_role("button", name="Assign MFA").click()
    expect(page.locator("#mfa-enabled")).to_be_visible()
    codes = [code.strip() for code in page.locator("#recovery-code-list li").all_inner_texts()]
    assert len(codes) == 10
    with page.expect_download() as download:
        page.get_by_role("button", name="Download .txt file").click()
    assert download.value.suggested_filename == "alice_recovery_codes.txt"
    shot(page, "mfa-02-recovery-codes")
    sign_out(page)

    sign_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", name="Multi-factor authentication")).to_be_visible()
    shot(page, "mfa-03-code-step")
    code = app.at(int(time.time()) + 30)
    page.get_by_label("MFA code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    sign_out(page)

    sign_in(page, "alice", PASSWORD)
    page.get_by_label("MFA code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#mfa-error")).to_contain_text("The MFA code is not valid")
    shot(page, "mfa-04-reused-code")

    page.get_by_role("link", name="Lost your device? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("9 recovery codes remain")).to_be_visible()
    shot(page, "mfa-05-signed-in-with-recovery-code")

    make_user("bob", password=PASSWORD, policies=SELF_SERVICE)
    update_mfa_requirement(caller=root_caller, scope="All")
    bob = new_page()
    sign_in(bob, "bob", PASSWORD)
    expect(bob.locator("#mfa-required")).to_contain_text("requires multi-factor authentication")
    assert bob.url.endswith("/my/mfa/enrol/")
    expect(bob.get_by_role("link", name="Users", exact=True)).to_have_count(0)  # not offered: bob may not list users
    bob.goto("/users/")
    expect(bob.locator("#mfa-required")).to_be_visible()
    shot(bob, "mfa-06-requirement-sends-to-enrolment")
    assert page.csp_errors == [] and bob.csp_errors == []
