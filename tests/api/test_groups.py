"""Groups through the REST API: CreateGroup, ListGroups, GetGroup, UpdateGroup, DeleteGroup, memberships."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_create_and_get_group_with_its_users_page(root_api, make_user, settings):
    response = root_api.post("/api/v1/groups/", {"group_name": "Admins", "path": "/ops/"})
    assert response.status_code == 201
    group = response.json()["group"]
    assert group["arn"] == f"arn:aws:iam::{settings.IAM_ACCOUNT_ID}:group/ops/Admins"
    assert group["group_id"].startswith("AGPA") and len(group["group_id"]) == 21
    for name in ["u3", "u1", "u2"]:
        make_user(name)
        assert root_api.post("/api/v1/groups/admins/members/", {"user_name": name}).status_code == 204
    first = root_api.get("/api/v1/groups/admins/?limit=2").json()
    assert first["group"]["group_name"] == "Admins"
    assert [u["user_name"] for u in first["users"]] == ["u1", "u2"]
    assert first["is_truncated"] is True
    rest = root_api.get(f"/api/v1/groups/admins/?limit=2&marker={first['marker']}").json()
    assert [u["user_name"] for u in rest["users"]] == ["u3"]


def test_list_groups_with_path_prefix(root_api):
    root_api.post("/api/v1/groups/", {"group_name": "a", "path": "/x/"})
    root_api.post("/api/v1/groups/", {"group_name": "b"})
    assert [g["group_name"] for g in root_api.get("/api/v1/groups/").json()["groups"]] == ["a", "b"]
    assert [g["group_name"] for g in root_api.get("/api/v1/groups/?path_prefix=%2Fx%2F").json()["groups"]] == ["a"]


@pytest.mark.parametrize("name, ok", [("g" * 128, True), ("g" * 129, False), ("no spaces", False)])
def test_group_name_pattern_and_128_limit(root_api, name, ok):
    response = root_api.post("/api/v1/groups/", {"group_name": name})
    assert (response.status_code == 201) if ok else (error(response) == (400, "ValidationError"))


def test_group_names_are_unique_case_insensitively(root_api):
    root_api.post("/api/v1/groups/", {"group_name": "devs"})
    response = root_api.post("/api/v1/groups/", {"group_name": "DEVS"})
    assert error(response) == (409, "EntityAlreadyExists")
    assert response.json()["error"]["message"] == "Group with name DEVS already exists."


def test_update_group_renames_it(root_api):
    root_api.post("/api/v1/groups/", {"group_name": "old"})
    response = root_api.patch("/api/v1/groups/old/", {"new_group_name": "new", "new_path": "/n/"})
    assert response.status_code == 200
    assert response.json()["group"]["path"] == "/n/"
    assert error(root_api.get("/api/v1/groups/old/")) == (404, "NoSuchEntity")
    assert error(root_api.patch("/api/v1/groups/new/", {"group_name": "x"})) == (400, "ValidationError")


def test_delete_group_refused_while_it_has_members(root_api, make_user):
    make_user("m1")
    root_api.post("/api/v1/groups/", {"group_name": "team"})
    root_api.post("/api/v1/groups/team/members/", {"user_name": "m1"})
    response = root_api.delete("/api/v1/groups/team/")
    assert error(response) == (409, "DeleteConflict")
    assert response.json()["error"]["message"] == "Cannot delete entity, must remove users from group first."
    assert root_api.delete("/api/v1/groups/team/members/m1/").status_code == 204
    assert root_api.delete("/api/v1/groups/team/").status_code == 204
    assert error(root_api.get("/api/v1/groups/team/")) == (404, "NoSuchEntity")


def test_membership_errors(root_api, make_user):
    make_user("m2")
    root_api.post("/api/v1/groups/", {"group_name": "g"})
    assert error(root_api.post("/api/v1/groups/g/members/", {"user_name": "ghost"})) == (404, "NoSuchEntity")
    assert error(root_api.post("/api/v1/groups/nope/members/", {"user_name": "m2"})) == (404, "NoSuchEntity")
    assert error(root_api.post("/api/v1/groups/g/members/", {})) == (400, "ValidationError")
    assert error(root_api.delete("/api/v1/groups/g/members/m2/")) == (404, "NoSuchEntity")
    # Adding an existing member again succeeds, as in AWS.
    assert root_api.post("/api/v1/groups/g/members/", {"user_name": "m2"}).status_code == 204
    assert root_api.post("/api/v1/groups/g/members/", {"user_name": "M2"}).status_code == 204


def test_eleventh_group_for_a_user_is_409_limit_exceeded(root_api, make_user):
    make_user("joiner")
    for i in range(10):
        root_api.post("/api/v1/groups/", {"group_name": f"g{i}"})
        assert root_api.post(f"/api/v1/groups/g{i}/members/", {"user_name": "joiner"}).status_code == 204
    root_api.post("/api/v1/groups/", {"group_name": "g10"})
    response = root_api.post("/api/v1/groups/g10/members/", {"user_name": "joiner"})
    assert error(response) == (409, "LimitExceeded")
    assert response.json()["error"]["message"] == "Cannot exceed quota for GroupsPerUser: 10"


def test_non_root_user_cannot_manage_groups(user_api, root_api):
    root_api.post("/api/v1/groups/", {"group_name": "admins"})
    user, api = user_api("eve")
    assert error(api.get("/api/v1/groups/")) == (403, "AccessDenied")
    assert error(api.post("/api/v1/groups/admins/members/", {"user_name": "eve"})) == (403, "AccessDenied")
    assert error(api.get("/api/v1/groups/admins/")) == (403, "AccessDenied")
    assert error(api.delete("/api/v1/groups/admins/")) == (403, "AccessDenied")
