"""MFA device operations: CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice, ResyncMFADevice,
DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices, and recovery-code regeneration."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_event
from directory import lookups
from directory.mfa import qr, recovery, sealing, totp
from directory.mfa.devices import (
    MFA_DEVICES_PER_USER,
    admit_code,
    device_of,
    enabled_devices,
    right_code,
    seed_of,
    serial_number_for,
    wrong_code,
)
from directory.models import MFADevice, MFADeviceTag, User
from iam_console import guesses, validation
from iam_console.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from iam_console.guesses import Secret
from iam_console.operations import iam_operation
from iam_console.tagging import request_tag_context
from policies.authorization import Caller, authorize_caller

DEVICE_NAME_MAX = 226
SERIAL_NUMBER_MAX = 256
# Resynchronisation looks further than sign-in does: a device's clock may have drifted for months.
RESYNC_WINDOW_STEPS = 10
INVALID_CODE = "Authentication code for device is not valid."


@dataclass(frozen=True)
class NewVirtualMFADevice:
    """A created device with its seed: the only moment the seed exists outside the sealed column."""

    device: MFADevice
    base32_string_seed: str
    otpauth_uri: str

    @property
    def serial_number(self) -> str:
        return self.device.serial_number

    def qr_code_svg(self) -> str:
        return qr.qr_svg(self.otpauth_uri)

    def qr_code_png(self) -> bytes:
        return qr.qr_png(self.otpauth_uri)

    def audit_elements(self) -> dict:
        return {"serial_number": self.device.serial_number}


@dataclass(frozen=True)
class EnabledMFADevice:
    """An enabled device; `recovery_codes` holds a fresh set (shown once) when this is the user's first device."""

    device: MFADevice
    recovery_codes: list[str] = field(default_factory=list)

    def audit_elements(self) -> dict:
        return {"serial_number": self.device.serial_number, "recovery_set_size": len(self.recovery_codes)}


@dataclass(frozen=True)
class RecoveryCodes:
    user: User
    codes: list[str]

    def audit_elements(self) -> dict:
        return {"user_name": self.user.user_name, "recovery_set_size": len(self.codes)}


def _authorize_for_user(caller: Caller, action: str, user: User) -> None:
    authorize_caller(caller, action, user.arn)


@iam_operation("CreateVirtualMFADevice")
def create_virtual_mfa_device(*, caller: Caller, virtual_mfa_device_name: str, user_name: str | None = None,
                              path: str = "/", tags: list[dict] | None = None) -> NewVirtualMFADevice:
    name = validation.validate_name(virtual_mfa_device_name, field="virtualMFADeviceName",
                                    max_length=DEVICE_NAME_MAX)
    path = validation.validate_path(path)
    serial_number = serial_number_for(caller.account_id, path, name)
    if len(serial_number) > SERIAL_NUMBER_MAX:
        raise ValidationError(f"The serial number (the device's ARN) must be at most {SERIAL_NUMBER_MAX} "
                              "characters long: choose a shorter name or path.")
    # The user row is locked so that simultaneous creations cannot pass the per-user quota together.
    user = lookups.target_user(caller, user_name, for_update=True)
    tag_map = validation.validate_tags(tags or [])
    if len(tag_map) > validation.TAGS_PER_ENTITY:
        raise LimitExceeded(f"Cannot exceed quota for TagsPerMFADevice: {validation.TAGS_PER_ENTITY}")
    authorize_caller(caller, "iam:CreateVirtualMFADevice", serial_number, request_tag_context(tag_map))
    if tag_map:
        authorize_caller(caller, "iam:TagMFADevice", serial_number, request_tag_context(tag_map))
    if caller.principal.arn != user.arn:
        # A device made for someone else is the first half of enabling it for them.
        _authorize_for_user(caller, "iam:EnableMFADevice", user)
    if MFADevice.objects.filter(user=user).count() >= MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
    seed = totp.new_seed()
    try:
        with transaction.atomic():
            device = MFADevice.objects.create(
                user=user, name=name, path=path, serial_number=serial_number, confirmed=False,
                sealed_seed=sealing.seal(seed, user_id=user.user_id, serial_number=serial_number))
    except IntegrityError as error:
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.") from error
    MFADeviceTag.objects.bulk_create([MFADeviceTag(device=device, key=key, value=value)
                                      for key, value in tag_map.items()])
    uri = totp.otpauth_uri(seed, account=user.account_id, user_name=user.user_name)
    return NewVirtualMFADevice(device=device, base32_string_seed=totp.base32(seed), otpauth_uri=uri)


@iam_operation("GetVirtualMFADeviceSeed", audit_reads=True, action="iam:CreateVirtualMFADevice")
def resume_virtual_mfa_device(*, caller: Caller, serial_number: str) -> NewVirtualMFADevice:
    """An unfinished enrolment of the caller's own, with its seed again, so that it can be completed.

    A device that was never enabled protects nothing yet: showing its seed to the user who created it lets a
    wrong code or a closed tab be recovered from. An enabled device's seed never comes back out. Recorded as a
    read of a secret.
    """
    user = lookups.target_user(caller, None)
    authorize_caller(caller, "iam:CreateVirtualMFADevice", serial_number)
    device = device_of(user, serial_number)
    if device.confirmed:
        raise EntityAlreadyExists("MFA Device is already in use.")
    seed = seed_of(device)
    uri = totp.otpauth_uri(seed, account=user.account_id, user_name=user.user_name)
    return NewVirtualMFADevice(device=device, base32_string_seed=totp.base32(seed), otpauth_uri=uri)


@iam_operation("EnableMFADevice")
def enable_mfa_device(*, caller: Caller, serial_number: str, authentication_code_1: str,
                      authentication_code_2: str, user_name: str | None = None) -> EnabledMFADevice:
    user = lookups.target_user(caller, user_name, for_update=True)
    _authorize_for_user(caller, "iam:EnableMFADevice", user)
    try:
        device = device_of(user, serial_number, for_update=True)
    except NoSuchEntity:
        device = _assign_callers_device(caller, user, serial_number)
    if device.confirmed:
        raise EntityAlreadyExists("MFA Device is already in use.")
    # Two consecutive codes prove the app holds the seed and its clock agrees with ours.
    admit_code(device, client=caller.source_ip)
    match = totp.verify_consecutive(seed_of(device), authentication_code_1, authentication_code_2,
                                    window=settings.IAM_MFA_TOLERANCE_STEPS)
    if match is None:
        wrong_code(device, client=caller.source_ip)
        raise InvalidAuthenticationCode(INVALID_CODE)
    right_code(device)
    first_device = not enabled_devices(user).exists()
    now = timezone.now()
    device.confirmed, device.enable_date, device.last_t, device.drift = True, now, match.step, match.drift
    device.save(update_fields=["confirmed", "enable_date", "last_t", "drift"])
    codes = recovery.issue_codes(user) if first_device else []
    return EnabledMFADevice(device=device, recovery_codes=codes)


def _assign_callers_device(caller: Caller, user: User, serial_number: str) -> MFADevice:
    """AWS creates a virtual device unassigned and assigns it on EnableMFADevice. Here a device is created
    for its creator; enabling one of the caller's pending devices for another user hands it over, its seed
    sealed again for the new holder. Anyone else's device stays invisible (NoSuchEntity)."""
    principal = caller.principal
    device = (MFADevice.objects.select_for_update().select_related("user")
              .filter(serial_number=serial_number, confirmed=False,
                      user_id=principal.pk if isinstance(principal, User) else None).first())
    if device is None:
        raise NoSuchEntity(f"MFA device with serial number {serial_number} cannot be found for user "
                           f"{user.user_name}.")
    if MFADevice.objects.filter(user=user).count() >= MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
    seed = seed_of(device)
    device.user = user
    device.sealed_seed = sealing.seal(seed, user_id=user.user_id, serial_number=serial_number)
    device.save(update_fields=["user", "sealed_seed"])
    return device


@iam_operation("ResyncMFADevice")
def resync_mfa_device(*, caller: Caller, serial_number: str, authentication_code_1: str,
                      authentication_code_2: str, user_name: str | None = None) -> MFADevice:
    user = lookups.target_user(caller, user_name)
    _authorize_for_user(caller, "iam:ResyncMFADevice", user)
    device = device_of(user, serial_number, for_update=True)
    if not device.confirmed:
        raise NoSuchEntity(f"MFA device with serial number {serial_number} is not enabled for user "
                           f"{user.user_name}.")
    admit_code(device, client=caller.source_ip)
    match = totp.verify_consecutive(seed_of(device), authentication_code_1, authentication_code_2,
                                    window=RESYNC_WINDOW_STEPS, after_step=device.last_t)
    if match is None:
        wrong_code(device, client=caller.source_ip)
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.last_t, device.drift = match.step, match.drift
    device.save(update_fields=["last_t", "drift"])
    right_code(device)
    return device


@iam_operation("DeactivateMFADevice")
def deactivate_mfa_device(*, caller: Caller, serial_number: str, user_name: str | None = None) -> None:
    """Stop the device counting as the user's MFA, as AWS does: it stays, Unassigned, until DeleteVirtualMFADevice.

    Using it again takes EnableMFADevice with two fresh codes; a code it already accepted stays spent (last_t).
    """
    user = lookups.target_user(caller, user_name, for_update=True)
    _authorize_for_user(caller, "iam:DeactivateMFADevice", user)
    device = device_of(user, serial_number, for_update=True)
    if not device.confirmed:
        raise NoSuchEntity(f"MFA device with serial number {serial_number} is not enabled for user "
                           f"{user.user_name}.")
    device.confirmed, device.enable_date = False, None
    device.save(update_fields=["confirmed", "enable_date"])
    if not enabled_devices(user).exists():
        recovery.discard(user)  # recovery codes stand in for a device; with none left they would be a bypass


@iam_operation("DeleteVirtualMFADevice")
def delete_virtual_mfa_device(*, caller: Caller, serial_number: str, user_name: str | None = None) -> None:
    """Delete a device that is not enabled. As in AWS the serial number (the device's ARN, which the policy
    check names) is enough; a user_name narrows the search to that user's devices."""
    authorize_caller(caller, "iam:DeleteVirtualMFADevice", serial_number)
    devices = MFADevice.objects.select_for_update().filter(serial_number=serial_number,
                                                           user__account_id=caller.account_id)
    if user_name:
        devices = devices.filter(user=lookups.user_by_name(caller.account_id, user_name))
    device = devices.first()
    if device is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial_number} doesn't exist.")
    if device.confirmed:
        raise DeleteConflict("MFA Device is still in use. Deactivate it first.")
    device.delete()


@iam_operation("ListMFADevices")
def list_mfa_devices(*, caller: Caller, user_name: str | None = None) -> tuple[User, list[MFADevice]]:
    user = lookups.target_user(caller, user_name)
    _authorize_for_user(caller, "iam:ListMFADevices", user)
    return user, list(enabled_devices(user))


@iam_operation("GetMFADevice")
def get_mfa_device(*, caller: Caller, serial_number: str, user_name: str | None = None) -> MFADevice:
    """One of the user's enabled devices (the caller's own when no user is named)."""
    user = lookups.target_user(caller, user_name)
    _authorize_for_user(caller, "iam:GetMFADevice", user)
    device = device_of(user, serial_number)
    if not device.confirmed:
        raise NoSuchEntity(f"MFA device with serial number {serial_number} is not enabled for user "
                           f"{user.user_name}.")
    return device


@iam_operation("ListPendingMFADevices", action="iam:ListMFADevices")
def list_pending_mfa_devices(*, caller: Caller, user_name: str | None = None) -> list[MFADevice]:
    """Devices created for the user but not yet enabled (an enrolment left half-way)."""
    user = lookups.target_user(caller, user_name)
    _authorize_for_user(caller, "iam:ListMFADevices", user)
    return list(MFADevice.objects.filter(user=user, confirmed=False).order_by("created_at", "id"))


ASSIGNMENT_STATUSES = ("Assigned", "Unassigned", "Any")


@iam_operation("ListVirtualMFADevices")
def list_virtual_mfa_devices(*, caller: Caller, assignment_status: str = "Any") -> list[MFADevice]:
    if assignment_status not in ASSIGNMENT_STATUSES:
        raise ValidationError(f"assignment_status must be one of {', '.join(ASSIGNMENT_STATUSES)}.")
    authorize_caller(caller, "iam:ListVirtualMFADevices", "*")
    devices = MFADevice.objects.select_related("user").filter(user__account_id=caller.account_id) \
        .order_by("serial_number")
    if assignment_status != "Any":
        devices = devices.filter(confirmed=assignment_status == "Assigned")
    return list(devices)


@iam_operation("RegenerateMFARecoveryCodes", action="iam:EnableMFADevice")
def regenerate_recovery_codes(*, caller: Caller, user_name: str | None = None) -> RecoveryCodes:
    """A fresh set of ten codes; the old set stops working. Needs an enabled device: codes stand in for one."""
    user = lookups.target_user(caller, user_name, for_update=True)
    _authorize_for_user(caller, "iam:EnableMFADevice", user)
    if not enabled_devices(user).exists():
        raise NoSuchEntity(f"User {user.user_name} has no enabled MFA device: enrol a device first.")
    return RecoveryCodes(user=user, codes=recovery.issue_codes(user))


def use_recovery_code(*, caller: Caller, user: User, code: str) -> int | None:
    """Spend one of the user's recovery codes; the number left, or None when the code is not valid.

    Refused with Throttling, unchecked, while the client or the user's recovery codes wait; a wrong code is
    counted for both (iam_console.guesses). Audited either way (UseMFARecoveryCode), with the count left, never
    the code.
    """
    guesses.admit(Secret.RECOVERY_CODE, client=caller.source_ip, target=user.user_id)
    with transaction.atomic():
        spent = recovery.spend(user, code)
        if spent:
            guesses.accepted(Secret.RECOVERY_CODE, target=user.user_id)
        else:
            guesses.refused(Secret.RECOVERY_CODE, client=caller.source_ip, target=user.user_id)
        left = recovery.remaining(user)
        record_event(caller=caller, event_name="UseMFARecoveryCode", request_parameters={"user_name": user.user_name},
                     response_elements={"codes_remaining": left} if spent else {},
                     resources=[user.arn], error_code="" if spent else "InvalidAuthenticationCode",
                     error_message="" if spent else "The recovery code is not valid or was already used.")
    return left if spent else None
