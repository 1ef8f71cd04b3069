"""Access keys and login profiles through the REST API, for a named user and for the caller (me/)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SELF_SERVICE
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db
PASSWORD = "Str0ng-Passw0rd!"


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_create_access_key_shows_the_secret_once(root_api, make_user):
    make_user("ann", policies=SELF_SERVICE)
    response = root_api.post("/api/v1/users/ann/access-keys/")
    assert response.status_code == 201
    key = response.json()["access_key"]
    assert set(key) == {"user_name", "access_key_id", "secret_access_key", "status", "create_date"}
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["access_key_id"])
    assert len(key["secret_access_key"]) == 40
    assert key["status"] == "Active" and key["user_name"] == "ann"
    listed = root_api.get("/api/v1/users/ann/access-keys/").json()
    assert listed["user_name"] == "ann" and listed["is_truncated"] is False
    assert [k["access_key_id"] for k in listed["access_key_metadata"]] == [key["access_key_id"]]
    assert "secret_access_key" not in listed["access_key_metadata"][0]
    # The new key works at once.
    me = SignedClient(key["access_key_id"], key["secret_access_key"]).get("/api/v1/me/")
    assert me.json()["user"]["user_name"] == "ann"


def test_third_access_key_is_refused_with_limit_exceeded(root_api, make_user):
    make_user("ben")
    assert root_api.post("/api/v1/users/ben/access-keys/").status_code == 201
    assert root_api.post("/api/v1/users/ben/access-keys/").status_code == 201
    response = root_api.post("/api/v1/users/ben/access-keys/")
    assert error(response) == (409, "LimitExceeded")
    assert response.json()["error"]["message"] == "Cannot exceed quota for AccessKeysPerUser: 2"


def test_deactivate_and_delete_access_key(root_api, make_user):
    user = make_user("cat", access_key=True)
    key_id, secret = user.test_access_key
    path = f"/api/v1/users/cat/access-keys/{key_id}/"
    response = root_api.patch(path, {"status": "Inactive"})
    assert response.status_code == 200 and response.json()["access_key"]["status"] == "Inactive"
    assert error(root_api.patch(path, {"status": "Paused"})) == (400, "ValidationError")
    assert error(SignedClient(key_id, secret).get("/api/v1/me/")) == (403, "InvalidClientTokenId")
    assert root_api.delete(path).status_code == 204
    assert error(root_api.delete(path)) == (404, "NoSuchEntity")
    assert error(root_api.patch(path, {"status": "Active"})) == (404, "NoSuchEntity")


def test_access_key_last_used_is_na_until_used_then_recorded(root_api, make_user):
    user = make_user("dan", access_key=True)
    key_id, secret = user.test_access_key
    path = f"/api/v1/users/dan/access-keys/{key_id}/"
    assert root_api.get(path).json() == {"user_name": "dan", "access_key_last_used": {
        "last_used_date": None, "service_name": "N/A", "region": "N/A"}}
    SignedClient(key_id, secret, region="eu-west-1").get("/api/v1/me/")
    used = root_api.get(path).json()["access_key_last_used"]
    assert used["service_name"] == "iam" and used["region"] == "eu-west-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", used["last_used_date"])


def test_access_key_of_another_user_is_404_under_the_wrong_name(root_api, make_user):
    owner = make_user("eli", access_key=True)
    make_user("fay")
    key_id, _ = owner.test_access_key
    assert error(root_api.get(f"/api/v1/users/fay/access-keys/{key_id}/")) == (404, "NoSuchEntity")
    assert error(root_api.delete(f"/api/v1/users/fay/access-keys/{key_id}/")) == (404, "NoSuchEntity")
    assert error(root_api.get("/api/v1/users/eli/access-keys/AKIANOTAREALKEY00000/")) == (404, "NoSuchEntity")


def test_me_access_keys_manage_the_callers_own_keys(user_api):
    user, api = user_api("gus", policies=SELF_SERVICE)
    own_id = user.test_access_key[0]
    listed = api.get("/api/v1/me/access-keys/").json()
    assert [k["access_key_id"] for k in listed["access_key_metadata"]] == [own_id]
    created = api.post("/api/v1/me/access-keys/")
    assert created.status_code == 201
    new_id = created.json()["access_key"]["access_key_id"]
    assert error(api.post("/api/v1/me/access-keys/")) == (409, "LimitExceeded")
    assert api.get(f"/api/v1/me/access-keys/{own_id}/").json()["access_key_last_used"]["service_name"] == "iam"
    assert api.patch(f"/api/v1/me/access-keys/{new_id}/", {"status": "Inactive"}).status_code == 200
    assert api.delete(f"/api/v1/me/access-keys/{new_id}/").status_code == 204


def test_user_cannot_touch_another_users_keys(user_api, make_user):
    victim = make_user("hal", access_key=True)
    _, api = user_api("ivy")
    victim_key = victim.test_access_key[0]
    assert error(api.get("/api/v1/users/hal/access-keys/")) == (403, "AccessDenied")
    assert error(api.post("/api/v1/users/hal/access-keys/")) == (403, "AccessDenied")
    assert error(api.delete(f"/api/v1/users/hal/access-keys/{victim_key}/")) == (403, "AccessDenied")
    assert error(api.get(f"/api/v1/me/access-keys/{victim_key}/")) == (403, "AccessDenied")


def test_login_profile_lifecycle(root_api, make_user):
    make_user("jo")
    path = "/api/v1/users/jo/login-profile/"
    assert error(root_api.get(path)) == (404, "NoSuchEntity")
    created = root_api.post(path, {"password": PASSWORD, "password_reset_required": True})
    assert created.status_code == 201
    profile = created.json()["login_profile"]
    assert profile["user_name"] == "jo" and profile["password_reset_required"] is True
    assert "password" not in profile
    assert error(root_api.post(path, {"password": PASSWORD})) == (409, "EntityAlreadyExists")
    updated = root_api.patch(path, {"password_reset_required": False})
    assert updated.json()["login_profile"]["password_reset_required"] is False
    assert root_api.get(path).status_code == 200
    assert root_api.delete(path).status_code == 204
    assert error(root_api.delete(path)) == (404, "NoSuchEntity")


def test_weak_password_is_400_password_policy_violation(root_api, make_user):
    make_user("kay")
    response = root_api.post("/api/v1/users/kay/login-profile/", {"password": "short"})
    assert error(response) == (400, "PasswordPolicyViolation")
    assert "short" not in response.json()["error"]["message"]
