"""Console sign-in: password check, lockout after repeated failures, ConsoleLogin audit events, unlock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from accounts.selectors import account_by_id_or_alias, management_account
from audit.models import AuditEvent
from audit.services import record_event
from directory import lookups
from directory.auth_backend import _dummy_check
from directory.mfa.devices import has_enabled_device, unlock_devices
from directory.models import User
from iam_console import guesses, metrics
from iam_console.errors import NoSuchEntity, Throttling
from iam_console.guesses import Secret
from iam_console.operations import iam_operation
from iam_console.redaction import REDACTED
from iam_console.throttle import FailureThrottle
from policies.authorization import Caller, authorize_caller

GENERIC_FAILURE = "Incorrect user name or password."
CONSOLE_LOGIN = "ConsoleLogin"
# A wrong current password given to ChangePassword: it counts toward the same limits as a wrong sign-in.
WRONG_OLD_PASSWORD = "The old password is incorrect."
DEVICE_SALT = "iam.sign-in-device"



# Failed attempts from one client (its IP address, whatever names and secrets it tries): the ladder every door's
# guesses share (iam_console.guesses).
client_throttle = guesses.client_ladder


def unknown_name_throttle() -> FailureThrottle:
    """Names that match no user with a password "lock" exactly like real ones, so the two cannot be told apart."""
    return FailureThrottle("sign-in-unknown-name", free=settings.IAM_LOCKOUT_THRESHOLD,
                           base_seconds=settings.IAM_LOCKOUT_DURATION_SECONDS,
                           cap_seconds=settings.IAM_LOCKOUT_DURATION_SECONDS,
                           window_seconds=settings.IAM_LOCKOUT_WINDOW_SECONDS)


class SignInFailed(Exception):
    """The sign-in was refused. The message never says whether the user name exists."""

    def __init__(self, message: str = GENERIC_FAILURE, *, locked_until: datetime | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.locked_until = locked_until
        self.retry_after = retry_after  # set when the client itself must wait (throttled), not the account


@dataclass(frozen=True)
class SignInAttempt:
    """How the attempt reached us (an anonymous Caller cannot exist before we know who signs in).

    `device_token` is the signed cookie a browser received when it last signed in successfully: a user's
    lockout does not apply to the browsers that user really signs in from, so locking is no weapon.
    """

    source_ip: str | None
    user_agent: str
    secure_transport: bool = False
    device_token: str = ""

    def caller_for(self, user: User) -> Caller:
        return Caller(principal=user, via="console", source_ip=self.source_ip, user_agent=self.user_agent,
                      secure_transport=self.secure_transport)

    @property
    def client(self) -> str:
        return self.source_ip or "unknown"

    def trusted_for(self, user: User) -> bool:
        if not self.device_token:
            return False
        try:
            user_id = signing.loads(self.device_token, salt=DEVICE_SALT,
                                    max_age=settings.IAM_SIGN_IN_DEVICE_DAYS * 86400)
        except signing.BadSignature:
            return False
        return user_id == user.user_id


def device_token_for(user: User) -> str:
    """The cookie value that marks this browser as one the user signs in from."""
    return signing.dumps(user.user_id, salt=DEVICE_SALT)


def throttled_message(wait: int) -> str:
    return (f"Too many failed sign-in attempts from your network. Wait {wait} second{'s' if wait != 1 else ''} "
            "and try again.")


def _record(attempt: SignInAttempt, *, user: User | None, user_name: str, error: str = "",
            account: Account | None = None) -> None:
    """A ConsoleLogin event, in the account signed in to (none when the account named is not one of ours)."""
    caller = attempt.caller_for(user) if user is not None else None
    # CloudTrail hides names that match no user: people type their password into the user name box.
    parameters = {"user_name": user.user_name if user is not None else REDACTED}
    event = record_event(caller=caller, event_name=CONSOLE_LOGIN, request_parameters=parameters,
                         response_elements={"ConsoleLogin": "Failure" if error else "Success"},
                         resources=[user.arn] if user is not None else [],
                         error_code="Failed authentication" if error else "", error_message=error,
                         account_id=user.account_id if user is not None else (account.pk if account else ""))
    if user is None:
        # record_event cannot take the request context without a principal; keep where the attempt came from.
        AuditEvent.objects.filter(pk=event.pk).update(source_ip=attempt.source_ip, user_agent=attempt.user_agent,
                                                      via="console")


def failures_since_reset(user: User, now: datetime) -> int:
    """Failed password guesses that count towards a lockout: inside the window and after the last reset.

    Wrong sign-ins (password or MFA code) and wrong current passwords given to ChangePassword both count. A
    successful sign-in, a lifted or expired lock, and a new password all start the count again.
    """
    window_start = now - timedelta(seconds=settings.IAM_LOCKOUT_WINDOW_SECONDS)
    resets = [window_start, user.locked_until, user.last_login, user.password_last_changed]
    since = max(moment for moment in resets if moment is not None)
    return AuditEvent.objects.filter(
        Q(event_name=CONSOLE_LOGIN) | Q(event_name="ChangePassword", error_message=WRONG_OLD_PASSWORD),
        actor_arn=user.arn, outcome=AuditEvent.Outcome.FAILURE, event_time__gt=since).count()


def sign_in(*, attempt: SignInAttempt, account: str, user_name: str, password: str) -> User:
    """Check an account (its id or alias; empty: the management account), a user name and a password; return the
    user, or raise SignInFailed.

    An account that does not exist (or is not active) answers exactly as a user name that does not: the same
    message, the same Argon2 work, the same throttling and phantom locks, so neither can be enumerated.

    First the client: one that keeps failing waits longer and longer, whatever names it tries, and its password
    is not even checked meanwhile. Then the user: enough failures lock an IAM user for browsers it has never
    signed in from; the root user is never locked (an anonymous client must not keep it out of its own
    directory). The user row is locked while failures are counted, so concurrent wrong guesses cannot slip past
    the threshold. Unknown names cost the same Argon2 work as known ones and answer the same, locks included.
    """
    signed_in_to = account_by_id_or_alias(account) if str(account or "").strip() else management_account()
    if signed_in_to is not None and not signed_in_to.is_active:
        signed_in_to = None  # a suspended or closed account signs nobody in, and says nothing more than that
    wait = client_throttle().wait(attempt.client)
    if wait:
        _record(attempt, user=None, user_name=user_name, error="Throttling", account=signed_in_to)
        metrics.sign_in_throttled("client")
        raise SignInFailed(throttled_message(wait), retry_after=wait)
    now = timezone.now()
    name = str(user_name or "")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(account=signed_in_to, user_name_key=name.lower()).first() \
            if signed_in_to is not None else None
        if user is None or not (user.has_login_profile or user.is_root) or not password \
                or not user.password or not user.has_usable_password():
            _dummy_check(password or "")
            _record(attempt, user=user, user_name=name, error=GENERIC_FAILURE, account=signed_in_to)
            metrics.sign_in_failure("credentials")
            phantom = f"{signed_in_to.pk if signed_in_to else str(account or '').strip().lower()}/{name.lower()}"
            raise_later = _fail_unknown(attempt, phantom)
        elif _locked_for(attempt, user, now):
            _dummy_check(password)
            _record(attempt, user=user, user_name=name, error="Account temporarily locked")
            metrics.sign_in_failure("locked")
            client_throttle().fail(attempt.client)
            raise_later = SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)
        elif user.check_password(password):
            # With an MFA device the sign-in succeeds only at the code step (record_second_factor_success).
            if not has_enabled_device(user):
                _record(attempt, user=user, user_name=name)
            return user
        else:
            raise_later = _fail(attempt, user, GENERIC_FAILURE, now)
    # Raised after the block so that the failure events and the lock commit.
    raise raise_later


def _fail_unknown(attempt: SignInAttempt, name: str) -> SignInFailed:
    """A name with no password behind it: counted and "locked" by name exactly as a real user would be."""
    client_throttle().fail(attempt.client)
    key = name.lower()
    if unknown_name_throttle().wait(key):
        return _phantom_lock(key)
    if unknown_name_throttle().failures(key) >= settings.IAM_LOCKOUT_THRESHOLD:
        unknown_name_throttle().clear(key)  # the lock has run out: the count starts again, as for a real user
    unknown_name_throttle().fail(key)
    if unknown_name_throttle().wait(key):
        return _phantom_lock(key)
    return SignInFailed()


def _phantom_lock(key: str) -> SignInFailed:
    until = (timezone.now() + timedelta(seconds=unknown_name_throttle().wait(key))).replace(microsecond=0)
    return SignInFailed(locked_message(until), locked_until=until)


def _locked_for(attempt: SignInAttempt, user: User, now: datetime) -> bool:
    """Whether the user's lock keeps this client out: never the root user, never a browser the user signs in from.

    Failures counted elsewhere (wrong current passwords given to ChangePassword) lock the user here too.
    """
    if user.is_root or attempt.trusted_for(user):
        return False
    if user.locked_until is not None and user.locked_until > now:
        return True
    if failures_since_reset(user, now) >= settings.IAM_LOCKOUT_THRESHOLD:
        _lock(attempt, user, now)
        return True
    return False


def _fail(attempt: SignInAttempt, user: User, error: str, now: datetime, *, client_counted: bool = False) \
        -> SignInFailed:
    """Record a failed sign-in for a known user and lock the user once the failures reach the threshold."""
    _record(attempt, user=user, user_name=user.user_name, error=error)
    metrics.sign_in_failure("credentials" if error == GENERIC_FAILURE else "mfa_code")
    if not client_counted:
        client_throttle().fail(attempt.client)
    if user.is_root or attempt.trusted_for(user) or \
            failures_since_reset(user, now) < settings.IAM_LOCKOUT_THRESHOLD:
        return SignInFailed(error)
    _lock(attempt, user, now)
    return SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)


def _lock(attempt: SignInAttempt, user: User, now: datetime) -> None:
    user.locked_until = now + timedelta(seconds=settings.IAM_LOCKOUT_DURATION_SECONDS)
    user.save(update_fields=["locked_until"])
    metrics.lockout()
    record_event(caller=attempt.caller_for(user), event_name="UserLockedOut",
                 request_parameters={"user_name": user.user_name, "failed_attempts": settings.IAM_LOCKOUT_THRESHOLD},
                 response_elements={"locked_until": user.locked_until.isoformat()}, resources=[user.arn])


def second_factor_failure(attempt: SignInAttempt, user: User, error: str) -> SignInFailed:
    """A wrong MFA or recovery code after a correct password: it counts toward the lockout like a wrong password.

    The code check itself has counted it for the client and the device (iam_console.guesses)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if _locked_for(attempt, user, now):
            return SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)
        return _fail(attempt, user, error, now, client_counted=True)


def locked_for(attempt: SignInAttempt, user: User) -> SignInFailed | None:
    """Why this client may not go on signing in as the user right now (its own back-off, or the user's lock)."""
    wait = client_throttle().wait(attempt.client)
    if wait:
        return SignInFailed(throttled_message(wait), retry_after=wait)
    if not user.is_root and not attempt.trusted_for(user) and is_locked(user):
        return SignInFailed(locked_message(user.locked_until), locked_until=user.locked_until)
    return None


def check_password_guess(caller: Caller, user: User) -> None:
    """Before a caller's guess at its own current password (ChangePassword) is checked: the same limits as sign-in.

    A client in back-off is throttled, and so is a user whose failures have reached the lockout threshold.
    """
    guesses.admit(Secret.CURRENT_PASSWORD, client=caller.source_ip)
    now = timezone.now()
    if user.is_root:
        return
    if is_locked(user) or failures_since_reset(user, now) >= settings.IAM_LOCKOUT_THRESHOLD:
        until = user.locked_until if is_locked(user) else now + timedelta(seconds=settings.IAM_LOCKOUT_WINDOW_SECONDS)
        metrics.sign_in_throttled("user")
        raise Throttling("Too many wrong passwords for this user: try again later, or ask an administrator.",
                         retry_after=max(1, int((until - now).total_seconds())))


def wrong_password_guess(caller: Caller) -> None:
    """A wrong current password: the client's back-off grows now (the user's count is the audited failure, which
    the operation frame records after the refusal has rolled back)."""
    guesses.refused(Secret.CURRENT_PASSWORD, client=caller.source_ip)


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
    """Lift a sign-in lockout, and the locks of the user's MFA devices and recovery codes, now. Unlocking is a
    change to the user's console access, as in UpdateLoginProfile."""
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:UpdateLoginProfile", user.arn)
    unlocked_devices = unlock_devices(user)
    if not user.has_login_profile and not unlocked_devices:
        raise NoSuchEntity(f"Login Profile for User {user.user_name} cannot be found.")
    # locked_until = now both lifts the lock and restarts the failure count from this moment.
    user.locked_until = timezone.now()
    user.save(update_fields=["locked_until"])
    return user
