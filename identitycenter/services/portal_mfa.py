"""MFA at the access portal's sign-in, by the directory's rules: a person with an authenticator app (TOTP, through
django-otp) gives a code after the password; where the management account's MFA requirement covers everyone, a
person without one registers it at sign-in. Codes are checked against the person's one device, once each, and
counted and throttled as every other code (iam_console.guesses)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.selectors import management_account_id
from directory.mfa import qr, sealing, totp
from directory.models import MFARequirement
from iam_console import guesses
from iam_console.guesses import Secret
from identitycenter.models import PortalMfaDevice
from identitystore.models import WorkforceUser

CODE = "code"  # the person has a device: a code follows the password
ENROL = "enrol"  # the requirement covers the person, who has none yet: registering one is the second step


def second_step(user: WorkforceUser) -> str | None:
    """What the sign-in needs after a right password: a code, a device to register, or nothing."""
    if PortalMfaDevice.objects.filter(user=user, confirmed=True).exists():
        return CODE
    # The requirement's group scope names IAM groups, which people of the identity store are not in.
    return ENROL if requirement_scope() == MFARequirement.Scope.ALL else None


def requirement_scope() -> str | None:
    """The scope of the management account's MFA requirement (None: there is none)."""
    return MFARequirement.objects.filter(account_id=management_account_id()).values_list("scope", flat=True).first()


@dataclass(frozen=True)
class NewDevice:
    device: PortalMfaDevice
    seed: bytes  # shown once, as the secret and the otpauth URI the app scans

    def otpauth_uri(self) -> str:
        return totp.otpauth_uri(self.seed, account="access-portal", user_name=self.device.user.user_name)

    @property
    def secret(self) -> str:
        return totp.base32(self.seed)

    def qr_svg(self) -> str:
        return qr.qr_svg(self.otpauth_uri())

    def audit_elements(self) -> dict:
        return {"mfaDeviceId": self.device.serial_number}  # never the seed


def start_registration(user: WorkforceUser) -> NewDevice:
    """A new device for the person, unconfirmed until a code from it is accepted; any earlier unconfirmed one goes."""
    PortalMfaDevice.objects.filter(user=user, confirmed=False).delete()
    seed = totp.new_seed()
    serial_number = f"portal-mfa-{secrets.token_hex(12)}"
    device = PortalMfaDevice.objects.create(user=user, serial_number=serial_number, sealed_seed=sealing.seal(
        seed, user_id=user.user_id, serial_number=serial_number))
    return NewDevice(device=device, seed=seed)


def pending_registration(user: WorkforceUser) -> NewDevice | None:
    """The app the person began to register and has not confirmed yet, to show again until they do."""
    device = PortalMfaDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        return None
    return NewDevice(device=device, seed=sealing.unseal(device.sealed_seed, user_id=user.user_id,
                                                        serial_number=device.serial_number))


def check_code(user: WorkforceUser, code: object, *, client: str | None, registering: bool) -> bool:
    """Whether `code` is a good, unused code of the person's device (the one being registered, when `registering`).

    The row is locked while it is checked, so of two uses of one code exactly one succeeds. Refused unchecked
    (Throttling) while the client or the device waits; each wrong code counts for both."""
    guesses.admit(Secret.MFA_CODE, client=client)
    with transaction.atomic():
        device = PortalMfaDevice.objects.select_for_update().filter(
            user=user, confirmed=not registering).order_by("-id").first()
        if device is None:
            guesses.refused(Secret.MFA_CODE, client=client)
            return False
        guesses.admit(Secret.MFA_CODE, client=client, target=device.serial_number)
        seed = sealing.unseal(device.sealed_seed, user_id=user.user_id, serial_number=device.serial_number)
        match = totp.verify(seed, code, drift=device.drift, after_step=device.last_t)
        if match is None:
            guesses.refused(Secret.MFA_CODE, client=client, target=device.serial_number)
            return False
        guesses.accepted(Secret.MFA_CODE, target=device.serial_number)
        device.last_t, device.drift = match.step, match.drift
        if registering:
            device.confirmed, device.enable_date = True, timezone.now()
            PortalMfaDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.save(update_fields=["last_t", "drift", "confirmed", "enable_date"])
        return True
