"""Forced password changes (reset required, expiry), HardExpiry, and the expiry warning banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from directory.models import User
from directory.services import login_profiles, password_policy
from tests.conftest import SELF_SERVICE
from tests.console.conftest import USER_PASSWORD, sign_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "N3w-Passw0rd!xyz"


def _age_password(user_name: str, days: int) -> None:
    User.objects.filter(user_name=user_name).update(password_last_changed=timezone.now() - timedelta(days=days))


def test_reset_required_sends_the_user_to_change_password_before_anything_else(root_caller, user_console):
    user, client = user_console(policies=SELF_SERVICE)
    login_profiles.update_login_profile(caller=root_caller, user_name="alice", password_reset_required=True)
    for url in ("/", "/users/", "/my/security-credentials/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/change-password/"
    page = client.get("/change-password/").content.decode()
    assert "An administrator requires you to choose a new password" in page
    response = client.post("/change-password/", {"old_password": USER_PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200  # the session survives its own password change
    user.refresh_from_db()
    assert user.password_reset_required is False and user.check_password(NEW_PASSWORD)


def test_new_password_that_breaks_the_policy_is_shown_next_to_the_field(user_console, root_caller):
    _, client = user_console(policies=SELF_SERVICE)
    password_policy.update_account_password_policy(caller=root_caller, minimum_password_length=20)
    response = client.post("/change-password/", {"old_password": USER_PASSWORD, "new_password": "Short-1!",
                                                  "confirm_password": "Short-1!"})
    assert response.status_code == 400
    assert response.context["form"].errors["new_password"] == [
        "Password does not conform to the account password policy: it must be at least 20 characters long."]
    assert "At least 20 characters (at most 128)" in response.content.decode()


def test_wrong_current_password_is_shown_next_to_that_field(user_console):
    _, client = user_console(policies=SELF_SERVICE)
    response = client.post("/change-password/", {"old_password": "nope", "new_password": NEW_PASSWORD,
                                                  "confirm_password": NEW_PASSWORD})
    assert response.context["form"].errors["old_password"] == ["The old password is incorrect."]


def test_mismatched_confirmation_is_refused(user_console):
    _, client = user_console(policies=SELF_SERVICE)
    response = client.post("/change-password/", {"old_password": USER_PASSWORD, "new_password": NEW_PASSWORD,
                                                  "confirm_password": NEW_PASSWORD + "x"})
    assert response.context["form"].errors["confirm_password"] == ["The two passwords do not match."]


def test_expired_password_must_be_changed_on_sign_in(root_caller, make_user):
    make_user("alice", password=USER_PASSWORD)
    password_policy.update_account_password_policy(caller=root_caller, minimum_password_length=8, max_password_age=30,
                                                   allow_users_to_change_password=True)
    _age_password("alice", 31)
    client = Client()
    sign_in(client, "alice", USER_PASSWORD)
    assert client.get("/").url == "/change-password/"
    assert "Your password expired on" in client.get("/change-password/").content.decode()
    client.post("/change-password/", {"old_password": USER_PASSWORD, "new_password": NEW_PASSWORD,
                                      "confirm_password": NEW_PASSWORD})
    assert client.get("/").status_code == 200


def test_hard_expiry_tells_the_user_to_ask_an_administrator(root_caller, make_user):
    make_user("alice", password=USER_PASSWORD)
    password_policy.update_account_password_policy(caller=root_caller, max_password_age=30, hard_expiry=True)
    _age_password("alice", 31)
    client = Client()
    sign_in(client, "alice", USER_PASSWORD)
    page = client.get("/change-password/").content.decode()
    assert "ask an administrator to reset it" in page
    assert 'name="new_password"' not in page
    response = client.post("/change-password/", {"old_password": USER_PASSWORD, "new_password": NEW_PASSWORD,
                                                  "confirm_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert User.objects.get(user_name="alice").check_password(USER_PASSWORD)


def test_banner_warns_fifteen_days_before_expiry(root_caller, user_console):
    _, client = user_console(policies=SELF_SERVICE)
    password_policy.update_account_password_policy(caller=root_caller, max_password_age=90)
    _age_password("alice", 80)
    page = client.get("/").content.decode()
    assert "Your password expires in 10 days" in page
    _age_password("alice", 70)
    assert "Your password expires" not in client.get("/").content.decode()


def test_root_user_is_not_subject_to_expiry(root_caller, root_console):
    password_policy.update_account_password_policy(caller=root_caller, max_password_age=1)
    User.objects.filter(is_superuser=True).update(password_last_changed=timezone.now() - timedelta(days=5))
    assert root_console.get("/").status_code == 200
