"""Users in the console: list and search, create, detail tabs, rename, console access, tags, delete."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from audit.models import AuditEvent
from directory.models import User
from directory.services import access_keys, groups
from tests.console.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_create_user_with_generated_password_and_groups_shows_the_password_once(root_console, root_caller):
    groups.create_group(caller=root_caller, group_name="developers")
    groups.create_group(caller=root_caller, group_name="ops")
    response = root_console.post("/users/create/", {
        "user_name": "carol", "path": "/eng/", "console_access": "on", "password_mode": "generate",
        "password_reset_required": "on", "groups": ["developers", "ops"]})
    assert response.status_code == 302 and response.url == "/users/carol/created/"
    shown = root_console.get(response.url)
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    password = shown.context["password"]
    assert len(password) >= 20 and escape(password) in shown.content.decode()
    # A reload shows the password no more and creates nothing.
    again = root_console.get(response.url)
    assert again.status_code == 302 and again.url == "/users/carol/"
    assert User.objects.filter(user_name="carol").count() == 1
    user = User.objects.get(user_name="carol")
    assert (user.path, user.has_login_profile, user.password_reset_required) == ("/eng/", True, True)
    assert sorted(user.iam_groups.values_list("group_name", flat=True)) == ["developers", "ops"]
    assert escape(password) not in root_console.get("/users/carol/?tab=credentials").content.decode()
    client = Client()
    assert sign_in(client, "carol", password).status_code == 302
    assert client.get("/").url == "/change-password/"


def test_create_user_with_a_custom_password_that_breaks_the_policy_creates_nothing(root_console):
    response = root_console.post("/users/create/", {"user_name": "dave", "console_access": "on",
                                                    "password_mode": "custom", "password": "short"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"][0].startswith(
        "Password does not conform to the account password policy")
    assert not User.objects.filter(user_name="dave").exists()


def test_create_user_with_a_taken_name_shows_the_error_on_the_name(root_console, make_user):
    make_user("erin")
    response = root_console.post("/users/create/", {"user_name": "ERIN", "password_mode": "generate"})
    assert response.context["form"].errors["user_name"] == ["User with name ERIN already exists."]


def test_create_user_with_an_invalid_name_says_in_plain_words_what_is_allowed(root_console):
    for name in ("bad name!", "José"):
        response = root_console.post("/users/create/", {"user_name": name, "password_mode": "generate"})
        error = response.context["form"].errors["user_name"][0]
        assert "letters A-Z and a-z, digits and + = , . @ _ -" in error and "regular expression" not in error
        assert "[\\w" not in response.content.decode()


def test_create_user_without_console_access_goes_to_the_user_page(root_console):
    response = root_console.post("/users/create/", {"user_name": "svc-build", "password_mode": "generate"})
    assert response.status_code == 302 and response.url == "/users/svc-build/"
    assert not User.objects.get(user_name="svc-build").has_login_profile


def test_user_list_searches_by_name_and_path_and_sorts(root_console, make_user):
    for name, path in [("anna", "/"), ("bert", "/eng/"), ("joanna", "/eng/"), ("zed", "/ops/")]:
        make_user(name, path=path)
    names = lambda response: [u.user_name for u in response.context["users"]]  # noqa: E731
    assert names(root_console.get("/users/")) == ["anna", "bert", "joanna", "zed"]
    assert names(root_console.get("/users/?q=ANNA")) == ["anna", "joanna"]
    assert names(root_console.get("/users/?q=ann&match=prefix")) == ["anna"]
    assert names(root_console.get("/users/?path=/eng/")) == ["bert", "joanna"]
    assert names(root_console.get("/users/?sort=-name")) == ["zed", "joanna", "bert", "anna"]
    assert names(root_console.get("/users/?sort=-created")) == ["zed", "joanna", "bert", "anna"]


def test_user_list_pages_with_a_keyset_marker(root_console, make_user):
    for i in range(55):
        make_user(f"user{i:02d}")
    first = root_console.get("/users/?sort=created")
    assert len(first.context["users"]) == 50 and first.context["next_marker"]
    second = root_console.get(f"/users/?sort=created&marker={first.context['next_marker']}")
    assert [u.user_name for u in second.context["users"]] == [f"user{i:02d}" for i in range(50, 55)]
    assert second.context["next_marker"] is None
    assert root_console.get("/users/?marker=!!bad").context["error"].code == "ValidationError"


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_user_list_query_count_does_not_grow_with_rows(root_console, make_user, root_caller):
    groups.create_group(caller=root_caller, group_name="g")
    for i in range(5):
        make_user(f"a{i}", password="Passw0rd!-x", access_key=True)
        groups.add_user_to_group(caller=root_caller, group_name="g", user_name=f"a{i}")
    _queries(root_console, "/users/")  # the first request fills this process's caches (the policy sets, guardrails)
    five = _queries(root_console, "/users/")
    for i in range(45):
        make_user(f"b{i}", access_key=True)
    assert _queries(root_console, "/users/") == five


def test_group_list_query_count_does_not_grow_with_rows(root_console, root_caller, make_user):
    make_user("m")
    for i in range(5):
        groups.create_group(caller=root_caller, group_name=f"a{i}")
        groups.add_user_to_group(caller=root_caller, group_name=f"a{i}", user_name="m")
    five = _queries(root_console, "/groups/")
    for i in range(45):
        groups.create_group(caller=root_caller, group_name=f"b{i}")
    assert _queries(root_console, "/groups/") == five


def test_user_detail_tabs_show_arn_id_groups_keys_and_events(root_console, make_user, root_caller):
    user = make_user("frank", path="/eng/", password="Passw0rd!-x", access_key=True)
    groups.create_group(caller=root_caller, group_name="devs")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="frank")
    summary = root_console.get("/users/frank/").content.decode()
    assert "arn:aws:iam::123456789012:user/eng/frank" in summary and user.user_id in summary
    assert 'data-copy-target="user-arn"' in summary
    assert "devs" in root_console.get("/users/frank/?tab=groups").content.decode()
    assert user.test_access_key[0] in root_console.get("/users/frank/?tab=keys").content.decode()
    assert user.test_access_key[1] not in root_console.get("/users/frank/?tab=keys").content.decode()
    events = root_console.get("/users/frank/?tab=events").content.decode()
    for name in ("CreateUser", "CreateLoginProfile", "CreateAccessKey", "AddUserToGroup"):
        assert name in events


def test_unknown_user_page_is_a_404_page(root_console):
    response = root_console.get("/users/ghost/")
    assert response.status_code == 404
    assert "The user with name ghost cannot be found." in response.content.decode()


def test_rename_and_change_path(root_console, make_user):
    make_user("gina")
    response = root_console.post("/users/gina/edit/", {"new_name": "georgina", "new_path": "/sales/"})
    assert response.url == "/users/georgina/"
    assert User.objects.get(user_name="georgina").path == "/sales/"
    bad = root_console.post("/users/georgina/edit/", {"new_name": "georgina", "new_path": "nope"})
    assert "A path begins and ends with /" in bad.context["form"].errors["new_path"][0]


def test_administrator_resets_password_requires_reset_and_removes_console_access(root_console, make_user):
    make_user("hank", password="Passw0rd!-x")
    response = root_console.post("/users/hank/login-profile/", {"action": "reset", "password_mode": "custom",
                                                                "password": "Another-Passw0rd!"})
    assert response.status_code == 302 and response.url == "/users/hank/?tab=credentials"
    shown = root_console.get(response.url)
    assert "Another-Passw0rd!" in shown.content.decode() and "no-store" in shown["Cache-Control"]
    assert "Another-Passw0rd!" not in root_console.get(response.url).content.decode()
    assert User.objects.get(user_name="hank").check_password("Another-Passw0rd!")
    root_console.post("/users/hank/login-profile/", {"action": "require_reset"})
    assert User.objects.get(user_name="hank").password_reset_required is True
    root_console.post("/users/hank/login-profile/", {"action": "delete"})
    assert User.objects.get(user_name="hank").has_login_profile is False


def test_tags_are_added_and_removed_with_htmx_partials(root_console, make_user):
    make_user("ivy")
    response = root_console.post("/users/ivy/tags/", {"key": "team", "value": "blue"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and '<div id="tags">' in body and "blue" in body
    assert "<html" not in body
    response = root_console.post("/users/ivy/tags/", {"action": "remove", "key": "team"}, HTTP_HX_REQUEST="true")
    assert "No tags." in response.content.decode()
    bad = root_console.post("/users/ivy/tags/", {"key": "aws:reserved", "value": "x"}, HTTP_HX_REQUEST="true")
    assert "Tag keys cannot begin with aws:" in bad.content.decode()


def test_delete_page_lists_what_blocks_deletion_and_refuses_plain_delete(root_console, make_user, root_caller):
    user = make_user("jack", password="Passw0rd!-x", access_key=True)
    groups.create_group(caller=root_caller, group_name="devs")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="jack")
    page = root_console.get("/users/jack/delete/").content.decode()
    assert "Cannot delete entity, must delete login profile first." in page
    assert user.test_access_key[0] in page and "Member of group" in page
    response = root_console.post("/users/jack/delete/", {"confirm_name": "jack"})
    assert response.status_code == 409
    assert User.objects.filter(user_name="jack").exists()


def test_delete_needs_the_typed_name(root_console, make_user):
    make_user("kim")
    assert root_console.post("/users/kim/delete/", {"confirm_name": "ki"}).status_code == 400
    assert User.objects.filter(user_name="kim").exists()


def test_remove_dependents_then_delete_runs_each_operation(root_console, make_user, root_caller):
    make_user("leo", password="Passw0rd!-x", access_key=True)
    groups.create_group(caller=root_caller, group_name="devs")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="leo")
    response = root_console.post("/users/leo/delete/", {"confirm_name": "LEO", "remove_dependents": "1"})
    assert response.status_code == 302 and response.url == "/users/"
    assert not User.objects.filter(user_name="leo").exists()
    names = list(AuditEvent.objects.filter(outcome="Success", event_name__in=[
        "DeleteLoginProfile", "DeleteAccessKey", "RemoveUserFromGroup", "DeleteUser"]).order_by("id")
        .values_list("event_name", flat=True))
    assert names == ["DeleteLoginProfile", "DeleteAccessKey", "RemoveUserFromGroup", "DeleteUser"]


def test_user_without_permission_sees_access_denied_page(user_console):
    _, client = user_console()
    for url in ("/users/", "/groups/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "Access denied" in body and "AccessDenied" in body and "is not authorized to perform" in body
    response = client.post("/users/create/", {"user_name": "x", "password_mode": "generate"})
    assert response.status_code == 403 and not User.objects.filter(user_name="x").exists()


def test_dashboard_for_a_user_without_permission_shows_their_identity(user_console):
    _, client = user_console()
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["summary"] is None
    assert "arn:aws:iam::123456789012:user/alice" in response.content.decode()


def test_dashboard_counts_for_an_administrator(root_console, make_user, root_caller):
    make_user("a", password="Passw0rd!-x", access_key=True)
    make_user("b")
    access_keys.create_access_key(caller=root_caller, user_name="b")
    groups.create_group(caller=root_caller, group_name="g")
    summary = root_console.get("/").context["summary"]
    assert (summary.users, summary.groups, summary.access_keys, summary.users_without_mfa,
            summary.passwords_never_used_count) == (2, 1, 2, 2, 1)
