"""The frame every IAM operation runs in: authorize -> validate -> write -> audit, in one transaction."""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction

from iam_console.errors import IAMError, ValidationError

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Who writes the audit events: the audit app installs its recorder when it is ready (the frame imports no app).
_event_recorder: Callable[..., object] | None = None


def install_event_recorder(recorder: Callable[..., object]) -> None:
    global _event_recorder
    _event_recorder = recorder


def record_event(**event: Any) -> None:
    """Record one audit event. No recorder installed is a broken deployment: refuse rather than act unaudited."""
    if _event_recorder is None:
        raise ImproperlyConfigured("No audit event recorder is installed: add the audit app to INSTALLED_APPS.")
    _event_recorder(**event)


# Whether a caller could perform an action at all: the policies app installs the check when it is ready. It answers
# the AccessDenied to give a caller who could not, or None.
_attempt_check: Callable[[Any, str], IAMError | None] | None = None


def install_attempt_check(check: Callable[[Any, str], IAMError | None]) -> None:
    global _attempt_check
    _attempt_check = check


# Failure events of operations running inside atomic_operations(): recorded once the group has rolled back.
_deferred_failures: contextvars.ContextVar[list[dict] | None] = contextvars.ContextVar("deferred_failures",
                                                                                        default=None)


# Writes that must stand whatever the outcome of the operations running (a wrong secret's count on the thing it
# tried to unlock): made once the outermost operation's, or group's, transaction has committed or rolled back.
_outcome_writes: contextvars.ContextVar[list[Callable[[], object]] | None] = contextvars.ContextVar(
    "outcome_writes", default=None)


def whatever_the_outcome(write: Callable[[], object]) -> None:
    """Make `write` (a short database write) outside the running operation's transaction, after it has committed
    or rolled back, so that a refusal cannot undo it. With no operation running it is made at once."""
    pending = _outcome_writes.get()
    if pending is None:
        write()
    else:
        pending.append(write)


@contextmanager
def _outcome_writes_made() -> Iterator[None]:
    """The outermost operation or group: collect the writes that must stand, and make them once it is over."""
    if _outcome_writes.get() is not None:
        yield
        return
    pending: list[Callable[[], object]] = []
    token = _outcome_writes.set(pending)
    try:
        yield
    finally:
        _outcome_writes.reset(token)
        for write in pending:
            try:
                with transaction.atomic():
                    write()
            except DatabaseError:
                # The database went away meanwhile: the shared throttle store still holds the count.
                logger.warning("a write that outlives its operation could not be made", exc_info=True)


@dataclass
class RunningOperation:
    """The IAM operation in progress: who calls, the IAM action it stands for, whether anything was allowed yet."""

    caller: Any
    action: str
    authorized: bool = False
    needs_permission: bool = True
    # What the authorizer loaded for this operation's caller (its policy set), kept for the operation's other
    # checks: one operation is one transaction, decided on one view of the caller's policies.
    loaded: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationInfo:
    """One IAM operation as declared: its event name, the action it is authorized as, and where it lives."""

    event_name: str
    action: str
    needs_permission: bool
    function: str  # module.qualname


_declared: list[OperationInfo] = []


def declared_operations() -> list[OperationInfo]:
    """Every operation declared so far (the modules that define them must have been imported)."""
    return list(_declared)


_running: contextvars.ContextVar[RunningOperation | None] = contextvars.ContextVar("running_operation", default=None)


def running_operation() -> RunningOperation | None:
    return _running.get()


@contextmanager
def atomic_operations() -> Iterator[None]:
    """Several IAM operations that commit together or not at all (a console form that creates a user, its
    password and its groups). A refused or failed operation inside still leaves its audit event: the events
    are written after the group's transaction has rolled back, where they cannot be undone with it."""
    failures: list[dict] = []
    token = _deferred_failures.set(failures)
    try:
        with _outcome_writes_made(), transaction.atomic():
            yield
    finally:
        _deferred_failures.reset(token)
        for event in failures:
            record_event(**event)


def iam_operation(event_name: str, *, audit_reads: bool = False, event_source: str = "iam.amazonaws.com",
                  action: str | None = None, needs_permission: bool = True
                  ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a service function as the IAM operation `event_name`.

    The function takes a keyword-only `caller` and does its own authorize() call (the resource ARN depends on
    its arguments). Its writes and the success audit event commit together; when it raises an IAMError the
    writes roll back and the failure is recorded in a transaction of its own, so nothing is half-written and
    denied attempts are still on record. Reads are audited only when they fail, unless `audit_reads`.
    `action` is the IAM action the operation is authorized as, when it is not `<service>:<event_name>`: an entity
    the operation cannot find is authorized against its ARN as that action before NoSuchEntity is told.

    A caller whose policies allow that action on no resource at all is refused with AccessDenied before the
    operation runs, as AWS refuses a caller who may not act before it examines the request: its input is never
    read, so neither an input error (InvalidInput, MalformedPolicyDocument…) nor an entity's existence
    (NoSuchEntity, EntityAlreadyExists, the ARN of an entity found) can tell it anything. `needs_permission=False`
    marks the few operations an identity policy need not allow (a trust policy, the password policy or the
    request's own token may grant them, or they need no permission at all).
    """
    iam_action = action or f"{event_source.split('.', 1)[0]}:{event_name}"

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(func)
        _declared.append(OperationInfo(event_name=event_name, action=iam_action, needs_permission=needs_permission,
                                       function=f"{func.__module__}.{func.__qualname__}"))

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            caller = kwargs.get("caller")
            parameters = _request_parameters(signature, args, kwargs)
            operation = RunningOperation(caller=caller, action=iam_action, needs_permission=needs_permission)
            running = _running.set(operation)
            try:
                _refuse_first(operation)
                _refuse_unstorable(parameters)
                with _outcome_writes_made(), transaction.atomic():
                    result = func(*args, **kwargs)
                    if audit_reads or not _is_read(event_name):
                        # A federated caller is known only once its token is verified: the result names it,
                        # and the account it came into.
                        record_event(caller=caller, event_name=event_name, request_parameters=parameters,
                                     response_elements=_response_elements(result), event_source=event_source,
                                     actor_arn=getattr(result, "audit_actor", None),
                                     account_id=getattr(result, "audit_account", None))
                return result
            except IAMError as error:
                failure = {"caller": caller, "event_name": event_name, "request_parameters": parameters,
                           "error_code": error.code, "error_message": error.message, "event_source": event_source}
                deferred = _deferred_failures.get()
                if deferred is not None:
                    deferred.append(failure)  # the enclosing group will roll back: record it after that
                else:
                    record_event(**failure)
                raise
            finally:
                _running.reset(running)

        run.event_name = event_name  # type: ignore[attr-defined]
        return run

    return decorate


def _refuse_first(operation: RunningOperation) -> None:
    """AccessDenied, before the operation reads anything, for a caller no policy allows the action at all."""
    if not operation.needs_permission or operation.caller is None or _attempt_check is None:
        return
    refusal = _attempt_check(operation.caller, operation.action)
    if refusal is not None:
        raise refusal


_READ_PREFIXES = ("Get", "List", "Simulate", "Validate", "Describe", "Is")


def _is_read(event_name: str) -> bool:
    return event_name.startswith(_READ_PREFIXES)


def _refuse_unstorable(value: Any, name: str = "", depth: int = 0) -> None:
    """Refuse, before anything is read or written, text no IAM name or document may hold: a NUL character or a
    lone surrogate (PostgreSQL cannot store either; AWS refuses them too). Nested parameters are bounded."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(f"{name or 'A parameter'} must not contain the NUL character.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(f"{name or 'A parameter'} is not valid UTF-8 text.") from None
    elif isinstance(value, dict | list | tuple):
        if depth > MAX_PARAMETER_DEPTH:
            raise ValidationError(f"{name or 'A parameter'} is nested too deeply.")
        items = value.items() if isinstance(value, dict) else ((name, item) for item in value)
        for key, item in items:
            _refuse_unstorable(key, name, depth + 1)
            _refuse_unstorable(item, key if isinstance(key, str) and isinstance(value, dict) else name, depth + 1)


MAX_PARAMETER_DEPTH = 32


def _request_parameters(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict[str, Any]:
    bound = signature.bind_partial(*args, **kwargs)
    # Defaults included: the record says what the operation did, whichever door left an argument out.
    bound.apply_defaults()
    return {name: value for name, value in bound.arguments.items() if name != "caller"}


def _response_elements(result: Any) -> dict[str, Any]:
    """What the audit record keeps of a result: identifiers only, never a secret."""
    describe = getattr(result, "audit_elements", None)
    return describe() if callable(describe) else {}
