"""Console forms that are safe to reload, start from what is in force, and speak plainly."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.credentials import derive_secret_access_key
from directory.mfa import totp
from directory.models import AccessKey, Group, MFADevice, PasswordPolicy, User, UserInlinePolicy, UserTag
from directory.services import groups
from iam_console.console import handoff
from policies.models import ManagedPolicy
from tests.conftest import SELF_SERVICE

pytestmark = pytest.mark.django_db

SELF_MFA = "arn:aws:iam::aws:policy/IAMUserSelfManageMFA"


def _secret(key: AccessKey) -> str:
    return derive_secret_access_key(key.access_key_id, key.secret_nonce)


# --- the group page -------------------------------------------------------------------------------------------

def test_group_page_shows_its_permissions_in_the_page_and_a_plain_title(root_console, root_caller):
    groups.create_group(caller=root_caller, group_name="devs")
    page = root_console.get("/groups/devs/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title == "devs · IAM console"
    main = page.split('<main id="main"', 1)[1]
    assert 'id="permissions"' in main and "Attach a policy" in main and "Add inline policy" in main
    attached = root_console.post("/groups/devs/permissions/", {
        "action": "attach", "policy_arn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}, follow=True)
    assert "IAMReadOnlyAccess" in attached.content.decode().split('id="attached-policies"', 1)[1]


# --- the password policy --------------------------------------------------------------------------------------

def test_opening_the_password_policy_page_records_no_failure(root_console):
    before = AuditEvent.objects.count()
    page = root_console.get("/account/password-policy/")
    assert page.status_code == 200
    assert not AuditEvent.objects.filter(event_name="GetAccountPasswordPolicy").exists()
    assert AuditEvent.objects.count() == before
    body = page.content.decode()
    assert "No password policy is set" in body and "At least three of" in body
    assert page.context["form"].initial["mode"] == "default"
    assert "Delete policy" not in body


def test_saving_the_page_untouched_changes_nothing(root_console):
    form = root_console.get("/account/password-policy/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (False, None)}
    saved = root_console.post("/account/password-policy/", {k: ("on" if v is True else v) for k, v in data.items()},
                              follow=True)
    assert "Nothing changed" in saved.content.decode()
    assert not PasswordPolicy.objects.exists()


def test_the_form_starts_from_the_policy_in_force_and_resaving_it_keeps_it(root_console):
    root_console.post("/account/password-policy/", {"mode": "custom", "minimum_password_length": "12",
                                                    "require_symbols": "on", "prevent_reuse": "on",
                                                    "password_reuse_prevention": "4"})
    form = root_console.get("/account/password-policy/").context["form"]
    assert form.initial["mode"] == "custom" and form.initial["minimum_password_length"] == 12
    assert form.initial["require_symbols"] is True and form.initial["require_numbers"] is False
    data = {k: ("on" if v is True else v) for k, v in form.initial.items() if v not in (False, None)}
    data.pop("max_password_age", None)  # hidden while expiry is off
    again = root_console.post("/account/password-policy/", data, follow=True)
    assert "Nothing changed" in again.content.decode()
    assert (PasswordPolicy.objects.get().minimum_password_length,
            PasswordPolicy.objects.get().password_reuse_prevention) == (12, 4)


def test_a_failed_save_without_a_policy_does_not_offer_to_delete_one(root_console):
    refused = root_console.post("/account/password-policy/", {"mode": "custom", "minimum_password_length": "3"})
    assert refused.status_code == 400 and "Delete policy" not in refused.content.decode()


def test_choosing_the_default_rules_deletes_the_policy(root_console):
    root_console.post("/account/password-policy/", {"mode": "custom", "minimum_password_length": "14"})
    assert PasswordPolicy.objects.exists()
    response = root_console.post("/account/password-policy/", {"mode": "default"}, follow=True)
    assert "default rules apply" in response.content.decode() and not PasswordPolicy.objects.exists()


# --- post/redirect/get with one-time secrets ------------------------------------------------------------------

def test_reloading_after_creating_an_access_key_for_a_user_creates_no_second_key(root_console, make_user):
    make_user("bob")
    created = root_console.post("/users/bob/access-keys/", {"action": "create"})
    assert created.status_code == 302 and created.url == "/users/bob/?tab=keys"
    key = AccessKey.objects.get(user__user_name="bob")
    shown = root_console.get(created.url)
    assert _secret(key) in shown.content.decode() and "no-store" in shown["Cache-Control"]
    reloaded = root_console.get(created.url)
    assert _secret(key) not in reloaded.content.decode()
    assert AccessKey.objects.filter(user__user_name="bob").count() == 1


def test_creating_a_group_redirects_and_a_reload_creates_nothing(root_console):
    created = root_console.post("/groups/create/", {"group_name": "ops", "path": "/"})
    assert created.status_code == 302
    assert root_console.get(created.url).status_code == 200


def test_the_handoff_is_sealed_and_taken_once(rf, root_console):
    request = rf.get("/")
    request.session = root_console.session
    handoff.give(request, "slot", {"secret": "s3cr3t-value"})
    stored = dict(request.session[handoff.SESSION_KEY])
    assert "s3cr3t-value" not in str(stored)
    from django.core.cache import cache
    assert b"s3cr3t-value" not in cache.get(handoff._CACHE_PREFIX + stored["slot"]["handle"])
    assert handoff.take(request, "slot") == {"secret": "s3cr3t-value"}
    assert handoff.take(request, "slot") is None


# --- MFA enrolment that survives a wrong code -----------------------------------------------------------------

def _enrolment(client: Client, name: str = "alice-phone"):
    page = client.post("/my/mfa/enrol/", {"action": "create", "device_name": name}, follow=True)
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    return page, secret


def test_a_wrong_code_keeps_the_qr_code_and_the_enrolment_can_be_finished(user_console):
    _, client = user_console("alice", policies=(SELF_MFA,))
    page, secret = _enrolment(client)
    serial = "arn:aws:iam::123456789012:mfa/alice-phone"
    wrong = client.post("/my/mfa/enrol/", {"action": "enable", "serial_number": serial, "code_1": "000000",
                                           "code_2": "111111"})
    body = wrong.content.decode()
    assert wrong.status_code == 400 and 'id="mfa-qr"' in body and secret in body
    assert "The codes were not accepted" in body and "InvalidAuthenticationCode" not in body
    seed, now = _seed(secret), totp.current_step()
    done = client.post("/my/mfa/enrol/", {"action": "enable", "serial_number": serial,
                                          "code_1": totp.code_at(seed, now - 1), "code_2": totp.code_at(seed, now)})
    assert done.status_code == 302 and done.url == "/my/mfa/enrol/?done=1"
    assert MFADevice.objects.get(serial_number=serial).confirmed
    # The recovery codes are shown once, by the page the form redirects to.
    shown = client.get(done.url)
    assert 'id="recovery-code-list"' in shown.content.decode() and "no-store" in shown["Cache-Control"]
    assert client.get(done.url).url == "/my/mfa/"


def _seed(secret: str) -> bytes:
    import base64
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def test_an_abandoned_enrolment_is_resumed_not_refused_and_can_be_deleted(user_console):
    _, client = user_console("alice", policies=(SELF_MFA,))
    _, secret = _enrolment(client)
    # The same name again: back to the unfinished device with the same secret, no raw EntityAlreadyExists.
    again, secret_again = _enrolment(client)
    body = again.content.decode()
    assert secret_again == secret and "EntityAlreadyExists" not in body and "finish it now" in body
    devices = client.get("/my/mfa/").content.decode()
    assert "Unfinished enrolments" in devices and "Continue" in devices
    client.post("/my/mfa/", {"action": "delete", "serial_number": "arn:aws:iam::123456789012:mfa/alice-phone"})
    assert not MFADevice.objects.filter(user__user_name="alice").exists()
    assert AuditEvent.objects.filter(event_name="GetVirtualMFADeviceSeed", error_code="").exists()


def test_an_enabled_device_seed_never_comes_back(user_console):
    _, client = user_console("alice", policies=(SELF_MFA,))
    _, secret = _enrolment(client)
    seed, now = _seed(secret), totp.current_step()
    client.post("/my/mfa/enrol/", {"action": "enable", "serial_number": "arn:aws:iam::123456789012:mfa/alice-phone",
                                   "code_1": totp.code_at(seed, now - 1), "code_2": totp.code_at(seed, now)})
    page = client.get("/my/mfa/enrol/", {"serial": "arn:aws:iam::123456789012:mfa/alice-phone"}, follow=True)
    assert secret not in page.content.decode()


# --- plain words beside the field -----------------------------------------------------------------------------

def test_a_description_with_a_symbol_is_explained_beside_the_field(root_console, make_user):
    make_user("alice")
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":'
             '"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}')
    response = root_console.post("/roles/create/", {"role_name": "r1", "path": "/", "description": "Done ✓",
                                                     "max_session_duration": "3600", "document": trust})
    error = response.context["form"].errors["description"][0]
    assert "Symbols such as ✓" in error and "printable characters" not in error


def test_tag_errors_name_what_is_allowed_not_the_api_field(root_console, make_user):
    make_user("ivy")
    bad = root_console.post("/users/ivy/tags/", {"key": "bad#key", "value": "x"}, HTTP_HX_REQUEST="true")
    body = bad.content.decode()
    assert "A tag key is 1 to 128 characters" in body and "tags[0]" not in body


def test_the_api_keeps_aws_messages(root_api):
    response = root_api.post("/api/v1/users/", {"user_name": "José"})
    assert "regular expression pattern" in response.json()["error"]["message"]
    assert not User.objects.filter(user_name="José").exists()


def test_created_user_password_is_shown_once(root_console):
    created = root_console.post("/users/create/", {"user_name": "kim", "console_access": "on",
                                                   "password_mode": "generate"})
    first = root_console.get(created.url)
    password = first.context["password"]
    assert Client().post("/sign-in/", {"user_name": "kim", "password": password}).status_code == 302
    second = root_console.get(created.url, follow=True)
    assert password not in second.content.decode() and "was shown once" in second.content.decode()


def test_my_access_key_reload(user_console):
    user, client = user_console(policies=SELF_SERVICE)
    client.post("/my/security-credentials/", {"action": "create"})
    key = AccessKey.objects.get(user=user)
    assert _secret(key) in client.get("/my/security-credentials/").content.decode()
    assert _secret(key) not in client.get("/my/security-credentials/").content.decode()


# --- every create form answers with a redirect, so a reload repeats nothing -------------------------------------

POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}')


@pytest.mark.parametrize("url,data,count", [
    ("/groups/create/", {"group_name": "ops", "path": "/"}, lambda: Group.objects.count()),
    ("/policies/create/", {"policy_name": "Reader", "path": "/", "document": POLICY},
     lambda: ManagedPolicy.objects.count()),
    ("/users/create/", {"user_name": "svc", "password_mode": "generate"}, lambda: User.objects.count()),
    ("/users/ivy/add-inline-policy/", {"policy_name": "inline-one", "document": POLICY},
     lambda: UserInlinePolicy.objects.count()),
    ("/users/ivy/tags/", {"key": "team", "value": "blue"}, lambda: UserTag.objects.count()),
    ("/users/ivy/access-keys/", {"action": "create"}, lambda: AccessKey.objects.count()),
    ("/users/ivy/login-profile/", {"action": "create", "password_mode": "generate"},
     lambda: User.objects.filter(login_profile_create_date__isnull=False).count()),
])
def test_every_create_form_redirects_and_the_page_after_it_creates_nothing(root_console, make_user, url, data,
                                                                            count):
    make_user("ivy")
    before = count()
    response = root_console.post(url, data)
    assert response.status_code == 302, response.content.decode()[:300]
    after = count()
    assert after == before + 1
    assert root_console.get(response.url).status_code == 200
    assert root_console.get(response.url).status_code == 200  # a reload of the page after the POST
    assert count() == after
