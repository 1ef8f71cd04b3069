"""Recovery codes: ten single-use codes a user may give instead of a TOTP code. Only keyed digests are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils import timezone

from directory.models import MFARecoveryCode, User

RECOVERY_CODES_PER_SET = 10
# No 0/o, 1/l/i: codes are read off paper. 31 symbols, 10 of them per code: about 50 bits each.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _digest(code: str) -> str:
    key = hashlib.sha256(b"iam-mfa-recovery-code\x00" + settings.IAM_CREDENTIAL_KEY.encode()).digest()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def normalise(code: object) -> str:
    """What the user typed, without the spaces and hyphens people add and in lower case."""
    if not isinstance(code, str):
        return ""
    return "".join(code.split()).replace("-", "").lower()[:64]


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def issue_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set; the old ones stop working at once."""
    MFARecoveryCode.objects.filter(user=user).delete()
    codes = [new_code() for _ in range(RECOVERY_CODES_PER_SET)]
    MFARecoveryCode.objects.bulk_create(MFARecoveryCode(user=user, code_digest=_digest(code)) for code in codes)
    return codes


def remaining(user: User) -> int:
    return MFARecoveryCode.objects.filter(user=user, used_date__isnull=True).count()


def spend(user: User, code: object) -> bool:
    """Mark the code used if it is one of the user's unused codes. A conditional UPDATE spends it once."""
    text = normalise(code)
    if len(text) != 10:
        return False
    return MFARecoveryCode.objects.filter(user=user, code_digest=_digest(text), used_date__isnull=True) \
        .update(used_date=timezone.now()) == 1


def discard(user: User) -> None:
    MFARecoveryCode.objects.filter(user=user).delete()
