"""A console session's rules hold on every door: the REST API called with the session cookie obeys them too.

For each state that holds a session back (a password to change, an MFA device to enrol, an idle or absolute
timeout), every API route is walked with the cookie: nothing but the escape hatches works, and nothing is
written. The same walk after the rule is lifted is the control: it proves the refused routes would have worked.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from directory.mfa.requirement import update_mfa_requirement
from directory.models import AccessKey, Group, MFADevice, PasswordPolicy, Role, User, UserPolicyAttachment
from directory.services import groups
from policies.models import ManagedPolicy
from sts.console_sessions import LAST_SEEN, SIGNED_IN_AT
from tests.test_url_security import GUARDED

pytestmark = pytest.mark.django_db

PASSWORD = "Boss-Passw0rd!-long"
NEW_PASSWORD = "Boss-Changed-Passw0rd!"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
API_ROUTES = [route for route in GUARDED if route.template.lstrip("^").startswith("api/")]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
# Bodies that make the main create routes succeed for an unrestricted administrator (others get {}).
BODIES = {
    ("api-users", "POST"): {"user_name": "intruder"},
    ("api-groups", "POST"): {"group_name": "intruders"},
    ("api-policies", "POST"): {"policy_name": "intruder-policy", "policy_document": DOCUMENT},
    ("api-login-profile", "PATCH"): {"password_reset_required": True},
}
# What each restricted state still allows through the API: (route name, method) pairs, on the caller itself.
# The MFA requirement is read under iam:GetAccountPasswordPolicy (an account-wide sign-in rule, like the policy).
ACCOUNT_RULES = {("api-password-policy", "GET"), ("api-mfa-requirement", "GET")}
ESCAPE_HATCHES = {
    "password-reset": {("api-me-password", "POST"), *ACCOUNT_RULES},
    "password-expired": {("api-me-password", "POST"), *ACCOUNT_RULES},
    "mfa-enrolment": {("api-me-password", "POST"), *ACCOUNT_RULES, ("api-me", "GET"),
                      ("api-mfa-devices", "GET"), ("api-mfa-devices", "POST")},
}
TIMEOUTS = ("idle-timeout", "absolute-timeout")


@pytest.fixture
def world(make_user, root_caller):
    boss = make_user("boss", password=PASSWORD, policies=(ADMIN,))
    victim = make_user("victim", password="Victim-Passw0rd!", access_key=True)
    groups.create_group(caller=root_caller, group_name="victims")
    groups.add_user_to_group(caller=root_caller, group_name="victims", user_name="victim")
    PasswordPolicy.objects.create(account_id=boss.account_id, minimum_password_length=8)
    samples = {"user_name": victim.user_name, "group_name": "victims", "access_key_id": victim.test_access_key[0],
               "policy_arn": ADMIN, "version_id": "v1"}
    return boss, samples


def signed_in(user_name: str, password: str) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"user_name": user_name, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def call(client: Client, route, method: str, samples: dict) -> int:
    body = BODIES.get((route.name, method), {}) if method != "GET" else None
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    return client.generic(method, route.fill(samples), **kwargs).status_code


def walk(client: Client, samples: dict, skip: set) -> dict:
    return {(route.name, method): call(client, route, method, samples)
            for route in API_ROUTES for method in METHODS if (route.name, method) not in skip}


def snapshot() -> dict:
    return {model.__name__: model.objects.count()
            for model in (User, Group, Role, AccessKey, ManagedPolicy, UserPolicyAttachment, MFADevice)} | {
        "victim": list(User.objects.filter(user_name="victim").values_list("password_reset_required", "path"))}


def restrict(state: str, boss: User, client: Client, root_caller) -> None:
    if state == "password-reset":
        User.objects.filter(pk=boss.pk).update(password_reset_required=True)
    elif state == "password-expired":
        PasswordPolicy.objects.update(max_password_age=1)
        User.objects.filter(pk=boss.pk).update(password_last_changed=timezone.now() - timedelta(days=2))
    elif state == "mfa-enrolment":
        update_mfa_requirement(caller=root_caller, scope="All")
    else:
        session = client.session
        now = int(time.time())
        if state == "idle-timeout":
            session[LAST_SEEN] = now - settings.IAM_SESSION_IDLE_TIMEOUT_SECONDS - 1
        else:
            session[SIGNED_IN_AT] = now - settings.SESSION_COOKIE_AGE - 1
        session.save()


def lift(state: str, boss: User, root_caller) -> None:
    User.objects.filter(pk=boss.pk).update(password_reset_required=False, password_last_changed=timezone.now())
    update_mfa_requirement(caller=root_caller, scope="None")


@pytest.mark.parametrize("state", [*ESCAPE_HATCHES, *TIMEOUTS])
def test_a_restricted_cookie_session_can_use_nothing_but_its_escape_hatches(state, world, root_caller):
    boss, samples = world
    client = signed_in("boss", PASSWORD)
    restrict(state, boss, client, root_caller)
    hatches = ESCAPE_HATCHES.get(state, set())
    before, started = snapshot(), timezone.now()

    restricted = walk(client, samples, skip=hatches)

    assert snapshot() == before
    assert not AuditEvent.objects.filter(actor_arn=boss.arn, outcome=AuditEvent.Outcome.SUCCESS,
                                         event_time__gte=started).exists()
    assert [key for key, status in restricted.items() if 200 <= status < 300] == []

    # The control: the same walk once the rule no longer holds. Every route that works then was refused before,
    # by the session rule itself (403 AccessDenied, or MissingAuthenticationToken for a session that has ended).
    if state in TIMEOUTS:
        ended = client.get("/api/v1/me/")  # the cookie is signed out, not merely refused
        assert (ended.status_code, ended.json()["error"]["code"]) == (403, "MissingAuthenticationToken")
        client = signed_in("boss", PASSWORD)
    else:
        lift(state, boss, root_caller)
    control = walk(client, samples, skip=hatches)
    worked = [key for key, status in control.items() if 200 <= status < 300]
    assert len(worked) >= 25, worked
    assert {key: restricted[key] for key in worked if restricted[key] != 403} == {}
    assert ("api-me-access-keys", "POST") in worked


@pytest.mark.parametrize("state", list(ESCAPE_HATCHES))
def test_the_escape_hatches_work_through_the_api_with_the_cookie(state, world, root_caller):
    boss, _ = world
    client = signed_in("boss", PASSWORD)
    restrict(state, boss, client, root_caller)
    created = client.post("/api/v1/me/access-keys/", "{}", content_type="application/json")
    assert created.status_code == 403 and created.json()["error"]["code"] == "AccessDenied"
    assert "first" in created.json()["error"]["message"]

    assert client.get("/api/v1/account/password-policy/").status_code == 200
    if state == "mfa-enrolment":
        assert client.get("/api/v1/me/").json()["user"]["user_name"] == "boss"
        device = client.post("/api/v1/users/boss/mfa-devices/", json.dumps({"virtual_mfa_device_name": "phone"}),
                             content_type="application/json")
        assert device.status_code == 201, device.content
        assert client.get("/api/v1/users/boss/mfa-devices/").status_code == 200
        # Another user's devices are not the caller's own: refused even to an administrator.
        assert client.get("/api/v1/users/victim/mfa-devices/").status_code == 403
    changed = client.post("/api/v1/me/password/", json.dumps({"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
                          content_type="application/json")
    assert changed.status_code == 204, changed.content
    # Signed in again with the new password, the session is no longer held back by the password rule.
    client = signed_in("boss", NEW_PASSWORD)
    if state != "mfa-enrolment":
        assert client.post("/api/v1/me/access-keys/", "{}", content_type="application/json").status_code == 201


def test_a_session_past_its_idle_timeout_is_ended_by_the_api_too(world, root_caller):
    boss, _ = world
    client = signed_in("boss", PASSWORD)
    assert client.get("/api/v1/me/").status_code == 200
    restrict("idle-timeout", boss, client, root_caller)
    assert client.get("/api/v1/me/").json()["error"]["code"] == "MissingAuthenticationToken"
    # Ended, not just refused: the console now asks for a sign-in, saying why.
    page = client.get("/", follow=True)
    assert b"inactivity" in page.content
