"""Guessing MFA codes: each wrong code is counted as it is refused, outside the refused operation's transaction,
on every door; the device is locked after the threshold, its lock answered 429 with Retry-After, and the right
code refused while it lasts."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from directory.models import MFADevice, User
from directory.services import roles
from directory.services.sign_in import device_token_for
from iam_console import guesses, throttle
from iam_console.errors import AccessDenied, Throttling
from iam_console.guesses import Secret
from policies.authorization import Caller
from sts import services as sts
from tests.mfa.conftest import Enrolled, enrol_device
from tests.query.conftest import QueryClient, xml_error
from tests.sts.conftest import role_arn, trust, user_arn
from tests.support.signing import SignedClient

PASSWORD = "Alice-Passw0rd!-long"
SELF_SERVICE = ("arn:aws:iam::aws:policy/IAMUserSelfManageCredentials",)
MFA_TRUST = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def wrong_codes(device: Enrolled, count: int) -> list[str]:
    """Six-digit codes none of which the device accepts now (nor in the next step)."""
    valid = {device.code(offset) for offset in (-2, -1, 0, 1, 2)}
    return [code for code in (f"{i:06d}" for i in range(count + len(valid))) if code not in valid][:count]


@pytest.fixture
def alice(make_user, root_caller):
    user = make_user("alice", password=PASSWORD, access_key=True, policies=SELF_SERVICE)
    user.device = enrol_device(root_caller, user_name="alice")
    return user


def first_429(statuses: list[int]) -> int:
    assert 429 in statuses, f"never throttled: {sorted(set(statuses))}"
    return statuses.index(429)


@pytest.mark.django_db
def test_300_wrong_codes_to_get_session_token_meet_429_long_before_and_the_right_code_waits(alice, settings):
    sts_api = QueryClient(*alice.test_access_key, service="sts")
    answers = [sts_api.call("GetSessionToken", SerialNumber=alice.device.serial_number, TokenCode=code)
               for code in wrong_codes(alice.device, 300)]
    statuses = [answer.status_code for answer in answers]
    threshold = settings.IAM_LOCKOUT_THRESHOLD
    assert statuses[:threshold] == [403] * threshold
    assert first_429(statuses) == threshold and set(statuses[threshold:]) == {429}
    assert xml_error(answers[-1])[1] == "Throttling"
    assert all(int(answer["Retry-After"]) >= 1 for answer in answers[threshold:])
    # The device is locked: the right code is not even checked.
    right = sts_api.call("GetSessionToken", SerialNumber=alice.device.serial_number, TokenCode=alice.device.code())
    assert right.status_code == 429 and 60 < int(right["Retry-After"]) <= settings.IAM_LOCKOUT_DURATION_SECONDS
    # The count was written outside the refused operations, on the device itself.
    assert MFADevice.objects.get(serial_number=alice.device.serial_number).throttling_failure_count == threshold


@pytest.mark.django_db
def test_wrong_codes_to_assume_role_are_counted_on_the_query_api_and_the_rest_api_alike(alice, root_caller,
                                                                                        settings):
    roles.create_role(caller=root_caller, role_name="Target",
                      assume_role_policy_document=trust(user_arn("alice"), condition=MFA_TRUST))
    sts_api = QueryClient(*alice.test_access_key, service="sts")
    rest = SignedClient(*alice.test_access_key)
    codes = iter(wrong_codes(alice.device, 40))
    statuses = []
    for number in range(20):
        if number % 2:
            answer = rest.post("/api/v1/sts/assume-role", {
                "role_arn": role_arn("Target"), "role_session_name": "guess", "serial_number":
                alice.device.serial_number, "token_code": next(codes)})
        else:
            answer = sts_api.call("AssumeRole", RoleArn=role_arn("Target"), RoleSessionName="guess",
                                  SerialNumber=alice.device.serial_number, TokenCode=next(codes))
        statuses.append(answer.status_code)
    threshold = settings.IAM_LOCKOUT_THRESHOLD
    assert statuses[:threshold] == [403] * threshold and set(statuses[threshold:]) == {429}
    assert answer["Retry-After"].isdigit()
    right = rest.post("/api/v1/sts/assume-role", {"role_arn": role_arn("Target"), "role_session_name": "ok",
                                                  "serial_number": alice.device.serial_number,
                                                  "token_code": alice.device.code()})
    assert (right.status_code, right.json()["error"]["code"]) == (429, "Throttling")
    assert int(right["Retry-After"]) >= 1


@pytest.mark.django_db
def test_the_lock_outlives_the_shared_throttle_store(alice, settings):
    """Redis forgetting its counters (a restart) does not unlock the device: the device row holds the count."""
    caller = Caller(principal=alice, source_ip="198.51.100.9")
    for code in wrong_codes(alice.device, settings.IAM_LOCKOUT_THRESHOLD):
        with pytest.raises(AccessDenied):
            sts.get_session_token(caller=caller, serial_number=alice.device.serial_number, token_code=code)
    throttle.reset_all()
    with pytest.raises(Throttling):
        sts.get_session_token(caller=Caller(principal=alice, source_ip="198.51.100.10"),
                              serial_number=alice.device.serial_number, token_code=alice.device.code())


@pytest.mark.django_db
def test_a_right_code_before_the_threshold_starts_the_count_again(alice, settings):
    caller = Caller(principal=alice, source_ip="198.51.100.9")
    for code in wrong_codes(alice.device, settings.IAM_LOCKOUT_THRESHOLD - 1):
        with pytest.raises(AccessDenied):
            sts.get_session_token(caller=caller, serial_number=alice.device.serial_number, token_code=code)
    sts.get_session_token(caller=caller, serial_number=alice.device.serial_number, token_code=alice.device.code(1))
    assert MFADevice.objects.get().throttling_failure_count == 0
    with pytest.raises(AccessDenied):
        sts.get_session_token(caller=caller, serial_number=alice.device.serial_number, token_code="000000"
                              if alice.device.code(2) != "000000" else "000001")


@pytest.mark.django_db
def test_console_sign_in_codes_lock_the_device_even_in_the_users_own_browser(alice, settings):
    """The user's sign-in lock spares browsers the user signs in from; the device's lock holds everywhere."""
    own = Client(REMOTE_ADDR="198.51.100.20")
    own.cookies["iam_sign_in_device"] = device_token_for(alice)
    statuses = []
    for code in wrong_codes(alice.device, 8):
        own.post("/sign-in/", {"user_name": "alice", "password": PASSWORD})
        statuses.append(own.post("/sign-in/mfa/", {"code": code}).status_code)
    threshold = settings.IAM_LOCKOUT_THRESHOLD
    assert statuses[:threshold] == [401] * threshold and set(statuses[threshold:]) == {429}
    own.post("/sign-in/", {"user_name": "alice", "password": PASSWORD})
    refused = own.post("/sign-in/mfa/", {"code": alice.device.code()})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert MFADevice.objects.get().throttling_failure_count == threshold


@pytest.mark.django_db
def test_enable_and_resync_codes_are_counted_on_the_device(alice, root_caller, settings):
    iam = QueryClient(*alice.test_access_key)
    pending = iam.call("CreateVirtualMFADevice", VirtualMFADeviceName="spare")
    assert pending.status_code == 200
    spare = MFADevice.objects.get(name="spare").serial_number
    enable = [iam.call("EnableMFADevice", UserName="alice", SerialNumber=spare, AuthenticationCode1=f"{n:06d}",
                       AuthenticationCode2=f"{n + 1:06d}").status_code for n in range(0, 16, 2)]
    threshold = settings.IAM_LOCKOUT_THRESHOLD
    assert set(enable[:threshold]) == {403} and set(enable[threshold:]) == {429}
    assert MFADevice.objects.get(name="spare").throttling_failure_count == threshold
    rest = SignedClient(*alice.test_access_key, remote_addr="198.51.100.30")
    resync = [rest.post("/api/v1/users/alice/mfa-devices/resync", {
        "serial_number": alice.device.serial_number, "authentication_code_1": f"{n:06d}",
        "authentication_code_2": f"{n + 1:06d}"}) for n in range(100, 116, 2)]
    assert [answer.status_code for answer in resync[:threshold]] == [400] * threshold
    assert {answer.status_code for answer in resync[threshold:]} == {429}
    assert resync[-1]["Retry-After"].isdigit()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_codes_are_each_counted_and_only_the_threshold_are_checked(make_user, root_caller,
                                                                                      settings):
    user = make_user("alice")
    device = enrol_device(root_caller, user_name="alice")
    outcomes: list[str] = []
    codes = wrong_codes(device, 16)
    start = threading.Barrier(len(codes))

    def guess(number: int, code: str) -> None:
        try:
            start.wait()
            caller = Caller(principal=User.objects.get(pk=user.pk), source_ip=f"198.51.100.{number}")
            sts.get_session_token(caller=caller, serial_number=device.serial_number, token_code=code)
            outcomes.append("accepted")
        except AccessDenied:
            outcomes.append("refused")
        except Throttling:
            outcomes.append("throttled")
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=pair) for pair in enumerate(codes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    threshold = settings.IAM_LOCKOUT_THRESHOLD
    assert sorted(outcomes) == sorted(["refused"] * threshold + ["throttled"] * (len(codes) - threshold))
    assert MFADevice.objects.get().throttling_failure_count == threshold


def test_the_device_ladder_climbs_to_a_day_and_waiting_a_lock_out_buys_no_fresh_codes(settings):
    ladder = guesses.target_ladder(Secret.MFA_CODE)
    assert [ladder.backoff(count) for count in range(1, 14)] == \
        [0, 0, 0, 0, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]
    # The day's lock over, the count is still remembered: the next wrong code locks the device for a day again.
    a_day_ago = time.time() - 86_401
    assert ladder.wait_after(12, a_day_ago) == 0
    assert a_day_ago + ladder.window_seconds > time.time() + 86_000  # and a day more after the next one
