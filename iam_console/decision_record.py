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
