"""Reading MFA devices and checking a one-time code against one named device: throttled, counted, once only."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from directory.mfa import sealing, totp
from directory.models import MFADevice, User
from iam_console import guesses, identifiers
from iam_console.errors import NoSuchEntity
from iam_console.guesses import Secret
from iam_console.operations import whatever_the_outcome

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


def stored_wait(device: MFADevice) -> int:
    """Seconds the device's own count (on its row, which outlives the shared throttle store) still locks it for."""
    last = device.throttling_failure_timestamp
    return guesses.target_ladder(Secret.MFA_CODE).wait_after(device.throttling_failure_count,
                                                             last.timestamp() if last else 0.0)


def admit_code(device: MFADevice, *, client: str | None) -> None:
    """Before a code is checked against `device`: refused (Throttling) while its client waits or the device is
    locked, whichever door the code came through. Call it with the device row locked."""
    guesses.admit(Secret.MFA_CODE, client=client, target=device.serial_number)
    wait = stored_wait(device)
    if wait:
        raise guesses.throttled(Secret.MFA_CODE, wait, target=True)


def wrong_code(device: MFADevice, *, client: str | None) -> None:
    """Count a wrong code for its client and its device now, and on the device's row whatever the operation's
    outcome: the refusal that follows rolls the operation back, never the count."""
    guesses.refused(Secret.MFA_CODE, client=client, target=device.serial_number)
    ladder = guesses.target_ladder(Secret.MFA_CODE)
    now = timezone.now()
    remembered_since = now - timedelta(seconds=ladder.window_seconds)
    count = Case(When(throttling_failure_timestamp__gt=remembered_since, then=F("throttling_failure_count") + 1),
                 default=Value(1))
    rows = MFADevice.objects.filter(pk=device.pk)
    whatever_the_outcome(lambda: rows.update(throttling_failure_count=count, throttling_failure_timestamp=now))


def right_code(device: MFADevice) -> None:
    """The device's holder proved it: its count starts again, whatever the operation does next."""
    guesses.accepted(Secret.MFA_CODE, target=device.serial_number)
    rows = MFADevice.objects.filter(pk=device.pk)
    whatever_the_outcome(lambda: rows.update(throttling_failure_count=0, throttling_failure_timestamp=None))


def unlock_devices(user: User) -> int:
    """An administrator lifts the locks of the user's MFA devices and recovery codes; how many devices it has."""
    devices = list(MFADevice.objects.filter(user=user).values_list("serial_number", flat=True))
    for serial_number in devices:
        guesses.accepted(Secret.MFA_CODE, target=serial_number)
    guesses.accepted(Secret.RECOVERY_CODE, target=user.user_id)
    MFADevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    return len(devices)


def check_code(user: User, serial_number: str, code: object, *, client: str | None) -> bool:
    """Whether `code` is a good code of the user's enabled device `serial_number` (never checked against others).

    The device row is locked while it is checked, so of several simultaneous uses of one code exactly one
    succeeds: the winner moves last_t past the code's step and the others then find it spent. Refused with
    Throttling, unchecked, while the client or the device waits; every wrong code is counted (wrong_code).
    """
    guesses.admit(Secret.MFA_CODE, client=client)
    with transaction.atomic():
        device = MFADevice.objects.select_for_update().filter(user=user, serial_number=serial_number,
                                                              confirmed=True).first()
        if device is None:
            guesses.refused(Secret.MFA_CODE, client=client)
            return False
        device.user = user
        admit_code(device, client=client)
        match = totp.verify(seed_of(device), code, drift=device.drift, after_step=device.last_t)
        if match is None:
            wrong_code(device, client=client)
            return False
        device.last_t, device.drift, device.last_used_at = match.step, match.drift, timezone.now()
        device.save(update_fields=["last_t", "drift", "last_used_at"])
        right_code(device)
        return True


def verify_for_session(user: User, serial_number: str, code: str, *, client: str | None) -> bool:
    """The AssumeRole and GetSessionToken check (registered by sts into sts.mfa): the caller's own device, the
    same one-time rules and the same counting."""
    return check_code(user, serial_number, code, client=client)
