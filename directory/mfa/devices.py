"""Reading MFA devices and checking a one-time code against one named device, throttled and once only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from directory.mfa import sealing, totp
from directory.models import MFADevice, User
from iam_console import identifiers
from iam_console.errors import NoSuchEntity

MFA_DEVICES_PER_USER = 8


def serial_number_for(account_id: str, path: str, name: str) -> str:
    return identifiers.iam_arn(account_id, f"mfa{path}{name}")


def seed_of(device: MFADevice) -> bytes:
    return sealing.unseal(device.sealed_seed, user_id=device.user.user_id, serial_number=device.serial_number)


def enabled_devices(user: User) -> QuerySet[MFADevice]:
    return MFADevice.objects.filter(user=user, confirmed=True).order_by("enable_date", "id")


def has_enabled_device(user: User) -> bool:
    return MFADevice.objects.filter(user=user, confirmed=True).exists()


def device_of(user: User, serial_number: str, *, for_update: bool = False) -> MFADevice:
    queryset = MFADevice.objects.filter(user=user, serial_number=serial_number)
    if for_update:
        queryset = queryset.select_for_update()
    device = queryset.first()
    if device is None:
        raise NoSuchEntity(f"MFA device with serial number {serial_number} cannot be found for user "
                           f"{user.user_name}.")
    device.user = user  # already loaded: no query to unseal
    return device


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: accepted, refused, or not tried because of back-off."""

    accepted: bool
    throttled_until: datetime | None = None
    serial_number: str = ""

    @property
    def throttled(self) -> bool:
        return self.throttled_until is not None


def check_code(user: User, serial_number: str, code: object) -> CodeCheck:
    """Check `code` against the user's enabled device `serial_number` (never against every device).

    The device row is locked while it is checked, so of several simultaneous uses of one code exactly one
    succeeds: the winner moves last_t past the code's step and the others then find it spent. A wrong code
    doubles the back-off before the next attempt (django-otp's ThrottlingMixin); the outcome commits here,
    whatever the caller does next.
    """
    with transaction.atomic():
        device = MFADevice.objects.select_for_update().filter(user=user, serial_number=serial_number,
                                                              confirmed=True).first()
        if device is None:
            return CodeCheck(accepted=False)
        device.user = user
        allowed, detail = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(accepted=False, throttled_until=detail["locked_until"], serial_number=serial_number)
        match = totp.verify(seed_of(device), code, drift=device.drift, after_step=device.last_t)
        if match is None:
            device.throttle_increment(commit=False)
            device.save(update_fields=["throttling_failure_count", "throttling_failure_timestamp"])
            return CodeCheck(accepted=False, serial_number=serial_number)
        device.last_t, device.drift, device.last_used_at = match.step, match.drift, timezone.now()
        device.throttle_reset(commit=False)
        device.save(update_fields=["last_t", "drift", "last_used_at", "throttling_failure_count",
                                   "throttling_failure_timestamp"])
        return CodeCheck(accepted=True, serial_number=serial_number)


def verify_for_session(user: User, serial_number: str, code: str) -> bool:
    """The AssumeRole check (registered by sts into sts.mfa): the caller's own device, the same one-time rules."""
    return check_code(user, serial_number, code).accepted
