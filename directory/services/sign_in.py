"""Console sign-in: password check, lockout after repeated failures, ConsoleLogin audit events, unlock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.redaction import REDACTED
from audit.services import record_event
from directory import lookups
from directory.auth_backend import _dummy_check
from directory.mfa.devices import has_enabled_device
from directory.models import User
from iam_console.errors import NoSuchEntity
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

GENERIC_FAILURE = "Incorrect user name or password."
CONSOLE_LOGIN = "ConsoleLogin"


class SignInFailed(Exception):
    """The sign-in was refused. The message never says whether the user name exists."""

    def __init__(self, message: str = GENERIC_FAILURE, *, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.locked_until = locked_until


@dataclass(frozen=True)
class SignInAttempt:
    """How the attempt reached us (an anonymous Caller cannot exist before we know who signs in)."""

    source_ip: str | None
    user_agent: str
    secure_transport: bool = False

    def caller_for(self, user: User) -> Caller:
        return Caller(principal=user, via="console", source_ip=self.source_ip, user_agent=self.user_agent,
                      secure_transport=self.secure_transport)


def _record(attempt: SignInAttempt, *, user: User | None, user_name: str, error: str = "") -> None:
    caller = attempt.caller_for(user) if user is not None else None
    # CloudTrail hides names that match no user: people type their password into the user name box.
    parameters = {"user_name": user.user_name if user is not None else REDACTED}
    event = record_event(caller=caller, event_name=CONSOLE_LOGIN, request_parameters=parameters,
                         response_elements={"ConsoleLogin": "Failure" if error else "Success"},
                         resources=[user.arn] if user is not None else [],
                         error_code="Failed authentication" if error else "", error_message=error)
    if user is None:
        # record_event cannot take the request context without a principal; keep where the attempt came from.
        AuditEvent.objects.filter(pk=event.pk).update(source_ip=attempt.source_ip, user_agent=attempt.user_agent,
                                                      via="console")


def _failures_since_reset(user: User, now: datetime) -> int:
    """Failed sign-ins that count towards a lockout: inside the window and after the last reset.

    A successful sign-in, a lifted or expired lock, and a new password all start the count again.
    """
    window_start = now - timedelta(seconds=settings.IAM_LOCKOUT_WINDOW_SECONDS)
    resets = [window_start, user.locked_until, user.last_login, user.password_last_changed]
    since = max(moment for moment in resets if moment is not None)
    return AuditEvent.objects.filter(event_name=CONSOLE_LOGIN, actor_arn=user.arn,
                                     outcome=AuditEvent.Outcome.FAILURE, event_time__gt=since).count()


def sign_in(*, attempt: SignInAttempt, user_name: str, password: str) -> User:
    """Check a user name and password; return the user, or raise SignInFailed.

    The user row is locked while failures are counted, so concurrent wrong guesses cannot slip past the
    threshold. Unknown names cost the same Argon2 work as known ones.
    """
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(user_name_key=str(user_name or "").lower()).first()
        if user is None or not (user.has_login_profile or user.is_root) or not password:
            _dummy_check(password or "")
            _record(attempt, user=None if user is None else user, user_name=user_name, error=GENERIC_FAILURE)
            raise_later = SignInFailed()
        elif user.locked_until is not None and user.locked_until > now:
            _dummy_check(password)
            _record(attempt, user=user, user_name=user_name, error="Account temporarily locked")
            raise_later = SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)
        elif user.check_password(password):
            # With an MFA device the sign-in succeeds only at the code step (record_second_factor_success).
            if not has_enabled_device(user):
                _record(attempt, user=user, user_name=user_name)
            return user
        else:
            raise_later = _fail(attempt, user, GENERIC_FAILURE, now)
    # Raised after the block so that the failure events and the lock commit.
    raise raise_later


def _fail(attempt: SignInAttempt, user: User, error: str, now: datetime) -> SignInFailed:
    """Record a failed sign-in for a known user and lock the user once the failures reach the threshold."""
    _record(attempt, user=user, user_name=user.user_name, error=error)
    if _failures_since_reset(user, now) < settings.IAM_LOCKOUT_THRESHOLD:
        return SignInFailed(error)
    user.locked_until = now + timedelta(seconds=settings.IAM_LOCKOUT_DURATION_SECONDS)
    user.save(update_fields=["locked_until"])
    record_event(caller=attempt.caller_for(user), event_name="UserLockedOut",
                 request_parameters={"user_name": user.user_name, "failed_attempts": settings.IAM_LOCKOUT_THRESHOLD},
                 response_elements={"locked_until": user.locked_until.isoformat()}, resources=[user.arn])
    return SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)


def second_factor_failure(attempt: SignInAttempt, user: User, error: str) -> SignInFailed:
    """A wrong MFA or recovery code after a correct password: it counts toward the lockout like a wrong password."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if user.locked_until is not None and user.locked_until > now:
            return SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)
        return _fail(attempt, user, error, now)


def second_factor_success(attempt: SignInAttempt, user: User, *, method: str) -> None:
    """The ConsoleLogin success of a user with MFA; `method` is "TOTP" or "RecoveryCode" (CloudTrail's MFAUsed)."""
    record_event(caller=attempt.caller_for(user), event_name=CONSOLE_LOGIN,
                 request_parameters={"user_name": user.user_name},
                 response_elements={"ConsoleLogin": "Success", "MFAUsed": "Yes", "MFAMethod": method},
                 resources=[user.arn])


def locked_message(until: datetime) -> str:
    return ("This account is temporarily locked after too many failed sign-in attempts. "
            f"Try again after {until:%Y-%m-%d %H:%M:%S} UTC, or ask an administrator to unlock it.")


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


@iam_operation("UnlockUser", action="iam:UpdateLoginProfile")
def unlock_user(*, caller: Caller, user_name: str) -> User:
    """Lift a sign-in lockout now. Unlocking is a change to the user's console access, as in UpdateLoginProfile."""
    user = lookups.user_by_name(user_name, for_update=True)
    authorize_caller(caller, "iam:UpdateLoginProfile", user.arn)
    if not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.user_name} cannot be found.")
    # locked_until = now both lifts the lock and restarts the failure count from this moment.
    user.locked_until = timezone.now()
    user.save(update_fields=["locked_until"])
    return user
