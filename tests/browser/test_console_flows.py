"""The console in a real browser: sign-in, lockout, forced change, users, keys, policy, delete, audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from directory.models import User
from directory.services import groups
from tests.browser.conftest import sign_in
from tests.conftest import ROOT_PASSWORD, SELF_SERVICE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ALICE_PASSWORD = "Alice-Passw0rd!"


def test_sign_in_wrong_password_lockout_and_unlock(new_page, shot, make_user, root):
    make_user("alice", password=ALICE_PASSWORD)
    page = new_page()
    page.goto("/sign-in/")
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    # The stylesheet loaded: the sign-in card has its background colour.
    assert page.evaluate("getComputedStyle(document.body).backgroundImage").startswith("linear-gradient")
    shot(page, "01-sign-in")
    sign_in(page, "alice", "not-the-password")
    expect(page.locator("#sign-in-error")).to_have_text("Incorrect user name or password.")
    shot(page, "02-sign-in-wrong-password")
    for _ in range(4):
        sign_in(page, "alice", "not-the-password")
    expect(page.locator("#sign-in-error")).to_contain_text("temporarily locked")
    shot(page, "03-sign-in-locked")
    sign_in(page, "alice", ALICE_PASSWORD)
    expect(page.locator("#sign-in-error")).to_contain_text("temporarily locked")

    admin = new_page()
    sign_in(admin, "root", ROOT_PASSWORD)
    admin.goto("/users/alice/?tab=credentials")
    expect(admin.get_by_text("Sign-in is locked until")).to_be_visible()
    shot(admin, "04-user-locked")
    admin.get_by_role("button", name="Unlock sign-in").click()
    expect(admin.get_by_text("alice can sign in again.")).to_be_visible()

    sign_in(page, "alice", ALICE_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    shot(page, "05-dashboard-end-user")
    assert page.csp_errors == [] and admin.csp_errors == []


def test_create_user_with_password_and_groups_then_forced_change(new_page, shot, root, root_caller):
    groups.create_group(caller=root_caller, group_name="developers")
    groups.create_group(caller=root_caller, group_name="readers")
    admin = new_page()
    sign_in(admin, "root", ROOT_PASSWORD)
    shot(admin, "06-dashboard-admin")
    admin.get_by_role("link", name="Users", exact=True).click()
    admin.get_by_role("link", name="Create user").click()
    admin.get_by_label("User name").fill("carol")
    admin.get_by_label("Path").fill("/eng/")
    expect(admin.get_by_label("Custom password")).to_be_hidden()
    admin.get_by_label("Give this user access to the console").check()
    admin.get_by_label("developers").check()
    admin.get_by_label("readers").check()
    shot(admin, "07-create-user")
    admin.get_by_role("button", name="Create user").click()
    expect(admin.get_by_role("heading", name="User carol created")).to_be_visible()
    password = admin.locator("#created-password").inner_text()
    shot(admin, "08-user-created")
    admin.get_by_role("link", name="View user").click()
    expect(admin.locator("#user-arn")).to_have_text("arn:aws:iam::123456789012:user/eng/carol")
    expect(admin.get_by_role("link", name="developers")).to_be_visible()
    shot(admin, "09-user-detail")

    user = new_page()
    sign_in(user, "carol", password)
    expect(user).to_have_url(re.compile(r"/change-password/$"))
    expect(user.get_by_text("An administrator requires you to choose a new password")).to_be_visible()
    user.get_by_label("Current password").fill(password)
    user.get_by_label("New password", exact=True).fill("Carol-N3w-Pass!")
    expect(user.locator('[data-rules-for="id_new_password"] li').first).to_have_class("met")
    user.get_by_label("Confirm new password").fill("Carol-N3w-Pass!")
    shot(user, "10-forced-password-change")
    user.get_by_role("button", name="Change password").click()
    expect(user.get_by_text("Your password has been changed.")).to_be_visible()
    assert User.objects.get(user_name="carol").password_reset_required is False


def test_create_access_key_and_read_the_secret_once(new_page, shot, make_user):
    make_user("alice", password=ALICE_PASSWORD, policies=SELF_SERVICE)
    page = new_page()
    sign_in(page, "alice", ALICE_PASSWORD)
    page.get_by_role("link", name="My security credentials").first.click()
    page.get_by_role("button", name="Create access key").click()
    expect(page.get_by_role("heading", name="Access key created")).to_be_visible()
    key_id = page.locator("#new-access-key-id").inner_text()
    secret = page.locator("#new-secret-access-key").inner_text()
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key_id) and len(secret) == 40
    shot(page, "11-access-key-created")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .csv file").click()
    download = download_info.value
    assert download.suggested_filename == "alice_accessKeys.csv"
    assert open(download.path(), "rb").read() == f"Access key ID,Secret access key\r\n{key_id},{secret}\r\n".encode()
    page.goto("/my/security-credentials/")
    expect(page.get_by_text(key_id)).to_be_visible()
    assert secret not in page.content()
    shot(page, "12-my-security-credentials")


def test_password_policy_change_then_too_short_password_refused(new_page, shot, root, make_user):
    make_user("alice", password=ALICE_PASSWORD, policies=SELF_SERVICE)
    admin = new_page()
    sign_in(admin, "root", ROOT_PASSWORD)
    admin.get_by_role("link", name="Password policy").click()
    expect(admin.get_by_text("Nothing: the form shows the rules in force.")).to_be_visible()
    admin.get_by_label("Custom password policy").check()
    expect(admin.get_by_text("Replace the default rules with this custom policy:")).to_be_visible()
    admin.get_by_label("Minimum password length").fill("16")
    admin.get_by_label("Require at least one number (0-9)").check()
    admin.get_by_label("Turn on password expiration").check()
    admin.get_by_label("Expire passwords after (days)").fill("90")
    shot(admin, "13-password-policy")
    expect(admin.locator("#policy-change-list")).to_contain_text("Minimum password length: 16")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_text("The password policy has been saved.")).to_be_visible()

    page = new_page()
    sign_in(page, "alice", ALICE_PASSWORD)
    page.goto("/my/security-credentials/")
    page.get_by_label("Current password").fill(ALICE_PASSWORD)
    page.get_by_label("New password", exact=True).fill("Short-Pass1!")
    expect(page.locator('li[data-rule="min:16"]')).to_have_class("unmet")
    page.get_by_label("Confirm new password").fill("Short-Pass1!")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#field-new_password .errorlist")).to_contain_text("at least 16 characters long")
    shot(page, "14-too-short-password-refused")


def test_delete_user_blocked_by_a_dependent_then_audit_shows_it_all(new_page, shot, make_user, root):
    make_user("dave", access_key=True)
    admin = new_page()
    sign_in(admin, "root", ROOT_PASSWORD)
    admin.goto("/users/")
    shot(admin, "15-users-list")
    admin.get_by_role("link", name="dave").click()
    admin.get_by_role("link", name="Delete").click()
    expect(admin.get_by_text("Cannot delete entity, must delete access keys first.")).to_be_visible()
    remove = admin.get_by_role("button", name="Remove these and delete user")
    expect(remove).to_be_disabled()
    admin.get_by_label(re.compile("To confirm, type the user name")).fill("dave")
    expect(remove).to_be_enabled()
    shot(admin, "16-delete-user-blocked")
    remove.click()
    expect(admin.get_by_text("User dave deleted.")).to_be_visible()

    admin.get_by_role("link", name="Audit events").click()
    for name in ("DeleteUser", "DeleteAccessKey", "CreateAccessKey", "CreateUser", "ConsoleLogin"):
        expect(admin.locator(".audit-table a", has_text=re.compile(f"^{name}$")).first).to_be_visible()
    admin.get_by_label("Event name").fill("DeleteUser")
    admin.get_by_role("button", name="Filter").click()
    expect(admin.locator(".audit-table tbody tr")).to_have_count(1)
    expect(admin.locator(".audit-table tbody tr").first).to_contain_text("User dave")
    admin.locator(".audit-table a", has_text="DeleteUser").click()
    expect(admin.get_by_role("heading", name=re.compile("^DeleteUser"))).to_be_visible()
    expect(admin.locator(".record").first).to_contain_text('"eventName": "DeleteUser"')
    shot(admin, "17-audit-events")
    assert admin.csp_errors == []


def test_group_picker_adds_a_member_with_htmx(new_page, shot, make_user, root, root_caller):
    make_user("alice")
    make_user("albert")
    groups.create_group(caller=root_caller, group_name="devs")
    admin = new_page()
    sign_in(admin, "root", ROOT_PASSWORD)
    admin.goto("/groups/devs/")
    admin.get_by_label("Add a user").press_sequentially("al")
    expect(admin.locator(".picker-results .pick")).to_have_count(2)
    shot(admin, "18-group-picker")
    admin.locator(".pick", has_text="alice").click()
    expect(admin.get_by_text("alice added to devs.")).to_be_visible()
    expect(admin.locator("#members-table")).to_contain_text("alice")
    assert admin.csp_errors == []


def test_console_is_readable_on_a_phone(browser, live_server, shot, root):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto("/users/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "19-phone-users")
    context.close()
