"""The frame every IAM operation runs in: authorize -> validate -> write -> audit, in one transaction."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from audit.services import record_event
from iam_console.errors import IAMError

P = ParamSpec("P")
R = TypeVar("R")


def iam_operation(event_name: str, *, audit_reads: bool = False,
                  event_source: str = "iam.amazonaws.com") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a service function as the IAM operation `event_name`.

    The function takes a keyword-only `caller` and does its own authorize() call (the resource ARN depends on
    its arguments). Its writes and the success audit event commit together; when it raises an IAMError the
    writes roll back and the failure is recorded in a transaction of its own, so nothing is half-written and
    denied attempts are still on record. Reads are audited only when they fail, unless `audit_reads`.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            caller = kwargs.get("caller")
            parameters = _request_parameters(signature, args, kwargs)
            try:
                with transaction.atomic():
                    result = func(*args, **kwargs)
                    if audit_reads or not _is_read(event_name):
                        record_event(caller=caller, event_name=event_name, request_parameters=parameters,
                                     response_elements=_response_elements(result), event_source=event_source)
                return result
            except IAMError as error:
                record_event(caller=caller, event_name=event_name, request_parameters=parameters,
                             error_code=error.code, error_message=error.message, event_source=event_source)
                raise

        run.event_name = event_name  # type: ignore[attr-defined]
        return run

    return decorate


_READ_PREFIXES = ("Get", "List", "Simulate", "Validate")


def _is_read(event_name: str) -> bool:
    return event_name.startswith(_READ_PREFIXES)


def _request_parameters(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict[str, Any]:
    bound = signature.bind_partial(*args, **kwargs)
    return {name: value for name, value in bound.arguments.items() if name != "caller"}


def _response_elements(result: Any) -> dict[str, Any]:
    """What the audit record keeps of a result: identifiers only, never a secret."""
    describe = getattr(result, "audit_elements", None)
    return describe() if callable(describe) else {}
