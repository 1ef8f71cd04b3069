"""Console pages: who you are acting as, permissions from groups, the menu, search, CSV exports, audit details."""

from __future__ import annotations

import csv
import io
import json

import pytest

from audit.models import AuditEvent
from directory.services import attachments, groups, roles
from tests.conftest import SELF_SERVICE

pytestmark = pytest.mark.django_db

ACCOUNT = "123456789012"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def _trust(user: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{user}"}, "Action": "sts:AssumeRole"}]})


def test_dashboard_names_the_role_while_acting_as_it(user_console, root_caller):
    user, client = user_console("alice")
    roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=_trust("alice"))
    client.post("/switch-role/", {"account": ACCOUNT, "role_name": "reader", "display_name": "Reader",
                                  "color": "blue", "duration_seconds": 3600})
    page = client.get("/").content.decode()
    identity = page.split("Your identity", 1)[1].split("</section>", 1)[0]
    assert "Acting as" in identity and f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/alice" in identity
    assert identity.index("assumed-role/reader") < identity.index(user.arn)


def test_a_users_permissions_show_policies_from_groups(root_console, root_caller, make_user):
    make_user("alice")
    groups.create_group(caller=root_caller, group_name="auditors")
    groups.add_user_to_group(caller=root_caller, group_name="auditors", user_name="alice")
    attachments.attach_group_policy(caller=root_caller, group_name="auditors", policy_arn=READ_ONLY)
    page = root_console.get("/users/alice/?tab=permissions").content.decode()
    from_groups = page.split('id="group-policies"', 1)[1].split("</table>", 1)[0]
    assert "IAMReadOnlyAccess" in from_groups and "Attached via group" in from_groups and "auditors" in from_groups


def test_the_menu_offers_only_pages_the_caller_may_open(user_console, root_console):
    _, client = user_console("alice", policies=SELF_SERVICE)
    nav = client.get("/").content.decode().split('id="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/users/"' not in nav and 'href="/audit/"' not in nav
    assert 'href="/my/security-credentials/"' in nav
    admin_nav = root_console.get("/").content.decode().split('id="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/users/"' in admin_nav and 'href="/audit/"' in admin_nav


def test_search_finds_by_name_and_by_arn_and_leaves_out_what_the_caller_may_not_list(root_console, make_user,
                                                                                      user_console):
    make_user("alice")
    found = root_console.get("/search/", {"q": "ali"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'href="/users/alice/"' in found and "<html" not in found
    by_arn = root_console.get("/search/", {"q": f"arn:aws:iam::{ACCOUNT}:user/alice"}).context["results"]
    assert [(r["kind"], r["name"]) for r in by_arn] == [("User", "alice")]
    _, client = user_console("bob", policies=SELF_SERVICE)
    assert client.get("/search/", {"q": "ali"}).context["results"] == []


def test_lists_export_as_csv_with_formula_cells_neutralised(root_console, root_caller, make_user):
    make_user("alice")
    groups.create_group(caller=root_caller, group_name="devs")
    response = root_console.get("/users/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="users.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["User name", "Path", "ARN"] and rows[1][0] == "alice"
    assert list(csv.reader(io.StringIO(root_console.get("/groups/?format=csv").content.decode())))[1][0] == "devs"
    policies = root_console.get("/policies/?format=csv").content.decode()
    assert "IAMReadOnlyAccess" in policies
    roles.create_role(caller=root_caller, role_name="r", assume_role_policy_document=_trust("alice"),
                      description="=HYPERLINK(evil)")
    role_rows = list(csv.reader(io.StringIO(root_console.get("/roles/?format=csv").content.decode())))
    assert role_rows[1][3] == "'=HYPERLINK(evil)"


def test_audit_events_show_their_target_and_open_a_detail_page(root_console, root_caller, make_user):
    make_user("alice")
    groups.create_group(caller=root_caller, group_name="devs")
    page = root_console.get("/audit/")
    events = page.context["events"]
    created = next(e for e in events if e.event_name == "CreateGroup")
    assert created.target == {"kind": "Group", "name": "devs", "url": "/groups/devs/"}
    detail = root_console.get(f"/audit/{created.event_id}/")
    assert detail.status_code == 200 and "/groups/devs/" in detail.content.decode()
    assert root_console.get("/audit/not-an-id/").status_code == 404
    about = root_console.get("/audit/", {"resource": f"arn:aws:iam::{ACCOUNT}:group/devs"}).context["events"]
    assert {e.event_name for e in about} == {"CreateGroup"}
    exported = root_console.get("/audit/", {"format": "csv", "event_name": "CreateGroup"}).content.decode()
    assert "Group devs" in exported


def test_audit_detail_needs_lookup_events(user_console):
    _, client = user_console("alice", policies=SELF_SERVICE)
    event = AuditEvent.objects.first()
    assert client.get(f"/audit/{event.event_id}/").status_code == 403


def test_unknown_urls_get_the_consoles_not_found_page(root_console):
    response = root_console.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404 and "Page not found" in body and "console.css" in body


def test_role_switch_link_is_absolute_and_users_list_has_an_mfa_column(root_console, root_caller, make_user):
    make_user("alice")
    roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=_trust("alice"))
    link = root_console.get("/roles/reader/").context["switch_link"]
    assert link.startswith("http://testserver/switch-role/?account=123456789012&roleName=reader")
    users = root_console.get("/users/").content.decode()
    assert '<th scope="col">MFA</th>' in users


def test_credential_report_page_never_says_generating_and_no_report_at_once(root_console, root_caller):
    from directory.reports import services

    services.generate_credential_report(caller=root_caller)
    body = root_console.get("/credential-report/").content.decode()
    assert "being generated" in body and "No report yet" not in body
