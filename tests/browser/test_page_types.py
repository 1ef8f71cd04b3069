"""Every console page type in Chromium at 1280 and 390 px: its heading, sections and actions are there, the page
never grows sideways, axe-core finds no serious or critical accessibility violation, and a screenshot is kept."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from playwright.sync_api import expect

from analyzers.services import analyzers
from analyzers.services import policy_generation as generation
from directory.models import User
from directory.services import attachments, groups, inline, roles, users
from evidence import policy_generation as jobs
from iam_console.callers import Caller
from identitystore.services import groups as idstore_groups
from identitystore.services import memberships as idstore_memberships
from identitystore.services import users as idstore_users
from identitystore.services.store import identity_store_of
from policies.services import managed
from tests.browser.conftest import sign_in
from tests.conftest import ROOT_PASSWORD
from tests.reports.helpers import generate_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT = "123456789012"
WIDTHS = {"wide": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
CUSTOM = f"arn:aws:iam::{ACCOUNT}:policy/ReadUsersOnly"
LONG_GROUP = "platform-engineering-infrastructure-on-call-escalation-group-with-a-very-long-name-indeed"
DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadUsers", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "Action": "sts:AssumeRole"}]})

# (name, path, heading, texts that must be on the page: its sections and actions)
PAGES = [
    ("dashboard", "/", "Dashboard", ["Your identity", "Recent audit events"]),
    ("users", "/users/", "Users", ["Create user", "Export CSV", "MFA"]),
    ("user-create", "/users/create/", "Create user", ["User name", "Create user"]),
    ("user-summary", "/users/alice/", "alice", ["ARN", "Delete", "Permissions"]),
    ("user-permissions", "/users/alice/?tab=permissions", "alice",
     ["Attached managed policies", "Policies from groups", f"Attached via group {LONG_GROUP}"]),
    ("user-keys", "/users/alice/?tab=keys", "alice", ["Create access key"]),
    ("user-console-access", "/users/alice/?tab=credentials", "alice", ["Console access", "Reset password"]),
    ("user-tags", "/users/alice/?tab=tags", "alice", ["Add tag"]),
    ("user-events", "/users/alice/?tab=events", "alice", ["Audit events for alice"]),
    ("user-access-advisor", "/users/alice/?tab=access-advisor", "alice", ["Access Advisor", "Last accessed"]),
    ("user-mfa", "/users/alice/mfa/", None, ["MFA"]),
    ("user-generate-policy", "/users/alice/generate-policy/", "Generate policy for alice",
     ["From", "To", "Generate policy"]),
    ("groups", "/groups/", "Groups", ["Create group", "Export CSV"]),
    ("group-create", "/groups/create/", "Create group", ["Group name"]),
    ("group-detail", f"/groups/{LONG_GROUP}/", LONG_GROUP,
     ["Members", "Permissions", "Attach a policy", "Add inline policy", "Audit events"]),
    ("group-access-advisor", f"/groups/{LONG_GROUP}/?tab=access-advisor", LONG_GROUP,
     ["Access Advisor", "its members' attempts"]),
    ("roles", "/roles/", "Roles", ["Create role", "Switch role", "Export CSV"]),
    ("role-create", "/roles/create/", "Create role", ["Who can assume it", "Create role"]),
    ("role-summary", "/roles/reader/", "reader", ["Link to switch roles", "Audit events"]),
    ("role-trust", "/roles/reader/?tab=trust", "reader", ["Trust"]),
    ("role-permissions", "/roles/reader/?tab=permissions", "reader", ["Attached"]),
    ("role-access-advisor", "/roles/reader/?tab=access-advisor", "reader", ["Access Advisor", "Last accessed"]),
    ("policies", "/policies/", "Policies", ["Create policy", "Export CSV"]),
    ("policy-create", "/policies/create/", "Create policy", ["Policy document", "Create policy"]),
    ("policy-detail", f"/policies/detail/{CUSTOM}", "ReadUsersOnly", ["Summary", "Audit events"]),
    ("policy-access-advisor", f"/policies/detail/{CUSTOM}?tab=access-advisor", "ReadUsersOnly",
     ["Access Advisor", "Last accessed"]),
    ("policy-new-version", f"/policies/new-version/{CUSTOM}", None, ["Policy document"]),
    ("services", "/services/", "Services", ["Register service"]),
    ("service-register", "/services/register/", "Register service", []),
    ("simulator", "/policies/simulator/", "Policy simulator", ["Run simulation"]),
    ("password-policy", "/account/password-policy/", "Password policy",
     ["Rules in force", "What Save will change", "Save"]),
    ("account-mfa", "/account/mfa/", None, ["MFA"]),
    ("audit", "/audit/", "Audit events", ["Filter", "Export CSV", "Target"]),
    ("credential-report", "/credential-report/", "Credential report", ["Credential health", "History"]),
    ("my-credentials", "/my/security-credentials/", "My security credentials", ["Change password", "Access keys"]),
    ("my-mfa", "/my/mfa/", "My MFA devices", ["Assign MFA device"]),
    ("mfa-enrol", "/my/mfa/enrol/", "Assign MFA device", ["Name the device"]),
    ("switch-role", "/switch-role/", "Switch role", ["Account"]),
    ("search", "/search/?q=alice", "Search", ["alice"]),
    ("identity-store-people", "/identity-store/people/?q=doe", "People", ["Create person", "jdoe@example.com"]),
    ("identity-store-person-create", "/identity-store/people/create/", "Create person",
     ["User name", "E-mail address"]),
    ("identity-store-groups", "/identity-store/groups/", "Identity store groups", ["Finance", "Create group"]),
    ("identity-store-scim", "/identity-store/scim/", "SCIM provisioning", ["SCIM endpoint", "Issue token"]),
    ("analyzers", "/access-analyzer/analyzers/", "Analyzers", ["unused", "ACCOUNT_UNUSED_ACCESS"]),
    ("analyzer-findings", "/access-analyzer/analyzers/unused/findings/", "unused",
     ["Filter", "Export CSV", "Archive", "Unarchive"]),
    ("not-found", "/no/such/page/", "Page not found", ["Go to the dashboard"]),
]


@pytest.fixture
def directory(root, root_caller, make_user):
    """A small directory with something on every page: users, a long-named group with policies, a role,
    a customer policy, tags, audit events, a credential report, and a person and a group of the identity store."""
    make_user("alice", password="Alice-Passw0rd!", access_key=True)
    make_user("bob")
    groups.create_group(caller=root_caller, group_name=LONG_GROUP)
    groups.add_user_to_group(caller=root_caller, group_name=LONG_GROUP, user_name="alice")
    attachments.attach_group_policy(caller=root_caller, group_name=LONG_GROUP, policy_arn=READ_ONLY)
    inline.put_group_policy(caller=root_caller, group_name=LONG_GROUP, policy_name="ReadUsers",
                            policy_document=DOCUMENT)
    managed.create_policy(caller=root_caller, policy_name="ReadUsersOnly", policy_document=DOCUMENT,
                          description="Lets its holder read users and nothing else, for the on-call rota.")
    roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=TRUST,
                      description="A read-only role for auditors and the on-call engineer, assumed from the console.")
    person = idstore_users.create_user(caller=root_caller, identity_store_id=identity_store_of(ACCOUNT).id,
                                       user_name="jdoe@example.com", display_name="John Doe",
                                       profile={"Emails": [{"Value": "jdoe@example.com", "Primary": True}]})
    finance = idstore_groups.create_group(caller=root_caller, identity_store_id=person.store_id,
                                          display_name="Finance", description="Pays the bills")
    idstore_memberships.create_group_membership(caller=root_caller, identity_store_id=person.store_id,
                                                group_id=finance.group_id, member_id={"UserId": person.user_id})
    analyzers.create_analyzer(caller=root_caller, analyzer_name="unused", type="ACCOUNT_UNUSED_ACCESS")
    generate_now(root_caller)
    return person, finance


def _axe_source() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text()


def _no_horizontal_overflow(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide in a {widths[1]} px window"


def _axe_violations(page, source: str) -> list[str]:
    page.evaluate(source)  # run through DevTools, not a <script>: the page's CSP stays as strict as it is
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_type_is_complete_readable_and_accessible(new_page, shot, directory, width):
    page = new_page()
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, "root", ROOT_PASSWORD)
    source, failures = _axe_source(), []
    for name, path, heading, texts in PAGES:
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        for text in texts:
            expect(page.get_by_text(text, exact=False).first).to_be_attached()
        assert "<" not in page.title(), f"{name}: HTML in the title {page.title()!r}"
        _no_horizontal_overflow(page)
        shot(page, f"page-{name}-{width}")
        failures += [f"{name}: {violation}" for violation in _axe_violations(page, source)]
    assert failures == []
    assert page.csp_errors == []


def test_identity_store_detail_pages_are_complete_readable_and_accessible(new_page, shot, directory):
    person, finance = directory
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    source, failures = _axe_source(), []
    details = [("person", f"/identity-store/people/{person.user_id}/", "jdoe@example.com",
                ["Summary", "Groups", "Finance", "Deactivate", "Edit"]),
               ("person-edit", f"/identity-store/people/{person.user_id}/edit/", "Edit jdoe@example.com", ["Save"]),
               ("group", f"/identity-store/groups/{finance.group_id}/", "Finance", ["Members", "Add member"])]
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        for name, path, heading, texts in details:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            for text in texts:
                expect(page.get_by_text(text, exact=False).first).to_be_attached()
            _no_horizontal_overflow(page)
            shot(page, f"page-identity-store-{name}-{width}")
            failures += [f"{name}: {violation}" for violation in _axe_violations(page, source)]
    assert failures == []
    assert page.csp_errors == []


def test_a_generated_policy_page_is_complete_readable_and_accessible(new_page, shot, directory, root_caller):
    attachments.attach_user_policy(caller=root_caller, user_name="bob", policy_arn=READ_ONLY)
    bob = User.objects.get(user_name="bob")
    users.list_users(caller=Caller(principal=bob, via="api"))
    job = generation.start_policy_generation(caller=root_caller, principal_arn=bob.arn)
    jobs.run_job(str(job.job_id))
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    failures = []
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto(f"/access-analyzer/policy-generations/{job.job_id}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Generated policy for bob")
        for text in ("Compared with what bob holds today", "iam:ListUsers", "Save policy", "Policy name"):
            expect(page.get_by_text(text, exact=False).first).to_be_attached()
        _no_horizontal_overflow(page)
        shot(page, f"page-generated-policy-{width}")
        failures += _axe_violations(page, _axe_source())
    assert failures == []
    assert page.csp_errors == []


def test_sign_in_page_is_accessible_at_both_widths(new_page, shot, root):
    page = new_page()
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto("/sign-in/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _no_horizontal_overflow(page)
        assert _axe_violations(page, _axe_source()) == []
        shot(page, f"page-sign-in-{width}")


def test_phone_navigation_is_a_menu_behind_a_button(new_page, shot, directory):
    page = new_page()
    page.set_viewport_size(WIDTHS["phone"])
    sign_in(page, "root", ROOT_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Groups", exact=True)).to_be_visible()
    shot(page, "phone-menu-open")
    page.get_by_role("link", name="Groups", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")


def test_search_box_finds_by_name_and_arn_with_the_slash_shortcut(new_page, shot, directory):
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    page.wait_for_load_state("load")  # the shortcut is attached by console.js, a deferred script
    page.evaluate("document.activeElement && document.activeElement.blur()")  # "/" outside any text field
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("read")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Role reader")).to_be_visible()
    expect(results.get_by_role("link", name="Policy ReadUsersOnly")).to_be_visible()
    shot(page, "search-results")
    page.locator("#global-search").fill(f"arn:aws:iam::{ACCOUNT}:user/alice")
    expect(results.get_by_role("link", name="User alice")).to_be_visible()
    results.get_by_role("link", name="User alice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("alice")


def test_dark_mode_follows_the_system_setting(browser, live_server, directory):
    context = browser.new_context(base_url=live_server.url, color_scheme="dark", viewport=WIDTHS["wide"])
    page = context.new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(15, 20, 26)"
    page.goto("/users/")
    page.screenshot(path=str(__import__("tests.browser.conftest", fromlist=["SCREENSHOTS"]).SCREENSHOTS
                             / "page-users-dark.png"), full_page=True)
    assert _axe_violations(page, _axe_source()) == []
    context.close()


def test_the_portal_mfa_page_is_complete_readable_and_accessible(new_page, shot, root, root_caller):
    """The access portal's own page for a person's authenticator app, before and while registering one."""
    from django.contrib.auth.hashers import make_password

    from identitycenter.access import instance_of
    from identitycenter.models import PortalPassword
    from identitystore.models import WorkforceUser

    instance_of(ACCOUNT)
    person = idstore_users.create_user(caller=root_caller, identity_store_id=identity_store_of(ACCOUNT).id,
                                       user_name="ana", display_name="Ana")
    PortalPassword.objects.create(user=WorkforceUser.objects.get(user_id=person.user_id),
                                  password=make_password(ROOT_PASSWORD))
    page = new_page()
    page.goto("/start/")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(ROOT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/start/")
    failures = []
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto("/start/mfa-device/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your authenticator app")
        expect(page.get_by_text("No authenticator app is registered")).to_be_visible()
        _no_horizontal_overflow(page)
        shot(page, f"page-portal-mfa-{width}")
        failures += _axe_violations(page, _axe_source())
        page.get_by_role("button", name="Register an authenticator app").click()
        expect(page.locator("#portal-mfa-qr svg")).to_be_visible()
        expect(page.get_by_label("Code the app shows")).to_be_visible()
        _no_horizontal_overflow(page)
        shot(page, f"page-portal-mfa-register-{width}")
        failures += _axe_violations(page, _axe_source())
    assert failures == []
    assert page.csp_errors == []
