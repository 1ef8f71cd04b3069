"""RFC 6238 TOTP through django-otp: SHA1, 6 digits, 30-second steps, a configurable tolerance."""

from __future__ import annotations

import base64
import os
import re
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django_otp.oath import TOTP

STEP_SECONDS = 30
DIGITS = 6
SEED_BYTES = 20  # 160 bits, RFC 4226's recommendation for HMAC-SHA1
CODE = re.compile(r"\d{6}", re.ASCII)


def new_seed() -> bytes:
    return os.urandom(SEED_BYTES)


def base32(seed: bytes) -> str:
    """The seed as authenticator apps take it for manual entry (unpadded base32)."""
    return base64.b32encode(seed).decode().rstrip("=")


def current_step(now: float | None = None) -> int:
    return int(time.time() if now is None else now) // STEP_SECONDS


def code_at(seed: bytes, step: int, *, digits: int = DIGITS) -> str:
    """The code for time step `step` (the counter of RFC 6238), zero-padded."""
    totp = TOTP(seed, step=STEP_SECONDS, digits=digits)
    totp.time = step * STEP_SECONDS
    return f"{totp.token():0{digits}d}"


def parse_code(code: object) -> int | None:
    """The code as a number, or None when it is not six digits (such a code is never accepted)."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        return None
    return int(code)


@dataclass(frozen=True)
class Match:
    step: int  # the time step the code belongs to
    drift: int  # that step minus the server's current step


def verify(seed: bytes, code: object, *, drift: int = 0, after_step: int = -1, tolerance: int | None = None,
           now: float | None = None) -> Match | None:
    """Find the code within ±tolerance steps of now (shifted by the device's drift), strictly after `after_step`.

    Refusing steps at or before the last accepted one is what makes each code good once.
    """
    token = parse_code(code)
    if token is None:
        return None
    tolerance = settings.IAM_MFA_TOLERANCE_STEPS if tolerance is None else tolerance
    totp = TOTP(seed, step=STEP_SECONDS, digits=DIGITS, drift=drift)
    totp.time = time.time() if now is None else now
    if not totp.verify(token, tolerance=tolerance, min_t=after_step + 1):
        return None
    step = totp.t()
    return Match(step=step, drift=step - current_step(totp.time))


def verify_consecutive(seed: bytes, code_1: object, code_2: object, *, window: int, after_step: int = -1,
                       now: float | None = None) -> Match | None:
    """Two codes from consecutive steps, the second within `window` steps of now (EnableMFADevice, Resync).

    Returns the match of the second code, which becomes the device's last used step and drift.
    """
    first, second = parse_code(code_1), parse_code(code_2)
    if first is None or second is None:
        return None
    now_step = current_step(now)
    candidates = sorted(range(now_step - window, now_step + window + 1), key=lambda s: abs(s - now_step))
    for step in candidates:
        if step - 1 <= after_step:
            continue
        if code_at(seed, step) == code_2 and code_at(seed, step - 1) == code_1:
            return Match(step=step, drift=step - now_step)
    return None


def otpauth_uri(seed: bytes, *, account: str, user_name: str) -> str:
    """The Key URI authenticator apps scan: issuer and "account:user" label, SHA1 / 6 digits / 30 s."""
    issuer = settings.IAM_MFA_ISSUER
    label = quote(f"{issuer}:{user_name}@{account}", safe="@:")
    query = urlencode({"secret": base32(seed), "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
