"""Every attempt to present a secret, on every door, is counted and throttled: a table of the doors that take a
password, a current password, an MFA code or a recovery code, checked row by row, and a census of the doors
(the Query API's registry and botocore's shapes, the REST API's schema, the console's views and forms) that
fails when a door or an operation takes a secret the table does not know.

A new door or a new secret joins the table (or the list of fields that set a secret or carry a signed one).
The directory has no service or SCIM tokens: the census would find their fields the day a door takes them.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import botocore.session
import pytest
from django import forms as django_forms
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from directory.mfa import services as mfa
from directory.mfa import totp
from directory.models import MFADevice, User
from directory.services import roles
from directory.services.sign_in import device_token_for, failures_since_reset
from iam_console import guesses
from iam_console.console.views_portal import PORTAL_SESSION_KEY
from iam_console.guesses import Secret
from iam_console.query import registry
from identitycenter.access import instance_of
from identitycenter.models import PortalPassword
from identitycenter.services import portal, portal_mfa
from identitystore.models import WorkforceUser
from identitystore.services import users as workforce_users
from identitystore.services.store import identity_store_of
from policies.authorization import Caller
from tests.mfa.conftest import Enrolled, enrol_device, seed_from
from tests.query.conftest import QueryClient
from tests.sts.conftest import role_arn, trust, user_arn
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db

PASSWORD = "Alice-Passw0rd!-long"
NEW_PASSWORD = "Alice-New-Passw0rd!-2"
SELF_SERVICE = ("arn:aws:iam::aws:policy/IAMUserSelfManageCredentials",)
_ips = itertools.count(1)


@pytest.fixture(autouse=True)
def _wide_window(settings):
    # Several codes of one device are used in a test: a wider window keeps them valid across a step boundary.
    settings.IAM_MFA_TOLERANCE_STEPS = 4
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = 60  # no wait may run out on a slow machine meanwhile


@dataclass
class PortalPersonWithApp:
    """bea, a person of the identity store with a portal password and a registered authenticator app."""

    seed: bytes
    serial_number: str

    def code(self, offset: int) -> str:
        return totp.code_at(self.seed, totp.current_step() + offset)


def _portal_person(root_caller) -> PortalPersonWithApp:
    store = identity_store_of(root_caller.account_id)
    instance_of(root_caller.account_id)
    bea = WorkforceUser.objects.get(user_id=workforce_users.create_user(
        caller=root_caller, identity_store_id=store.id, user_name="bea", display_name="bea").user_id)
    PortalPassword.objects.create(user=bea, password=make_password(PASSWORD))
    new = portal_mfa.start_registration(bea)
    assert portal_mfa.check_code(bea, totp.code_at(new.seed, totp.current_step() - 2), client=None, registering=True)
    return PortalPersonWithApp(seed=new.seed, serial_number=new.device.serial_number)


@dataclass
class World:
    """alice: a console password, an access key, an enabled MFA device with recovery codes, a device she has
    started to enrol, and a role that trusts her with MFA."""

    alice: User
    key: tuple[str, str]
    device: Enrolled
    pending_serial: str
    pending_seed: bytes
    portal: PortalPersonWithApp
    consoles: dict[str, Client] = field(default_factory=dict)  # alice signed in, by client address

    def console(self, ip: str) -> Client:
        if ip not in self.consoles:
            self.consoles[ip] = _signed_in(ip, self)
        return self.consoles[ip]

    def pending_codes(self, offset: int = 0) -> tuple[str, str]:
        step = totp.current_step() + offset
        return totp.code_at(self.pending_seed, step - 1), totp.code_at(self.pending_seed, step)


@pytest.fixture
def world(make_user, root_caller) -> World:
    alice = make_user("alice", password=PASSWORD, access_key=True, policies=SELF_SERVICE)
    device = enrol_device(root_caller, user_name="alice")
    pending = mfa.create_virtual_mfa_device(caller=Caller(principal=alice), virtual_mfa_device_name="spare")
    roles.create_role(caller=root_caller, role_name="Target", assume_role_policy_document=trust(
        user_arn("alice"), condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    return World(alice, alice.test_access_key, device, pending.serial_number,
                 seed_from(pending.base32_string_seed), _portal_person(root_caller))


# --- how each door is given a secret ----------------------------------------------------------------------------

def _browser(ip: str, world: World, *, trusted: bool = False) -> Client:
    browser = Client(REMOTE_ADDR=ip)
    if trusted:  # a browser alice signs in from: her own sign-in lock does not apply, the device's does
        browser.cookies["iam_sign_in_device"] = device_token_for(world.alice)
    return browser


def _signed_in(ip: str, world: World) -> Client:
    browser = _browser(ip, world, trusted=True)
    assert browser.post("/sign-in/", {"user_name": "alice", "password": PASSWORD}).status_code == 302
    assert browser.post("/sign-in/mfa/", {"code": world.device.code(1)}).status_code == 302
    return browser


def console_password(world: World, ip: str, value: str):
    return _browser(ip, world).post("/sign-in/", {"user_name": "alice", "password": value})


def console_password_by_account_link(world: World, ip: str, value: str):
    """The account's own sign-in link, naming the account by its id (the field it fills in)."""
    return _browser(ip, world).post(f"/sign-in/{world.alice.account_id}/", {
        "account": world.alice.account_id, "user_name": "alice", "password": value})


def console_second_factor(field: str) -> Callable:
    def present(world: World, ip: str, value: str):
        browser = _browser(ip, world, trusted=True)
        first = browser.post("/sign-in/", {"user_name": "alice", "password": PASSWORD})
        if first.status_code != 302:
            return first
        return browser.post("/sign-in/mfa/", {field: value})

    return present


def portal_password(world: World, ip: str, value: str):
    return Client(REMOTE_ADDR=ip).post("/start/", {"user_name": "bea", "password": value})


def portal_second_factor(world: World, ip: str, value: str):
    browser = Client(REMOTE_ADDR=ip)
    first = browser.post("/start/", {"user_name": "bea", "password": PASSWORD})
    if first.status_code != 302:
        return first
    return browser.post("/start/mfa/", {"code": value})


def portal_remove_app(world: World, ip: str, value: str):
    """bea, signed in to the portal, removes her authenticator app with a code from it."""
    browser = Client(REMOTE_ADDR=ip)
    signed_in = portal.start_session(WorkforceUser.objects.get(user_name="bea"))
    session = browser.session
    session[PORTAL_SESSION_KEY] = str(signed_in.session.key)
    session.save()
    return browser.post("/start/mfa-device/", {"action": "remove", "code": value})


def console_change_password(path: str, extra: dict) -> Callable:
    def present(world: World, ip: str, value: str):
        return world.console(ip).post(path, {"old_password": value, "new_password": NEW_PASSWORD,
                                   "confirm_password": NEW_PASSWORD, **extra})

    return present


def console_enable(world: World, ip: str, value: tuple[str, str]):
    return world.console(ip).post("/my/mfa/enrol/", {"action": "enable", "serial_number": world.pending_serial,
                                           "code_1": value[0], "code_2": value[1]})


def console_switch_role(world: World, ip: str, value: str):
    return world.console(ip).post("/switch-role/", {"account": "123456789012", "role_name": "Target",
                                                    "color": "blue", "duration_seconds": 3600, "token_code": value})


def rest(path: str, body: Callable[[World, object], dict]) -> Callable:
    def present(world: World, ip: str, value):
        return SignedClient(*world.key, remote_addr=ip).post(path, body(world, value))

    return present


def query(service: str, action: str, params: Callable[[World, object], dict]) -> Callable:
    def present(world: World, ip: str, value):
        return QueryClient(*world.key, service=service, remote_addr=ip).call(action, **params(world, value))

    return present


def _assume(world: World, code: object) -> dict:
    return {"role_arn": role_arn("Target"), "role_session_name": "guess",
            "serial_number": world.device.serial_number, "token_code": code}


def _codes(serial: str, value: tuple[str, str]) -> dict:
    return {"serial_number": serial, "authentication_code_1": value[0], "authentication_code_2": value[1]}


def _pascal(body: dict) -> dict:
    return {"".join(part.title() for part in name.split("_")): value for name, value in body.items()}


# --- what each secret is, right and wrong -------------------------------------------------------------------------

def wrong_password(number: int) -> str:
    return f"not-the-password-{number}"


def wrong_code(number: int) -> str:
    return f"{(number * 7919) % 1_000_000:06d}"


def wrong_pair(number: int) -> tuple[str, str]:
    return wrong_code(number), wrong_code(number + 1)


def wrong_recovery_code(number: int) -> str:
    return f"zzzzz-{number:05d}".replace("0", "z").replace("1", "y")


# What a wrong attempt is counted against besides its client: a number that must grow by one per wrong attempt.
def user_failures(world: World) -> int:
    return failures_since_reset(User.objects.get(pk=world.alice.pk), timezone.now())


def device_failures(world: World) -> int:
    return MFADevice.objects.get(serial_number=world.device.serial_number).throttling_failure_count


def pending_failures(world: World) -> int:
    return MFADevice.objects.get(serial_number=world.pending_serial).throttling_failure_count


def portal_password_failures(world: World) -> int:
    return guesses.target_ladder(Secret.PASSWORD).failures("portal:bea")


def portal_device_failures(world: World) -> int:
    return guesses.target_ladder(Secret.MFA_CODE).failures(world.portal.serial_number)


def recovery_failures(world: World) -> int:
    return guesses.target_ladder(Secret.RECOVERY_CODE).failures(world.alice.user_id)


@dataclass(frozen=True)
class Door:
    door: str  # console, rest, query
    operation: str  # the console view, the REST operationId, the Query API's service:Action
    fields: tuple[str, ...]  # where the secret is carried, as the census finds it
    secret: Secret
    present: Callable  # (world, client ip, value) -> response
    right: Callable[[World], object]
    wrong: Callable[[int], object]
    counted: Callable[[World], int]  # the target's count

    def __str__(self) -> str:
        return f"{self.door}:{self.operation}"


def _change_password_body(world: World, value: str) -> dict:
    return {"old_password": value, "new_password": NEW_PASSWORD}


DOORS = [
    Door("console", "SignInView", ("password",), Secret.PASSWORD, console_password, lambda w: PASSWORD,
         wrong_password, user_failures),
    Door("console", "SignInView", ("password",), Secret.PASSWORD, console_password_by_account_link,
         lambda w: PASSWORD, wrong_password, user_failures),
    Door("console", "PortalView", ("password",), Secret.PASSWORD, portal_password, lambda w: PASSWORD,
         wrong_password, portal_password_failures),
    Door("console", "PortalSecondStepView", ("code",), Secret.MFA_CODE, portal_second_factor,
         lambda w: w.portal.code(0), wrong_code, portal_device_failures),
    Door("console", "PortalMfaDeviceView", ("code",), Secret.MFA_CODE, portal_remove_app,
         lambda w: w.portal.code(0), wrong_code, portal_device_failures),
    Door("console", "SignInMFAView", ("code",), Secret.MFA_CODE, console_second_factor("code"),
         lambda w: w.device.code(1), wrong_code, device_failures),
    Door("console", "SignInMFAView", ("recovery_code",), Secret.RECOVERY_CODE,
         console_second_factor("recovery_code"), lambda w: w.device.recovery_codes[0], wrong_recovery_code,
         recovery_failures),
    Door("console", "ChangePasswordView", ("old_password",), Secret.CURRENT_PASSWORD,
         console_change_password("/change-password/", {}), lambda w: PASSWORD, wrong_password, user_failures),
    Door("console", "SecurityCredentialsView", ("old_password",), Secret.CURRENT_PASSWORD,
         console_change_password("/my/security-credentials/", {"action": "change_password"}),
         lambda w: PASSWORD, wrong_password, user_failures),
    Door("console", "MFAEnrolView", ("code_1", "code_2"), Secret.MFA_CODE, console_enable,
         lambda w: w.pending_codes(), wrong_pair, pending_failures),
    Door("console", "SwitchRoleView", ("token_code",), Secret.MFA_CODE, console_switch_role,
         lambda w: w.device.code(2), wrong_code, device_failures),
    Door("rest", "ChangePassword", ("old_password",), Secret.CURRENT_PASSWORD,
         rest("/api/v1/me/password/", _change_password_body), lambda w: PASSWORD, wrong_password, user_failures),
    Door("rest", "AssumeRole", ("token_code",), Secret.MFA_CODE, rest("/api/v1/sts/assume-role", _assume),
         lambda w: w.device.code(1), wrong_code, device_failures),
    Door("rest", "EnableMFADevice", ("authentication_code_1", "authentication_code_2"), Secret.MFA_CODE,
         rest("/api/v1/users/alice/mfa-devices/enable", lambda w, v: _codes(w.pending_serial, v)),
         lambda w: w.pending_codes(), wrong_pair, pending_failures),
    Door("rest", "ResyncMFADevice", ("authentication_code_1", "authentication_code_2"), Secret.MFA_CODE,
         rest("/api/v1/users/alice/mfa-devices/resync", lambda w, v: _codes(w.device.serial_number, v)),
         lambda w: (w.device.code(3), w.device.code(4)), wrong_pair, device_failures),
    Door("query", "iam:ChangePassword", ("OldPassword",), Secret.CURRENT_PASSWORD,
         query("iam", "ChangePassword", lambda w, v: _pascal(_change_password_body(w, v))), lambda w: PASSWORD,
         wrong_password, user_failures),
    Door("query", "iam:EnableMFADevice", ("AuthenticationCode1", "AuthenticationCode2"), Secret.MFA_CODE,
         query("iam", "EnableMFADevice", lambda w, v: {**_pascal(_codes(w.pending_serial, v)), "UserName": "alice"}),
         lambda w: w.pending_codes(), wrong_pair, pending_failures),
    Door("query", "iam:ResyncMFADevice", ("AuthenticationCode1", "AuthenticationCode2"), Secret.MFA_CODE,
         query("iam", "ResyncMFADevice",
               lambda w, v: {**_pascal(_codes(w.device.serial_number, v)), "UserName": "alice"}),
         lambda w: (w.device.code(3), w.device.code(4)), wrong_pair, device_failures),
    Door("query", "sts:AssumeRole", ("TokenCode",), Secret.MFA_CODE,
         query("sts", "AssumeRole", lambda w, v: {"RoleArn": role_arn("Target"), "RoleSessionName": "guess",
                                                  "SerialNumber": w.device.serial_number, "TokenCode": v}),
         lambda w: w.device.code(1), wrong_code, device_failures),
    Door("query", "sts:GetSessionToken", ("TokenCode",), Secret.MFA_CODE,
         query("sts", "GetSessionToken", lambda w, v: {"SerialNumber": w.device.serial_number, "TokenCode": v}),
         lambda w: w.device.code(1), wrong_code, device_failures),
]

# Fields that carry a secret without presenting one to be guessed: a secret being set, or a signed document whose
# signature (not its secrecy) is what is checked. field -> why it is not a guess.
NOT_GUESSES = {
    "NewPassword": "sets a password", "new_password": "sets a password", "confirm_password": "sets a password",
    "Password": "an administrator sets the user's password",
    "AddPrivateKey": "sets the SAML provider's decryption key", "RemovePrivateKey": "names a key to remove",
    "SAMLAssertion": "a signed assertion, checked against the provider's certificate and accepted once",
    "saml_assertion": "a signed assertion", "SAMLResponse": "a signed assertion",
    "WebIdentityToken": "a signed token, checked against the issuer's keys", "web_identity_token": "a signed token",
    # The access portal's device verification: a signed-in person allows the code their terminal shows. Guessing
    # another's code grants the guesser nothing: the device would act as the guesser, never the reverse.
    "user_code": "a device's code that a signed-in person allows for their own session",
}
SECRET_FIELD = re.compile(r"(?i)(password|code_?\d?|token|assertion|saml_?response|private_?key|secret)$")


def _expected(door: str) -> set[tuple[str, str]]:
    return {(row.operation, field) for row in DOORS if row.door == door for field in row.fields}


def _unexplained(found: set[tuple[str, str]], door: str, admin_fields: set[tuple[str, str]] = frozenset()) -> set:
    return {(operation, field) for operation, field in found - _expected(door)
            if field not in NOT_GUESSES and (operation, field) not in admin_fields}


# --- the census ---------------------------------------------------------------------------------------------------

def test_every_query_api_action_that_takes_a_secret_is_in_the_table():
    models = botocore.session.get_session()
    found = set()
    for service in ("iam", "sts"):
        model = models.get_service_model(service)
        for action in registry.implemented(service):
            shape = model.operation_model(action).input_shape
            for name, member in (shape.members.items() if shape else ()):
                if member.type_name == "string" and (SECRET_FIELD.search(name) or member.metadata.get("sensitive")):
                    found.add((f"{service}:{action}", name))
    assert _unexplained(found, "query") == set()
    assert _expected("query") <= found, "a row names a field the Query API does not take"


def test_every_rest_operation_that_takes_a_secret_is_in_the_table():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = content["schema"]
                body = components[body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
                for name, prop in body.get("properties", {}).items():
                    if prop.get("type") == "string" and SECRET_FIELD.search(name):
                        found.add((operation["operationId"], name))
    admin = {("CreateLoginProfile", "password"), ("UpdateLoginProfile", "password")}
    assert _unexplained(found, "rest", admin) == set()
    assert _expected("rest") <= found


def _console_fields() -> set[tuple[str, str]]:
    """(view class, field) for every secret-looking field a console view reads from a POST, itself or by a form."""
    console = Path(importlib.import_module("iam_console.console").__file__).parent
    forms = {}
    for module_name in ("forms", "policy_forms", "role_forms"):
        module = importlib.import_module(f"iam_console.console.{module_name}")
        forms.update({name: getattr(module, name) for name in dir(module) if name.endswith("Form")})
    found = set()
    for path in console.glob("*.py"):
        for view in (node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)):
            for node in ast.walk(view):
                names = []
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                        node.func.attr in ("get", "getlist") and isinstance(node.func.value, ast.Attribute) and \
                        node.func.value.attr == "POST" and node.args and isinstance(node.args[0], ast.Constant):
                    names = [node.args[0].value]
                elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
                        node.value.attr == "POST" and isinstance(node.slice, ast.Constant):
                    names = [node.slice.value]
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in forms and \
                        node.args and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == "POST":
                    names = [name for name, form_field in forms[node.func.id].base_fields.items()
                             if type(form_field) is django_forms.CharField]
                found.update((view.name, name) for name in names if SECRET_FIELD.search(name))
    return found


def test_every_console_view_that_takes_a_secret_is_in_the_table():
    found = _console_fields()
    # An administrator types a new user's password: it is set, not presented.
    admin = {(view, "password") for view, field in found
             if field == "password" and view not in ("SignInView", "PortalView")}
    assert _unexplained(found, "console", admin) == set()
    assert _expected("console") <= found


def test_every_kind_of_secret_has_a_door_in_the_table():
    assert {row.secret for row in DOORS} == set(Secret)


# --- every row: counted as it is refused, throttled with Retry-After, the right secret refused while throttled ----

@pytest.mark.parametrize("row", DOORS, ids=str)
def test_wrong_secrets_are_each_counted_then_throttled_with_retry_after_and_the_right_one_waits(row: Door,
                                                                                             world: World, settings):
    ip = f"203.0.113.{next(_ips) % 250 + 1}"
    before = row.counted(world)
    first = row.present(world, ip, row.wrong(0))
    assert first.status_code in (400, 401, 403), first.content[:300]
    # Counted once, for the client and for what the secret unlocks, although the operation was refused.
    assert guesses.client_ladder().failures(ip) == 1
    assert row.counted(world) == before + 1
    limit = max(settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES, settings.IAM_LOCKOUT_THRESHOLD) + 1
    statuses = [first.status_code]
    for number in range(1, limit + 2):
        answer = row.present(world, ip, row.wrong(number))
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert int(answer["Retry-After"]) >= 1
    assert 429 in statuses[:limit], statuses
    assert set(statuses[statuses.index(429):]) == {429}, statuses
    right = row.present(world, ip, row.right(world))
    assert right.status_code == 429 and int(right["Retry-After"]) >= 1


@pytest.mark.parametrize("row", DOORS, ids=str)
def test_the_right_secret_passes_the_same_gate_and_leaves_nothing_counted(row: Door, world: World):
    ip = f"203.0.113.{next(_ips) % 250 + 1}"
    answer = row.present(world, ip, row.right(world))
    assert answer.status_code in (200, 204, 302), answer.content[:300]
    assert guesses.client_ladder().failures(ip) == 0
