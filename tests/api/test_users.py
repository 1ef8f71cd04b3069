"""Users through the REST API: CreateUser, ListUsers, GetUser, UpdateUser, DeleteUser, tags, IAM's rules."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_create_user_returns_aws_fields_and_tags(root_api, settings):
    response = root_api.post("/api/v1/users/", {"user_name": "alice", "path": "/eng/",
                                                "tags": [{"key": "team", "value": "core"}]})
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["user_name"] == "alice"
    assert user["path"] == "/eng/"
    assert user["arn"] == f"arn:aws:iam::{settings.IAM_ACCOUNT_ID}:user/eng/alice"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["user_id"])
    assert ISO.match(user["create_date"])
    assert user["password_last_used"] is None
    assert user["tags"] == [{"key": "team", "value": "core"}]


def test_get_user_by_name_is_case_insensitive(root_api):
    root_api.post("/api/v1/users/", {"user_name": "Alice"})
    response = root_api.get("/api/v1/users/ALICE/")
    assert response.status_code == 200
    assert response.json()["user"]["user_name"] == "Alice"
    assert response.json()["user"]["tags"] == []


def test_unknown_user_is_404_no_such_entity(root_api):
    response = root_api.get("/api/v1/users/ghost/")
    assert error(response) == (404, "NoSuchEntity")
    assert response.json()["error"]["message"] == "The user with name ghost cannot be found."


def test_duplicate_name_in_another_case_is_409_entity_already_exists(root_api):
    assert root_api.post("/api/v1/users/", {"user_name": "bob"}).status_code == 201
    assert error(root_api.post("/api/v1/users/", {"user_name": "BOB"})) == (409, "EntityAlreadyExists")


@pytest.mark.parametrize("name, ok", [("a" * 64, True), ("a" * 65, False), ("", False), ("bad name", False),
                                      ("bad/name", False), ("ok+=,.@_-9", True)])
def test_user_name_pattern_and_length(root_api, name, ok):
    response = root_api.post("/api/v1/users/", {"user_name": name})
    if ok:
        assert response.status_code == 201
    else:
        assert error(response) == (400, "ValidationError")


@pytest.mark.parametrize("path, ok", [("/", True), ("/a/b/", True), ("/" + "p" * 510 + "/", True),
                                      ("/" + "p" * 511 + "/", False), ("nope", False), ("/no", False)])
def test_path_pattern_and_512_limit(root_api, path, ok):
    response = root_api.post("/api/v1/users/", {"user_name": "pathy", "path": path})
    assert (response.status_code == 201) if ok else (error(response) == (400, "ValidationError"))


def test_unknown_field_is_400_validation_error_naming_it(root_api):
    response = root_api.post("/api/v1/users/", {"user_name": "carol", "username": "x"})
    assert error(response) == (400, "ValidationError")
    assert "'username'" in response.json()["error"]["message"]


def test_missing_field_is_400_validation_error_naming_it(root_api):
    response = root_api.post("/api/v1/users/", {"path": "/"})
    assert error(response) == (400, "ValidationError")
    assert response.json()["error"]["message"].startswith("Invalid request: user_name:")


def test_body_that_is_not_json_is_400(root_api):
    headers = root_api.signed_headers("POST", "/api/v1/users/", b"{nope", "application/json")
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"}
    extra["HTTP_HOST"] = "testserver"
    response = root_api.client.post("/api/v1/users/", data=b"{nope", content_type="application/json", **extra)
    assert error(response) == (400, "ValidationError")


def test_list_users_paginates_with_limit_and_marker(root_api):
    for name in ["dave", "erin", "frank"]:
        root_api.post("/api/v1/users/", {"user_name": name})
    first = root_api.get("/api/v1/users/?limit=2").json()
    assert [u["user_name"] for u in first["users"]] == ["dave", "erin"]
    assert first["is_truncated"] is True
    second = root_api.get(f"/api/v1/users/?max_items=2&marker={first['marker']}").json()
    assert [u["user_name"] for u in second["users"]] == ["frank"]
    assert second == {**second, "is_truncated": False, "marker": None}
    assert "tags" not in first["users"][0]


def test_list_users_filters_by_path_prefix_and_hides_root(root_api):
    root_api.post("/api/v1/users/", {"user_name": "a1", "path": "/eng/"})
    root_api.post("/api/v1/users/", {"user_name": "b1", "path": "/ops/"})
    assert [u["user_name"] for u in root_api.get("/api/v1/users/?path_prefix=%2Feng%2F").json()["users"]] == ["a1"]
    assert [u["user_name"] for u in root_api.get("/api/v1/users/").json()["users"]] == ["a1", "b1"]


def test_list_users_bad_limit_and_marker_are_400(root_api):
    assert error(root_api.get("/api/v1/users/?limit=0")) == (400, "ValidationError")
    assert error(root_api.get("/api/v1/users/?limit=abc")) == (400, "ValidationError")
    assert error(root_api.get("/api/v1/users/?marker=%21%21%21")) == (400, "ValidationError")
    assert error(root_api.get("/api/v1/users/?colour=red")) == (400, "ValidationError")


def test_list_users_uses_the_same_number_of_queries_for_5_and_50_users(root_api, make_user):
    def count(n: int) -> int:
        for i in range(n):
            make_user(f"q{n}-{i:02d}")
        root_api.get("/api/v1/me/")  # the key's last use is recorded once; keep that write out of the count
        with CaptureQueriesContext(connection) as captured:
            response = root_api.get("/api/v1/users/?path_prefix=%2F&limit=100&marker=")
        assert response.status_code == 200
        return len(captured)

    small = count(5)
    large = count(45)  # 50 users in all
    assert small == large


def test_list_groups_uses_the_same_number_of_queries_whatever_the_page(root_api):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert root_api.get("/api/v1/groups/").status_code == 200
        return len(captured)

    root_api.get("/api/v1/me/")
    for i in range(3):
        root_api.post("/api/v1/groups/", {"group_name": f"g{i}"})
    small = count()
    for i in range(3, 40):
        root_api.post("/api/v1/groups/", {"group_name": f"g{i}"})
    assert count() == small


def test_update_user_renames_and_moves(root_api, settings):
    root_api.post("/api/v1/users/", {"user_name": "gina"})
    response = root_api.patch("/api/v1/users/gina/", {"new_user_name": "gina2", "new_path": "/x/"})
    assert response.status_code == 200
    assert response.json()["user"]["arn"] == f"arn:aws:iam::{settings.IAM_ACCOUNT_ID}:user/x/gina2"
    assert error(root_api.get("/api/v1/users/gina/")) == (404, "NoSuchEntity")


def test_update_user_to_an_existing_name_is_409(root_api):
    root_api.post("/api/v1/users/", {"user_name": "h1"})
    root_api.post("/api/v1/users/", {"user_name": "h2"})
    assert error(root_api.patch("/api/v1/users/h1/", {"new_user_name": "H2"})) == (409, "EntityAlreadyExists")


def test_delete_user_then_404(root_api):
    root_api.post("/api/v1/users/", {"user_name": "ivan"})
    assert root_api.delete("/api/v1/users/ivan/").status_code == 204
    assert error(root_api.delete("/api/v1/users/ivan/")) == (404, "NoSuchEntity")


@pytest.mark.parametrize("dependent, message", [
    ("login_profile", "Cannot delete entity, must delete login profile first."),
    ("access_key", "Cannot delete entity, must delete access keys first."),
    ("group", "Cannot delete entity, must remove users from group first."),
])
def test_delete_user_is_refused_while_it_has_dependents(root_api, dependent, message):
    root_api.post("/api/v1/users/", {"user_name": "jack"})
    if dependent == "login_profile":
        root_api.post("/api/v1/users/jack/login-profile/", {"password": "Str0ng-Passw0rd!"})
    elif dependent == "access_key":
        root_api.post("/api/v1/users/jack/access-keys/")
    else:
        root_api.post("/api/v1/groups/", {"group_name": "devs"})
        root_api.post("/api/v1/groups/devs/members/", {"user_name": "jack"})
    response = root_api.delete("/api/v1/users/jack/")
    assert error(response) == (409, "DeleteConflict")
    body = response.json()["error"]
    assert body["message"] == message
    assert set(body["details"]) == {"login_profile", "access_keys", "groups", "mfa_devices", "attached_policies",
                                    "inline_policies"}
    assert root_api.get("/api/v1/users/jack/").status_code == 200


def test_tag_list_and_untag_user(root_api):
    root_api.post("/api/v1/users/", {"user_name": "kim"})
    response = root_api.post("/api/v1/users/kim/tags/", {"tags": [{"key": "b", "value": "2"},
                                                                  {"key": "a", "value": "1"}]})
    assert response.status_code == 200
    assert root_api.get("/api/v1/users/kim/tags/").json() == {
        "tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}], "is_truncated": False}
    assert root_api.delete("/api/v1/users/kim/tags/?tag_keys=a").status_code == 204
    assert root_api.request("DELETE", "/api/v1/users/kim/tags/", {"tag_keys": ["B"]}).status_code == 204
    assert root_api.get("/api/v1/users/kim/tags/").json()["tags"] == []


def test_fifty_first_tag_is_409_limit_exceeded(root_api):
    tags = [{"key": f"k{i}", "value": "v"} for i in range(50)]
    assert root_api.post("/api/v1/users/", {"user_name": "lee", "tags": tags}).status_code == 201
    response = root_api.post("/api/v1/users/lee/tags/", {"tags": [{"key": "one-more", "value": "v"}]})
    assert error(response) == (409, "LimitExceeded")
    assert error(root_api.post("/api/v1/users/", {"user_name": "lee2", "tags": tags + [{"key": "x"}]})) == \
        (409, "LimitExceeded")


def test_reserved_and_empty_tags_are_refused(root_api):
    root_api.post("/api/v1/users/", {"user_name": "max"})
    assert error(root_api.post("/api/v1/users/max/tags/", {"tags": [{"key": "aws:x", "value": "1"}]})) == \
        (400, "InvalidInput")
    assert error(root_api.post("/api/v1/users/max/tags/", {"tags": []})) == (400, "ValidationError")
    assert error(root_api.delete("/api/v1/users/max/tags/")) == (400, "ValidationError")


def test_list_groups_for_user(root_api):
    root_api.post("/api/v1/users/", {"user_name": "nia"})
    for name in ["zeta", "alpha"]:
        root_api.post("/api/v1/groups/", {"group_name": name})
        root_api.post(f"/api/v1/groups/{name}/members/", {"user_name": "nia"})
    body = root_api.get("/api/v1/users/nia/groups/").json()
    assert [g["group_name"] for g in body["groups"]] == ["alpha", "zeta"]
    assert body["is_truncated"] is False
    assert error(root_api.get("/api/v1/users/nobody/groups/")) == (404, "NoSuchEntity")


def test_non_root_user_is_403_access_denied_on_other_users(user_api, make_user):
    make_user("victim")
    _, api = user_api("mallory")
    response = api.get("/api/v1/users/victim/")
    assert error(response) == (403, "AccessDenied")
    assert "iam:GetUser" in response.json()["error"]["message"]
    assert error(api.get("/api/v1/users/")) == (403, "AccessDenied")
    assert error(api.post("/api/v1/users/", {"user_name": "sneaky"})) == (403, "AccessDenied")
    assert error(api.delete("/api/v1/users/victim/")) == (403, "AccessDenied")
