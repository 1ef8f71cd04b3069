"""authorize() for the code that sits below the policies app (the audit trail's readers).

The policies app installs its authorize_caller here when it is ready; until then every request is denied, so
a missing installation can never open a door.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from iam_console.callers import Caller
from iam_console.errors import AccessDenied

Authorizer = Callable[[Caller, str, str, Mapping[str, Any] | None], None]
_authorizer: Authorizer | None = None


def install_authorizer(authorizer: Authorizer) -> None:
    global _authorizer
    _authorizer = authorizer


def authorize_caller(caller: Caller, action: str, resource: str,
                     extra_context: Mapping[str, Any] | None = None) -> None:
    """Allow or raise AccessDenied, exactly as policies.authorization.authorize_caller does."""
    if _authorizer is None:
        raise AccessDenied(f"{caller.principal.arn} is not authorized to perform: {action} on resource: "
                           f"{resource} because no authorizer is installed")
    _authorizer(caller, action, resource, extra_context)
