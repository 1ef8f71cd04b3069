"""The account password policy, me/ and ChangePassword through the REST API."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT_PASSWORD, SELF_SERVICE

CHANGE_PASSWORD_POLICY = ("arn:aws:iam::aws:policy/IAMUserChangePassword",)

pytestmark = pytest.mark.django_db
PASSWORD = "Str0ng-Passw0rd!"


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_password_policy_put_get_delete_with_aws_semantics(root_api):
    assert error(root_api.get("/api/v1/account/password-policy/")) == (404, "NoSuchEntity")
    response = root_api.put("/api/v1/account/password-policy/", {
        "minimum_password_length": 14, "require_symbols": True, "max_password_age": 90,
        "password_reuse_prevention": 5, "allow_users_to_change_password": True})
    assert response.status_code == 200
    assert root_api.get("/api/v1/account/password-policy/").json() == {"password_policy": {
        "minimum_password_length": 14, "require_symbols": True, "require_numbers": False,
        "require_uppercase_characters": False, "require_lowercase_characters": False,
        "allow_users_to_change_password": True, "expire_passwords": True, "max_password_age": 90,
        "password_reuse_prevention": 5, "hard_expiry": False}}
    # A setting left out of the next PUT returns to its default, as UpdateAccountPasswordPolicy does.
    policy = root_api.put("/api/v1/account/password-policy/", {"require_numbers": True}).json()["password_policy"]
    assert policy["minimum_password_length"] == 6
    assert policy["require_symbols"] is False and policy["require_numbers"] is True
    assert policy["expire_passwords"] is False and policy["max_password_age"] is None
    assert root_api.delete("/api/v1/account/password-policy/").status_code == 204
    assert error(root_api.delete("/api/v1/account/password-policy/")) == (404, "NoSuchEntity")


@pytest.mark.parametrize("body, code", [({"minimum_password_length": 5}, "ValidationError"),
                                        ({"minimum_password_length": 129}, "ValidationError"),
                                        ({"max_password_age": 1096}, "ValidationError"),
                                        ({"password_reuse_prevention": 25}, "ValidationError"),
                                        ({"require_symbols": "maybe"}, "ValidationError"),
                                        ({"min_length": 8}, "ValidationError")])
def test_password_policy_out_of_range_is_400(root_api, body, code):
    assert error(root_api.put("/api/v1/account/password-policy/", body)) == (400, code)


def test_password_policy_is_enforced_on_new_passwords(root_api, make_user):
    root_api.put("/api/v1/account/password-policy/", {"minimum_password_length": 20})
    make_user("lou")
    response = root_api.post("/api/v1/users/lou/login-profile/", {"password": PASSWORD})
    assert error(response) == (400, "PasswordPolicyViolation")


def test_user_may_read_but_not_change_the_password_policy(user_api):
    _, api = user_api("moe", policies=CHANGE_PASSWORD_POLICY)
    assert error(api.get("/api/v1/account/password-policy/")) == (404, "NoSuchEntity")
    assert error(api.put("/api/v1/account/password-policy/", {})) == (403, "AccessDenied")
    assert error(api.delete("/api/v1/account/password-policy/")) == (403, "AccessDenied")


def test_me_describes_the_caller(root_api, user_api, settings):
    root = root_api.get("/api/v1/me/").json()["user"]
    assert root["is_root"] is True
    assert root["arn"] == f"arn:aws:iam::{settings.IAM_ACCOUNT_ID}:root"
    _, api = user_api("ned", policies=SELF_SERVICE)
    me = api.get("/api/v1/me/").json()["user"]
    assert me["user_name"] == "ned" and me["is_root"] is False and me["tags"] == []


def test_change_password_through_me(root_api, user_api):
    root_api.put("/api/v1/account/password-policy/", {"allow_users_to_change_password": True})
    user, api = user_api("oli", password=PASSWORD)
    wrong = api.post("/api/v1/me/password/", {"old_password": "nope", "new_password": "An0ther-Passw0rd!"})
    assert error(wrong) == (400, "InvalidInput")
    weak = api.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "x"})
    assert error(weak) == (400, "PasswordPolicyViolation")
    ok = api.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "An0ther-Passw0rd!"})
    assert ok.status_code == 204
    user.refresh_from_db()
    assert user.check_password("An0ther-Passw0rd!")


def test_root_changes_its_own_password(root_api):
    response = root_api.post("/api/v1/me/password/", {"old_password": ROOT_PASSWORD,
                                                      "new_password": "N3w-Root-Passw0rd!!"})
    assert response.status_code == 204
