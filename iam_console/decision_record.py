"""Where every access decision is reported, for the evidence of what each principal uses (last accessed).

The frame imports no app: the evidence app installs its recorder when it is ready, and the places that decide
(authorize_caller, the operation frame's early refusal, AssumeRole's trust check, decisions for other services)
report here. Recording must never refuse a request, so with no recorder installed nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Recorder = Callable[[Any, str, bool], None]
_recorder: Recorder | None = None


def install_decision_recorder(recorder: Recorder | None) -> None:
    global _recorder
    _recorder = recorder


def record_decision(caller: Any, action: str, allowed: bool) -> None:
    """One decision: `caller` (an iam_console.callers.Caller) attempted `action` ("service:Action")."""
    if _recorder is not None:
        _recorder(caller, action, allowed)


# The actions principals were allowed, as the evidence app has folded them (last accessed): (account id,
# principal ARN, "service:Action", last use) since a moment, for the accounts given. For readers that have
# authorized their caller themselves; with no reader installed there is no such evidence.
UsageReader = Callable[[list[str], Any], list[tuple[str, str, str, Any]]]
_usage_reader: UsageReader | None = None


def install_usage_reader(reader: UsageReader | None) -> None:
    global _usage_reader
    _usage_reader = reader


def allowed_uses(account_ids: list[str], since: Any) -> list[tuple[str, str, str, Any]]:
    return _usage_reader(account_ids, since) if _usage_reader is not None else []
