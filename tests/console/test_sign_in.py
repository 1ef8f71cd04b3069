"""Sign-in: generic failures, ConsoleLogin audit events, lockout and unlock, session rotation and timeouts."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from audit.models import AuditEvent
from directory.models import User
from iam_console.console.mixins import LAST_SEEN, SIGNED_IN_AT
from tests.console.conftest import USER_PASSWORD, sign_in

pytestmark = pytest.mark.django_db
GENERIC = "Incorrect user name or password."


def test_sign_in_with_the_right_password_reaches_the_dashboard_and_is_audited(make_user):
    make_user("alice", password=USER_PASSWORD)
    client = Client(HTTP_USER_AGENT="pytest-agent/1.0")
    response = sign_in(client, "ALICE", USER_PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.filter(event_name="ConsoleLogin").get()
    assert (event.outcome, event.actor_arn, event.source_ip, event.user_agent, event.via) == (
        "Success", "arn:aws:iam::123456789012:user/alice", "127.0.0.1", "pytest-agent/1.0", "console")
    assert event.response_elements == {"ConsoleLogin": "Success"}
    assert User.objects.get(user_name="alice").last_login is not None


def test_wrong_password_and_unknown_user_get_the_same_message(make_user):
    make_user("alice", password=USER_PASSWORD)
    wrong = sign_in(Client(), "alice", "Wrong-password-1")
    unknown = sign_in(Client(), "nobody", "Wrong-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.content.decode() and GENERIC in unknown.content.decode()
    events = list(AuditEvent.objects.filter(event_name="ConsoleLogin").order_by("id"))
    assert [(e.outcome, e.actor_arn) for e in events] == [
        ("Failure", "arn:aws:iam::123456789012:user/alice"), ("Failure", "anonymous")]
    # A name that matches no user is not recorded: it is often a password typed in the wrong box.
    assert events[1].request_parameters == {"user_name": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    assert events[1].source_ip == "127.0.0.1"
    assert "Wrong-password-1" not in str(events[0].request_parameters) + str(events[1].request_parameters)


def test_user_without_console_password_cannot_sign_in(make_user):
    make_user("bob")
    response = sign_in(Client(), "bob", "anything-At-all1")
    assert response.status_code == 401 and GENERIC in response.content.decode()


def test_fifth_failure_locks_the_account_and_the_right_password_is_then_refused(make_user):
    make_user("alice", password=USER_PASSWORD)
    for _ in range(4):
        assert GENERIC in sign_in(Client(), "alice", "bad-Password-9").content.decode()
    fifth = sign_in(Client(), "alice", "bad-Password-9").content.decode()
    assert "temporarily locked" in fifth
    user = User.objects.get(user_name="alice")
    assert user.locked_until is not None and 899 <= (user.locked_until - timezone.now()).total_seconds() <= 900
    assert f"{user.locked_until:%Y-%m-%d %H:%M:%S} UTC" in fifth
    locked = sign_in(Client(), "alice", USER_PASSWORD)
    assert locked.status_code == 401 and "temporarily locked" in locked.content.decode()
    lock_event = AuditEvent.objects.get(event_name="UserLockedOut")
    assert lock_event.resources == ["arn:aws:iam::123456789012:user/alice"]
    assert AuditEvent.objects.filter(event_name="ConsoleLogin", outcome="Failure").count() == 6


def test_failures_outside_the_window_do_not_count(make_user):
    make_user("alice", password=USER_PASSWORD)
    for _ in range(4):
        sign_in(Client(), "alice", "bad-Password-9")
    AuditEvent.objects.filter(event_name="ConsoleLogin").update(
        event_time=timezone.now() - timezone.timedelta(seconds=901))
    assert GENERIC in sign_in(Client(), "alice", "bad-Password-9").content.decode()
    assert User.objects.get(user_name="alice").locked_until is None


def test_a_successful_sign_in_restarts_the_failure_count(make_user):
    make_user("alice", password=USER_PASSWORD)
    for _ in range(4):
        sign_in(Client(), "alice", "bad-Password-9")
    assert sign_in(Client(), "alice", USER_PASSWORD).status_code == 302
    for _ in range(4):
        assert GENERIC in sign_in(Client(), "alice", "bad-Password-9").content.decode()
    assert User.objects.get(user_name="alice").locked_until is None


def test_administrator_unlocks_a_locked_user_from_the_detail_page(make_user, root_console):
    make_user("alice", password=USER_PASSWORD)
    for _ in range(5):
        sign_in(Client(), "alice", "bad-Password-9")
    page = root_console.get("/users/alice/?tab=credentials").content.decode()
    assert "Unlock sign-in" in page and "Sign-in is locked until" in page
    response = root_console.post("/users/alice/unlock/")
    assert response.status_code == 302
    assert "alice can sign in again." in root_console.get(response.url).content.decode()
    assert sign_in(Client(), "alice", USER_PASSWORD).status_code == 302
    unlock = AuditEvent.objects.get(event_name="UnlockUser")
    assert (unlock.outcome, unlock.actor_arn) == ("Success", "arn:aws:iam::123456789012:root")


def test_a_user_cannot_unlock_another_user(make_user, user_console):
    make_user("victim", password=USER_PASSWORD)
    for _ in range(5):
        sign_in(Client(), "victim", "bad-Password-9")
    _, client = user_console("mallory")
    response = client.post("/users/victim/unlock/")
    assert response.status_code == 403
    assert "iam:UpdateLoginProfile" in response.content.decode()
    assert User.objects.get(user_name="victim").locked_until > timezone.now()


def test_sign_in_rotates_the_session_key(make_user):
    make_user("alice", password=USER_PASSWORD)
    client = Client()
    client.get("/sign-in/")
    client.session["probe"] = 1
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    sign_in(client, "alice", USER_PASSWORD)
    assert client.session.session_key != before


def test_idle_session_is_signed_out(user_console):
    _, client = user_console()
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 3601
    session.save()
    response = client.get("/my/security-credentials/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/")
    assert "inactivity" in client.get("/sign-in/").content.decode()


@override_settings(SESSION_COOKIE_AGE=600)
def test_session_ends_after_the_absolute_timeout_even_when_active(user_console):
    _, client = user_console()
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 601
    session.save()
    response = client.get("/my/security-credentials/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/")


def test_anonymous_visitor_is_sent_to_sign_in_with_next():
    response = Client().get("/users/")
    assert response.status_code == 302 and response.url == "/sign-in/?next=/users/"


def test_sign_in_follows_a_safe_next_but_not_an_external_one(make_user):
    make_user("alice", password=USER_PASSWORD)
    response = Client().post("/sign-in/?next=/my/security-credentials/",
                             {"user_name": "alice", "password": USER_PASSWORD})
    assert response.url == "/my/security-credentials/"
    response = Client().post("/sign-in/?next=https://evil.example/", {"user_name": "alice", "password": USER_PASSWORD})
    assert response.url == "/"


def test_sign_out_requires_post_and_ends_the_session(user_console):
    _, client = user_console()
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").url == "/sign-in/"
    assert client.get("/").status_code == 302
