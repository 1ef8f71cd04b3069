"""Virtual MFA device operations: create, enable with two consecutive codes, limits, one-time codes, throttling."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from directory.mfa import devices, sealing, totp
from directory.mfa import services as mfa
from directory.models import MFADevice
from directory.services import users
from directory.services.sign_in import unlock_user
from iam_console import throttle
from iam_console.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    Throttling,
    ValidationError,
)
from tests.mfa.conftest import seed_from

pytestmark = pytest.mark.django_db
CLIENT = "198.51.100.1"


def test_created_device_has_an_arn_serial_a_base32_seed_and_is_not_enabled(root_caller, make_user):
    make_user("alice", path="/eng/")
    created = mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name="phone",
                                            path="/team/")
    assert created.serial_number == "arn:aws:iam::123456789012:mfa/team/phone"
    assert len(created.base32_string_seed) == 32 and len(seed_from(created.base32_string_seed)) == 20
    assert created.otpauth_uri.startswith("otpauth://totp/IAM:alice@123456789012?secret=")
    device = MFADevice.objects.get()
    assert (device.confirmed, device.enable_date, device.user.user_name) == (False, None, "alice")
    assert mfa.list_mfa_devices(caller=root_caller, user_name="alice")[1] == []


def test_enable_needs_two_consecutive_codes(root_caller, make_user):
    make_user("alice")
    created = mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name="phone")
    seed, now = seed_from(created.base32_string_seed), totp.current_step()
    for first, second in [(now, now), (now, now - 1), (now - 2, now), (now - 1, now + 5)]:
        with pytest.raises(InvalidAuthenticationCode, match="Authentication code for device is not valid."):
            mfa.enable_mfa_device(caller=root_caller, user_name="alice", serial_number=created.serial_number,
                                  authentication_code_1=totp.code_at(seed, first),
                                  authentication_code_2=totp.code_at(seed, second))
    enabled = mfa.enable_mfa_device(caller=root_caller, user_name="alice", serial_number=created.serial_number,
                                    authentication_code_1=totp.code_at(seed, now - 1),
                                    authentication_code_2=totp.code_at(seed, now))
    device = enabled.device
    assert device.confirmed and device.enable_date is not None and device.last_t == now
    assert len(enabled.recovery_codes) == 10
    with pytest.raises(EntityAlreadyExists, match="MFA Device is already in use."):
        mfa.enable_mfa_device(caller=root_caller, user_name="alice", serial_number=created.serial_number,
                              authentication_code_1=totp.code_at(seed, now),
                              authentication_code_2=totp.code_at(seed, now + 1))


def test_ninth_device_is_refused_with_limit_exceeded(root_caller, make_user):
    make_user("alice")
    for index in range(8):
        mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name=f"d{index}")
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for MFADevicesPerUser: 8"):
        mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name="d8")
    assert MFADevice.objects.count() == 8


def test_same_path_and_name_is_refused_and_bad_names_are_invalid(root_caller, make_user):
    make_user("alice")
    make_user("bob")
    mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name="phone")
    with pytest.raises(EntityAlreadyExists, match="MFADevice entity at the same path and name already exists."):
        mfa.create_virtual_mfa_device(caller=root_caller, user_name="bob", virtual_mfa_device_name="phone")
    for bad in ["", "has space", "x" * 227]:
        with pytest.raises(ValidationError):
            mfa.create_virtual_mfa_device(caller=root_caller, user_name="bob", virtual_mfa_device_name=bad)


def test_seed_is_sealed_at_rest_and_bound_to_its_device(root_caller, make_user):
    make_user("alice")
    created = mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name="phone")
    seed = seed_from(created.base32_string_seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM directory_mfadevice")
        row_text = repr(cursor.fetchall())
    for form in (created.base32_string_seed, seed.hex(), base64.b64encode(seed).decode(), seed.decode("latin-1")):
        assert form not in row_text
    device = MFADevice.objects.select_related("user").get()
    assert devices.seed_of(device) == seed
    with pytest.raises(ValueError, match="does not open"):
        sealing.unseal(device.sealed_seed, user_id=device.user.user_id, serial_number="arn:aws:iam::1:mfa/other")
    audit_text = repr(list(AuditEvent.objects.values()))
    assert created.base32_string_seed not in audit_text and "secret=" not in audit_text


def test_a_code_is_accepted_once_and_refused_when_replayed(root_caller, make_user, enrol):
    user = make_user("alice")
    device = enrol("alice")
    code = device.code(1)
    assert devices.check_code(user, device.serial_number, code, client=CLIENT)
    assert not devices.check_code(user, device.serial_number, code, client=CLIENT)
    # The enrolment codes are spent too: the current step was used to enable the device.
    MFADevice.objects.update(last_t=totp.current_step())
    assert not devices.check_code(user, device.serial_number, device.code(0), client=CLIENT)


def test_wrong_codes_lock_the_device_after_the_threshold_and_each_further_one_doubles_the_lock(
        root_caller, make_user, enrol, settings):
    settings.IAM_LOCKOUT_THRESHOLD, settings.IAM_LOCKOUT_DURATION_SECONDS = 3, 60
    user = make_user("alice")
    device = enrol("alice")
    for _ in range(3):
        assert not devices.check_code(user, device.serial_number, "000000", client=CLIENT)
    with pytest.raises(Throttling) as locked:
        devices.check_code(user, device.serial_number, device.code(1), client=CLIENT)
    assert 55 <= locked.value.retry_after <= 60
    row = MFADevice.objects.get()
    assert row.throttling_failure_count == 3 and devices.stored_wait(row) == locked.value.retry_after
    # The lock over (its last failure a minute ago), one more wrong code locks it for twice as long.
    MFADevice.objects.update(throttling_failure_timestamp=row.throttling_failure_timestamp - timedelta(seconds=61))
    throttle.reset_all()
    assert not devices.check_code(user, device.serial_number, "000000", client=CLIENT)
    with pytest.raises(Throttling) as longer:
        devices.check_code(user, device.serial_number, device.code(1), client=CLIENT)
    assert 115 <= longer.value.retry_after <= 120
    # A right code, once the lock is over, starts the count again.
    MFADevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=121))
    throttle.reset_all()
    assert devices.check_code(user, device.serial_number, device.code(1), client=CLIENT)
    row.refresh_from_db()
    assert (row.throttling_failure_count, row.throttling_failure_timestamp) == (0, None)
    assert row.last_used_at is not None


def test_an_administrator_unlocks_a_locked_device(root_caller, make_user, enrol, settings):
    user = make_user("alice")
    device = enrol("alice")
    for _ in range(settings.IAM_LOCKOUT_THRESHOLD):
        devices.check_code(user, device.serial_number, "000000", client=CLIENT)
    with pytest.raises(Throttling):
        devices.check_code(user, device.serial_number, device.code(1), client="198.51.100.2")
    unlock_user(caller=root_caller, user_name="alice")
    assert devices.check_code(user, device.serial_number, device.code(1), client="198.51.100.2")


def test_a_code_is_checked_against_the_named_device_only(root_caller, make_user, enrol):
    user = make_user("alice")
    first, second = enrol("alice", name="phone"), enrol("alice", name="tablet")
    assert not devices.check_code(user, first.serial_number, second.code(1), client=CLIENT)
    assert devices.check_code(user, second.serial_number, second.code(1), client=CLIENT)


def test_deactivating_leaves_the_device_unassigned_and_removes_its_recovery_codes(root_caller, make_user, enrol):
    user = make_user("alice")
    device = enrol("alice")
    assert user.mfa_recovery_codes.count() == 10
    mfa.deactivate_mfa_device(caller=root_caller, user_name="alice", serial_number=device.serial_number)
    assert user.mfa_recovery_codes.count() == 0
    assert not devices.check_code(user, device.serial_number, device.code(1), client=CLIENT)
    with pytest.raises(NoSuchEntity):
        mfa.deactivate_mfa_device(caller=root_caller, user_name="alice", serial_number=device.serial_number)
    unassigned = mfa.list_virtual_mfa_devices(caller=root_caller, assignment_status="Unassigned")
    assert [d.serial_number for d in unassigned] == [device.serial_number]
    assert mfa.list_virtual_mfa_devices(caller=root_caller, assignment_status="Assigned") == []
    # The offboarding sequence: deactivate, then delete.
    mfa.delete_virtual_mfa_device(caller=root_caller, serial_number=device.serial_number)
    assert MFADevice.objects.count() == 0


def test_only_an_unenabled_device_can_be_deleted(root_caller, make_user, enrol):
    make_user("alice")
    device = enrol("alice")
    with pytest.raises(DeleteConflict, match="MFA Device is still in use"):
        mfa.delete_virtual_mfa_device(caller=root_caller, serial_number=device.serial_number, user_name="alice")
    pending = mfa.create_virtual_mfa_device(caller=root_caller, user_name="alice", virtual_mfa_device_name="spare")
    mfa.delete_virtual_mfa_device(caller=root_caller, serial_number=pending.serial_number, user_name="alice")
    assert list(MFADevice.objects.values_list("serial_number", flat=True)) == [device.serial_number]
    with pytest.raises(NoSuchEntity):
        mfa.delete_virtual_mfa_device(caller=root_caller, serial_number=pending.serial_number, user_name="alice")


def test_delete_user_is_refused_while_an_mfa_device_is_enabled(root_caller, make_user, enrol):
    make_user("alice")
    device = enrol("alice")
    with pytest.raises(DeleteConflict):
        users.delete_user(caller=root_caller, user_name="alice")
    mfa.deactivate_mfa_device(caller=root_caller, user_name="alice", serial_number=device.serial_number)
    users.delete_user(caller=root_caller, user_name="alice")


def test_resync_accepts_two_consecutive_codes_from_a_drifted_clock(root_caller, make_user, enrol):
    user = make_user("alice")
    device = enrol("alice")
    with pytest.raises(InvalidAuthenticationCode):
        mfa.resync_mfa_device(caller=root_caller, user_name="alice", serial_number=device.serial_number,
                              authentication_code_1=device.code(6), authentication_code_2=device.code(8))
    mfa.resync_mfa_device(caller=root_caller, user_name="alice", serial_number=device.serial_number,
                          authentication_code_1=device.code(5), authentication_code_2=device.code(6))
    row = MFADevice.objects.get()
    assert (row.drift, row.last_t) == (6, totp.current_step() + 6) or row.drift == 5  # a step boundary may pass
    # The drifted device's next code now signs in, the old window's codes are spent.
    assert devices.check_code(user, device.serial_number, device.code(row.drift + 1), client=CLIENT)


def test_operations_are_audited_without_codes_or_seeds(root_caller, make_user, enrol):
    make_user("alice")
    device = enrol("alice")
    events = list(AuditEvent.objects.filter(event_name__in=["CreateVirtualMFADevice", "EnableMFADevice"])
                  .order_by("id"))
    assert [(e.event_name, e.outcome) for e in events] == [("CreateVirtualMFADevice", "Success"),
                                                           ("EnableMFADevice", "Success")]
    assert events[1].request_parameters["authentication_code_1"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert events[1].response_elements == {"serial_number": device.serial_number, "recovery_set_size": 10}
    text = repr(list(AuditEvent.objects.values()))
    assert all(code not in text for code in device.recovery_codes)
    assert totp.base32(device.seed) not in text
