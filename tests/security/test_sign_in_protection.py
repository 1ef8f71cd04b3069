"""Sign-in abuse: a client that keeps failing is slowed down before any account is locked, root cannot be
locked by anyone, a lock is no weapon against the browsers a user really signs in from, unknown and real names
answer alike, wrong current passwords count too, and all of it keeps working while Redis is down."""

from __future__ import annotations

import re

import pytest
import redis
from django.test import Client

from directory.models import User
from iam_console import throttle
from tests.conftest import ROOT_PASSWORD
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db

PASSWORD = "Alice-Passw0rd!-long"
SELF_SERVICE = ("arn:aws:iam::aws:policy/IAMUserSelfManageCredentials",)


def sign_in(client: Client, user_name: str, password: str):
    return client.post("/sign-in/", {"user_name": user_name, "password": password})


def from_ip(number: int) -> Client:
    return Client(REMOTE_ADDR=f"203.0.113.{number}")


def error_text(response) -> str:
    match = re.search(r'id="sign-in-error">([^<]*)<', response.content.decode())
    return match.group(1) if match else ""


def without_times(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "<time>", text)


def test_one_client_trying_many_names_is_throttled(make_user, settings):
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = 60  # no wait may run out on a slow machine meanwhile
    make_user("alice", password=PASSWORD)
    attacker = from_ip(7)
    statuses = [sign_in(attacker, f"name{i}", "wrong-password").status_code for i in range(40)]
    free = settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES
    assert statuses[:free] == [401] * free
    assert set(statuses[free:]) == {429}
    # While it waits, the client's guesses are not even checked: the right password is refused too.
    refused = sign_in(attacker, "alice", PASSWORD)
    assert refused.status_code == 429 and "Too many failed sign-in attempts" in error_text(refused)
    assert int(refused["Retry-After"]) >= 1
    # Another client is not affected.
    assert sign_in(from_ip(8), "alice", PASSWORD).status_code == 302


def test_back_off_doubles_with_each_further_failure(settings):
    settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES = 2
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = 1
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_MAX_SECONDS = 900
    from directory.services.sign_in import client_throttle

    waits = [client_throttle().fail("198.51.100.1") for _ in range(14)]
    assert waits[:1] == [0]
    assert waits[1:12] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert waits[12:] == [900, 900]


def test_anonymous_clients_cannot_lock_the_root_user(root, settings):
    for number in range(3 * settings.IAM_LOCKOUT_THRESHOLD):
        assert sign_in(from_ip(number), "root", "not-the-password").status_code == 401
    assert User.objects.get(pk=root.pk).locked_until is None
    assert sign_in(from_ip(200), "root", ROOT_PASSWORD).status_code == 302


def test_unknown_and_real_names_answer_alike_even_after_many_failures(make_user, settings):
    make_user("alice", password=PASSWORD)
    answers = {}
    for name in ("alice", "ghost"):
        answers[name] = [(r.status_code, without_times(error_text(r)))
                         for r in (sign_in(from_ip(i), name, "wrong-password")
                                   for i in range(settings.IAM_LOCKOUT_THRESHOLD + 3))]
    assert answers["alice"] == answers["ghost"]
    assert "temporarily locked" in answers["ghost"][-1][1]


def test_a_lock_does_not_keep_the_user_out_of_a_browser_they_sign_in_from(make_user, settings):
    make_user("alice", password=PASSWORD)
    own_browser = from_ip(1)
    assert sign_in(own_browser, "alice", PASSWORD).status_code == 302
    own_browser.post("/sign-out/")
    for number in range(10, 10 + settings.IAM_LOCKOUT_THRESHOLD):
        sign_in(from_ip(number), "alice", "wrong-password")
    assert User.objects.get(user_name="alice").locked_until is not None
    # A browser that never signed in as alice is locked out; alice's own is not.
    assert "temporarily locked" in error_text(sign_in(from_ip(99), "alice", PASSWORD))
    assert sign_in(own_browser, "alice", PASSWORD).status_code == 302


def test_wrong_current_passwords_given_to_change_password_count(make_user, settings):
    user = make_user("alice", password=PASSWORD, access_key=True, policies=SELF_SERVICE)
    api = SignedClient(*user.test_access_key)
    answers = [api.post("/api/v1/me/password/", {"old_password": f"guess-{i}", "new_password": "New-Passw0rd!-x"})
               for i in range(settings.IAM_LOCKOUT_THRESHOLD + 1)]
    codes = [(r.status_code, r.json()["error"]["code"]) for r in answers]
    assert codes[:-1] == [(400, "InvalidInput")] * settings.IAM_LOCKOUT_THRESHOLD
    assert codes[-1] == (429, "Throttling") and int(answers[-1]["Retry-After"]) >= 1
    # The right password is not even checked now, and the console is locked for new browsers too.
    right = api.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "New-Passw0rd!-x"})
    assert right.status_code == 429
    assert "temporarily locked" in error_text(sign_in(from_ip(50), "alice", PASSWORD))


def test_change_password_guesses_from_one_client_are_throttled_like_sign_ins(root_api, settings):
    settings.IAM_LOCKOUT_THRESHOLD = 100  # only the client throttle can stop it here
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = 60
    answers = [root_api.post("/api/v1/me/password/", {"old_password": f"guess-{i}", "new_password": "x"}).status_code
               for i in range(settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES + 2)]
    assert answers[-1] == 429 and answers.count(400) == settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES


def test_throttling_keeps_working_and_sign_in_succeeds_while_redis_is_down(make_user, monkeypatch, settings):
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = 60
    make_user("alice", password=PASSWORD)
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    monkeypatch.setattr(throttle._redis, "_client", dead)
    monkeypatch.setattr(throttle._redis, "_down_until", 0.0)
    assert sign_in(from_ip(1), "alice", PASSWORD).status_code == 302
    attacker = from_ip(2)
    statuses = [sign_in(attacker, f"name{i}", "wrong").status_code
                for i in range(settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES + 2)]
    assert statuses[-1] == 429
    assert throttle._redis._down_until > 0  # it noticed, and fell back to the in-process store
