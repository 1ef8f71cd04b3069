"""Keyboard-only journeys (sign in, create a user, create a policy through the editor) and reloads after a POST."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from directory.models import AccessKey, User
from policies.models import ManagedPolicy
from tests.browser.conftest import sign_in
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_NAME = """(() => {
  const e = document.activeElement;
  if (!e) { return ""; }
  const label = e.getAttribute("aria-label") || (e.labels && e.labels.length ? e.labels[0].textContent : "");
  return (label || e.textContent || e.value || "").trim().replace(/\\s+/g, " ");
})()"""


def focused(page) -> str:
    # The policy editor's name is "Policy document (JSON), Cursor at row 3": compare the name before the comma.
    name = page.evaluate(FOCUSED_NAME)
    return name.split(", Cursor at row")[0]


def tab_to(page, name: str, *, limit: int = 60, key: str = "Tab") -> None:
    """Press Tab until the element called `name` has the focus, as a keyboard user would."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        current = focused(page)
        if current == name:
            return
        seen.append(current)
    raise AssertionError(f"{name!r} never got the focus; the focus went through {seen}")


def keyboard_sign_in(page, user_name: str, password: str, account: str = "123456789012") -> None:
    page.goto("/sign-in/")
    if focused(page) == "Account ID or alias":  # a browser that never signed in starts at the account
        page.keyboard.type(account)
        page.keyboard.press("Tab")
    assert focused(page) == "User name"  # a remembered account: the user name has the focus when the page opens
    page.keyboard.type(user_name)
    page.keyboard.press("Tab")
    assert focused(page) == "Password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_sign_in_with_the_keyboard_only(new_page, shot, root):
    page = new_page()
    page.goto("/sign-in/")
    assert focused(page) == "Account ID or alias"
    page.keyboard.type("123456789012")
    page.keyboard.press("Tab")
    page.keyboard.type("root")
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    expect(page.locator("#sign-in-error")).to_be_visible()
    # The refused form keeps the account and the user name: only the password is typed again.
    expect(page.get_by_label("Account ID or alias")).to_have_value("123456789012")
    keyboard_sign_in(page, "root", ROOT_PASSWORD)
    shot(page, "keyboard-01-signed-in")


def test_create_a_user_with_the_keyboard_only(new_page, shot, root):
    page = new_page()
    keyboard_sign_in(page, "root", ROOT_PASSWORD)
    tab_to(page, "Users")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    tab_to(page, "Create user")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create user")
    tab_to(page, "User name")
    page.keyboard.type("kbd-user")
    tab_to(page, "Give this user access to the console")
    page.keyboard.press("Space")
    tab_to(page, "Create user")
    shot(page, "keyboard-02-create-user")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("User kbd-user created")
    assert User.objects.get(user_name="kbd-user").has_login_profile
    password = page.locator("#created-password").inner_text().strip()
    assert len(password) >= 20
    # Reloading the page that showed the password neither shows it again nor creates anything.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("kbd-user")
    assert password not in page.content()
    assert User.objects.filter(user_name="kbd-user").count() == 1


def test_create_a_policy_with_the_keyboard_only_leaving_the_editor_with_escape(new_page, shot, root):
    page = new_page()
    keyboard_sign_in(page, "root", ROOT_PASSWORD)
    tab_to(page, "Policies")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies")
    tab_to(page, "Create policy")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create policy")
    tab_to(page, "Policy name")
    page.keyboard.type("KeyboardMade")
    tab_to(page, "Policy document (JSON)")
    page.keyboard.press("Control+A")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser",
                                                         "Resource": "*"}]}
    page.keyboard.insert_text(json.dumps(document, indent=2))  # as pasted: the editor adds no brackets of its own
    expect(page.locator("[data-editor-status]")).to_have_text(re.compile("No findings"))
    # Tab indents inside the editor and keeps the focus there...
    page.keyboard.press("Tab")
    assert focused(page) == "Policy document (JSON)"
    page.keyboard.press("Shift+Tab")
    # ...Esc then Tab leaves it, and the switch is announced to screen readers.
    page.keyboard.press("Escape")
    expect(page.locator(".editor-keys [aria-live]")).to_have_text(re.compile("Tab now moves out of the editor"))
    page.keyboard.press("Tab")
    assert focused(page) == "Create policy"  # the next control after the editor (no findings to visit)
    shot(page, "keyboard-03-create-policy")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("KeyboardMade")
    policy = ManagedPolicy.objects.get(policy_name="KeyboardMade")
    assert json.loads(policy.versions.get(is_default_version=True).document) == document


def test_reloading_after_creating_an_access_key_creates_no_second_key(new_page, shot, root, make_user):
    make_user("alice")
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto("/users/alice/?tab=keys")
    page.get_by_role("button", name="Create access key").click()
    secret = page.locator("#new-secret-access-key").inner_text().strip()
    assert len(secret) == 40
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("alice")
    assert secret not in page.content()
    assert AccessKey.objects.filter(user__user_name="alice").count() == 1
    shot(page, "reload-01-after-access-key")
