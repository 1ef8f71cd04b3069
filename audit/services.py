"""Recording audit events; the only code that writes AuditEvent rows.

`record_decision` is the one place a decision the directory made for another service is recorded: whatever is
learned from decisions (the trail, what each principal used) is fed from there, never beside it."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import transaction

from audit.models import AuditEvent
from iam_console.redaction import redact, storable

if TYPE_CHECKING:
    from iam_console.callers import Caller


def record_event(
    *,
    caller: Caller | None,
    event_name: str,
    request_parameters: Mapping[str, Any] | None = None,
    response_elements: Mapping[str, Any] | None = None,
    resources: list[str] | None = None,
    error_code: str = "",
    error_message: str = "",
    actor_arn: str | None = None,
    event_source: str = "iam.amazonaws.com",
    account_id: str | None = None,
) -> AuditEvent:
    """One event, in the account of its caller's principal unless `account_id` names another (a sign-in attempt
    for an account, before anyone is known)."""
    principal = caller.principal if caller else None
    if account_id is None:
        account_id = getattr(principal, "account_id", None) or ""
    event = AuditEvent(
        account_id=account_id,
        event_source=event_source,
        event_name=event_name,
        actor_arn=actor_arn or (principal.arn if principal else "anonymous"),
        actor_user_id=(principal.unique_id if principal else "") or "",
        access_key_id=(caller.access_key_id if caller else "") or "",
        source_ip=caller.source_ip if caller else None,
        user_agent=storable(((caller.user_agent if caller else "") or "")[:1024]),
        via=caller.via if caller else "",
        request_id=caller.request_id if caller else "",
        request_parameters=redact(dict(request_parameters or {})),
        response_elements=redact(dict(response_elements or {})),
        resources=[storable(str(resource)) for resource in resources or []],
        outcome=AuditEvent.Outcome.FAILURE if error_code else AuditEvent.Outcome.SUCCESS,
        error_code=error_code,
        error_message=storable(error_message[:2048]),
    )
    pending = _batch.get()
    if pending is None:
        event.save(force_insert=True)
    else:
        pending.append(event)
    return event


_batch: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar("audit_batch", default=None)


@contextmanager
def recorded_together() -> Iterator[None]:
    """The events recorded inside, written in one transaction with one INSERT when the block ends well (a batch of
    decisions: one round trip, not thirty). An error inside writes none of them, as a rolled-back transaction."""
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        with transaction.atomic():
            yield
            if events:
                AuditEvent.objects.bulk_create(events)
    finally:
        _batch.reset(token)


def record_decision(*, caller: Caller, service: str, action: str, resource: str, decision: str,
                    decided_for: str, resource_policy: bool) -> AuditEvent:
    """A decision made for another service (`decided_for`, the asking service's ARN), as done by the principal it
    was about (`caller`), in the request's transaction: `decision` is "allowed", "explicitDeny" or "implicitDeny".
    """
    denied = decision != "allowed"
    return record_event(caller=caller, event_name=action.split(":", 1)[1], event_source=service,
                        request_parameters={"resource": resource, "decidedFor": decided_for,
                                            "resourcePolicy": resource_policy},
                        response_elements={"decision": decision}, resources=[resource],
                        error_code="AccessDenied" if denied else "",
                        error_message=f"{decision} for {action} on {resource}" if denied else "")
