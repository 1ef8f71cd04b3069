"""Presented secrets: every door's attempt at a password or code is admitted or throttled here, and each wrong one
counted at once, in the shared throttle store, outside any database transaction (a refused operation that rolls
back cannot take its count with it).

Two ladders hold each attempt back. The client's (its IP address, whatever secret or name it tries): after
IAM_SIGN_IN_CLIENT_FREE_FAILURES failures it waits 1 s, 2, 4 … up to IAM_SIGN_IN_CLIENT_BACKOFF_MAX_SECONDS. The
target's (what the secret unlocks, where it has no lock of its own): after IAM_LOCKOUT_THRESHOLD wrong attempts in
a row it is locked for IAM_LOCKOUT_DURATION_SECONDS, each further wrong attempt doubling the lock up to
IAM_MFA_LOCKOUT_MAX_SECONDS. Passwords and current passwords are counted against their user by the sign-in
lockout (directory.services.sign_in), which keeps them in the audit record; they pass no target here.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings

from iam_console import metrics
from iam_console.errors import Throttling
from iam_console.throttle import FailureThrottle


class Secret(StrEnum):
    """What a caller may present. A new kind of secret joins here, and joins the suite's table of doors."""

    PASSWORD = "password"  # console sign-in
    CURRENT_PASSWORD = "current-password"  # ChangePassword's old password
    MFA_CODE = "mfa-code"  # a TOTP code: sign-in, GetSessionToken, AssumeRole, EnableMFADevice, ResyncMFADevice
    RECOVERY_CODE = "recovery-code"  # instead of a TOTP code at sign-in


_TARGET_WORDS = {Secret.MFA_CODE: "wrong codes for this MFA device",
                 Secret.RECOVERY_CODE: "wrong recovery codes for this user",
                 Secret.PASSWORD: "wrong passwords for this user"}  # the access portal's people


def client_ladder() -> FailureThrottle:
    """Failed attempts from one client (its IP address, whatever it tries): back-off before any lock."""
    return FailureThrottle("sign-in-client", free=settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES,
                           base_seconds=settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS,
                           cap_seconds=settings.IAM_SIGN_IN_CLIENT_BACKOFF_MAX_SECONDS,
                           window_seconds=settings.IAM_SIGN_IN_CLIENT_WINDOW_SECONDS)


def target_ladder(secret: Secret) -> FailureThrottle:
    """Wrong attempts at one target: locked after the threshold, the lock doubling with each further one.

    The count is kept for twice the longest lock after the last wrong attempt, so waiting a lock out does not buy
    a fresh set of attempts; a right secret (once the lock is over) starts it again.
    """
    longest = max(settings.IAM_MFA_LOCKOUT_MAX_SECONDS, settings.IAM_LOCKOUT_DURATION_SECONDS)
    return FailureThrottle(f"{secret}-target", free=settings.IAM_LOCKOUT_THRESHOLD,
                           base_seconds=settings.IAM_LOCKOUT_DURATION_SECONDS, cap_seconds=longest,
                           window_seconds=max(2 * longest, settings.IAM_LOCKOUT_WINDOW_SECONDS))


def _client(client: str | None) -> str:
    return client or "unknown"


def client_wait(client: str | None) -> int:
    return client_ladder().wait(_client(client))


def throttled(secret: Secret, wait: int, *, target: bool) -> Throttling:
    """The refusal of an attempt that must wait `wait` seconds (the target's lock, or the client's back-off)."""
    plural = "s" if wait != 1 else ""
    if target:
        return Throttling(f"Too many {_TARGET_WORDS[secret]}: try again in {wait} second{plural}, or ask an "
                          "administrator to unlock it.", retry_after=wait)
    return Throttling(f"Too many failed attempts from your network: try again in {wait} second{plural}.",
                      retry_after=wait)


def admit(secret: Secret, *, client: str | None, target: str | None = None) -> None:
    """Let an attempt be checked, or refuse it (Throttling, with Retry-After) while its client or target waits.

    Right and wrong attempts alike pass here: a throttled client's right password is not even checked.
    """
    wait = client_wait(client)
    if wait:
        metrics.sign_in_throttled("client")
        raise throttled(secret, wait, target=False)
    if target is not None:
        wait = target_ladder(secret).wait(target)
        if wait:
            metrics.sign_in_throttled("target")
            raise throttled(secret, wait, target=True)


def refused(secret: Secret, *, client: str | None, target: str | None = None) -> int:
    """Count a wrong attempt now (not when any transaction commits); the seconds the caller must now wait."""
    wait = client_ladder().fail(_client(client))
    if target is not None:
        wait = max(wait, target_ladder(secret).fail(target))
    return wait


def accepted(secret: Secret, *, target: str) -> None:
    """A right attempt: the target's count starts again (the client's back-off runs out on its own)."""
    target_ladder(secret).clear(target)
