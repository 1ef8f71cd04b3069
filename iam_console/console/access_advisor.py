"""The Access Advisor tab of user, group, role and policy pages: what the entity's permissions were used for."""

from __future__ import annotations

from evidence import last_accessed
from iam_console.console.mixins import ConsoleView
from iam_console.errors import AccessDenied

TAB = ("access-advisor", "Access Advisor")


def access_advisor_context(view: ConsoleView, arn: str) -> dict:
    """{"advisor": the services, or None when the caller may not generate last-accessed reports}."""
    try:
        return {"advisor": last_accessed.access_advisor(caller=view.caller, arn=arn)}
    except AccessDenied:
        return {"advisor": None}
