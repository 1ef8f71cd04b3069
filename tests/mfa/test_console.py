"""MFA in the console: the code step of sign-in, lockout, recovery codes, MFA-aware policies, forced enrolment."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.mfa import totp
from directory.mfa.requirement import update_mfa_requirement
from directory.models import MFADevice, User
from directory.services import groups
from directory.services.inline import put_user_policy
from iam_console.callers import MFA_SESSION_KEY
from tests.console.conftest import USER_PASSWORD, sign_in
from tests.mfa.conftest import seed_from

pytestmark = pytest.mark.django_db
FORCE_MFA = "arn:aws:iam::aws:policy/IAMForceMFA"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


@pytest.fixture(autouse=True)
def _wide_window(settings):
    # Several codes are used in one test: a wider window keeps later steps inside it, whatever the clock does.
    settings.IAM_MFA_TOLERANCE_STEPS = 4


def test_a_user_with_a_device_is_asked_for_a_code_before_being_signed_in(make_user, enrol):
    make_user("alice", password=USER_PASSWORD)
    device = enrol("alice")
    client = Client()
    response = sign_in(client, "alice", USER_PASSWORD)
    assert (response.status_code, response.url) == (302, "/sign-in/mfa/")
    assert client.get("/").status_code == 302  # not signed in yet
    assert not AuditEvent.objects.filter(event_name="ConsoleLogin", outcome="Success").exists()
    page = client.get("/sign-in/mfa/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    response = client.post("/sign-in/mfa/", {"code": device.code(1)})
    assert (response.status_code, response.url) == (302, "/")
    assert client.get("/").status_code == 200
    assert client.session[MFA_SESSION_KEY]
    event = AuditEvent.objects.get(event_name="ConsoleLogin", outcome="Success")
    assert event.response_elements == {"ConsoleLogin": "Success", "MFAUsed": "Yes", "MFAMethod": "TOTP"}


def test_a_reused_code_is_refused_at_the_next_sign_in(make_user, enrol):
    make_user("alice", password=USER_PASSWORD)
    device = enrol("alice")
    code = device.code(1)
    first = Client()
    sign_in(first, "alice", USER_PASSWORD)
    assert first.post("/sign-in/mfa/", {"code": code}).status_code == 302
    second = Client()
    sign_in(second, "alice", USER_PASSWORD)
    refused = second.post("/sign-in/mfa/", {"code": code})
    assert refused.status_code == 401 and "The MFA code is not valid" in refused.content.decode()
    assert second.get("/").status_code == 302


def test_wrong_codes_count_toward_the_lockout(make_user, enrol, settings):
    settings.IAM_LOCKOUT_THRESHOLD = 3
    make_user("alice", password=USER_PASSWORD)
    device = enrol("alice")
    client = Client()
    sign_in(client, "alice", USER_PASSWORD)
    assert client.post("/sign-in/mfa/", {"code": "000000"}).status_code == 401
    assert client.post("/sign-in/mfa/", {"code": "000001"}).status_code == 401
    locked = client.post("/sign-in/mfa/", {"code": "000002"})
    assert (locked.status_code, locked.url) == (302, "/sign-in/")
    assert User.objects.get(user_name="alice").locked_until is not None
    # The half-finished sign-in is over, and the password alone is refused while locked.
    assert client.post("/sign-in/mfa/", {"code": device.code(1)}).url == "/sign-in/"
    assert sign_in(Client(), "alice", USER_PASSWORD).status_code == 401
    assert AuditEvent.objects.filter(event_name="UserLockedOut").count() == 1


def test_a_recovery_code_signs_in_once_and_says_how_many_remain(make_user, enrol):
    make_user("alice", password=USER_PASSWORD)
    codes = enrol("alice").recovery_codes
    client = Client()
    sign_in(client, "alice", USER_PASSWORD)
    response = client.post("/sign-in/mfa/", {"recovery_code": codes[0]}, follow=True)
    assert "9 recovery codes remain" in response.content.decode()
    again = Client()
    sign_in(again, "alice", USER_PASSWORD)
    assert again.post("/sign-in/mfa/", {"recovery_code": codes[0]}).status_code == 401
    event = AuditEvent.objects.get(event_name="ConsoleLogin", outcome="Success")
    assert event.response_elements["MFAMethod"] == "RecoveryCode"


def test_the_code_step_is_unreachable_without_a_correct_password_first():
    response = Client().post("/sign-in/mfa/", {"code": "123456"})
    assert (response.status_code, response.url) == (302, "/sign-in/")


def test_console_requests_carry_mfa_present_and_age_after_mfa_sign_in(make_user, enrol):
    # The policy allows listing users only with MFA less than an hour old.
    make_user("alice", password=USER_PASSWORD)
    device = enrol("alice")
    _allow_with_mfa("alice")
    client = Client()
    sign_in(client, "alice", USER_PASSWORD)
    client.post("/sign-in/mfa/", {"code": device.code(1)})
    assert client.get("/users/").status_code == 200
    # The console's own calls to the REST API (session cookie) carry the same MFA sign-in.
    assert client.get("/api/v1/users/").status_code == 200
    session = client.session
    session[MFA_SESSION_KEY] = "2000-01-01T00:00:00+00:00"  # MFA too long ago: aws:MultiFactorAuthAge too large
    session.save()
    assert client.get("/users/").status_code == 403


def _allow_with_mfa(user_name: str) -> None:
    from policies.authorization import Caller

    root = User.objects.get(is_superuser=True)
    put_user_policy(caller=Caller(principal=root), user_name=user_name, policy_name="mfa-list", policy_document="""{
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                                   "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}]}""")


def test_without_mfa_the_same_mfa_conditioned_policy_denies(make_user):
    make_user("bob", password=USER_PASSWORD)
    _allow_with_mfa("bob")
    client = Client()
    sign_in(client, "bob", USER_PASSWORD)
    assert client.get("/users/").status_code == 403


def test_force_mfa_policy_lets_a_user_without_mfa_enrol_and_nothing_else(make_user):
    make_user("carol", password=USER_PASSWORD, policies=(FORCE_MFA, READ_ONLY))
    client = Client()
    sign_in(client, "carol", USER_PASSWORD)
    assert client.get("/users/").status_code == 403
    assert client.get("/groups/").status_code == 403
    assert client.get("/my/security-credentials/").status_code == 403
    assert client.get("/my/mfa/").status_code == 200
    page = client.post("/my/mfa/enrol/", {"action": "create", "device_name": "carol-phone"}, follow=True)
    assert page.status_code == 200
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    seed, now = seed_from(secret), totp.current_step()
    done = client.post("/my/mfa/enrol/", {"action": "enable", "serial_number": "arn:aws:iam::123456789012:mfa/carol-phone",
                                          "code_1": totp.code_at(seed, now - 1), "code_2": totp.code_at(seed, now)},
                       follow=True)
    assert done.status_code == 200 and 'id="recovery-code-list"' in done.content.decode()
    assert client.get("/users/").status_code == 403  # still signed in without MFA
    with_mfa = Client()
    sign_in(with_mfa, "carol", USER_PASSWORD)
    with_mfa.post("/sign-in/mfa/", {"code": totp.code_at(seed, now + 1)})
    assert with_mfa.get("/users/").status_code == 200


def test_force_mfa_denies_access_key_calls_as_aws_documents_but_allows_managing_own_mfa(user_api):
    # BoolIfExists: the key is absent for access-key requests, so the "false" test holds and the deny applies.
    _, api = user_api("dave", policies=(FORCE_MFA, READ_ONLY))
    denied = api.get("/api/v1/users/")
    assert denied.status_code == 403 and "explicit deny" in denied.json()["error"]["message"]
    assert api.get("/api/v1/users/dave/mfa-devices/").status_code == 200


def test_access_key_requests_have_no_mfa_key_while_console_requests_do(make_user, user_api):
    user, api = user_api("dave", password=USER_PASSWORD)
    from policies.authorization import Caller

    root = User.objects.get(is_superuser=True)
    put_user_policy(caller=Caller(principal=root), user_name="dave", policy_name="no-mfa-key", policy_document="""{
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                     "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}}]}""")
    assert api.get("/api/v1/users/").status_code == 200
    console = Client()
    sign_in(console, "dave", USER_PASSWORD)
    assert console.get("/users/").status_code == 403  # the console always sets the key (false here)


def test_the_requirement_sends_a_user_without_a_device_to_enrolment(root_caller, make_user, enrol):
    make_user("erin", password=USER_PASSWORD, policies=(READ_ONLY,))
    make_user("frank", password=USER_PASSWORD, policies=(READ_ONLY,))
    groups.create_group(caller=root_caller, group_name="admins")
    groups.add_user_to_group(caller=root_caller, group_name="admins", user_name="erin")
    update_mfa_requirement(caller=root_caller, scope="Groups", group_names=["admins"])
    erin, frank = Client(), Client()
    sign_in(erin, "erin", USER_PASSWORD)
    sign_in(frank, "frank", USER_PASSWORD)
    assert erin.get("/users/").url == "/my/mfa/enrol/"
    assert "requires multi-factor authentication" in erin.get("/my/mfa/enrol/").content.decode()
    assert frank.get("/users/").status_code == 200
    update_mfa_requirement(caller=root_caller, scope="All")
    assert frank.get("/users/").url == "/my/mfa/enrol/"
    enrol("frank")
    assert frank.get("/users/").status_code == 200


def test_administrators_see_and_deactivate_a_users_devices(root_console, make_user, enrol):
    make_user("alice", password=USER_PASSWORD)
    device = enrol("alice")
    listing = root_console.get("/account/mfa/").content.decode()
    assert device.serial_number in listing and "alice" in listing
    page = root_console.get("/users/alice/mfa/").content.decode()
    assert device.serial_number in page and totp.base32(device.seed) not in page
    response = root_console.post("/users/alice/mfa/", {"action": "deactivate", "serial_number": device.serial_number})
    assert response.status_code == 302 and not MFADevice.objects.filter(confirmed=True).exists()
    client = Client()
    assert sign_in(client, "alice", USER_PASSWORD).url == "/"  # no device: password only
