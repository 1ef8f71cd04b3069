"""The console's switched role: which role session a browser session acts as, and the roles used recently."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from iam_console.callers import ROLE_SESSION_KEY
from iam_console.errors import ExpiredToken, InvalidClientTokenId
from sts.principals import RoleSessionPrincipal
from sts.recent_roles import recent
from sts.services import REVOKED_MESSAGE, session_principal


def start(request: HttpRequest, *, access_key_id: str, role_name: str, display_name: str, color: str) -> None:
    request.session[ROLE_SESSION_KEY] = {"access_key_id": access_key_id, "role_name": role_name,
                                         "display_name": display_name, "color": color}


def stop(request: HttpRequest) -> dict | None:
    return request.session.pop(ROLE_SESSION_KEY, None)


def current(request: HttpRequest) -> dict | None:
    return request.session.get(ROLE_SESSION_KEY)


def active_principal(request: HttpRequest) -> RoleSessionPrincipal | None:
    """The live role session this browser acts as, or None. An ended session drops back to the user, saying why."""
    state = current(request)
    if not state:
        return None
    try:
        return session_principal(state["access_key_id"])
    except (ExpiredToken, InvalidClientTokenId) as error:
        stop(request)
        why = "was revoked" if error.message == REVOKED_MESSAGE else "has expired"
        messages.warning(request, f"Your session as {state['display_name']} ({state['role_name']}) {why}. "
                                  f"You are back to {request.user.user_name}.")
        return None


def time_left(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def template_context(request: HttpRequest, principal: RoleSessionPrincipal | None) -> dict:
    """What the top bar shows: the switched role (display name, role, time left) and the recent roles."""
    user = request.user
    # A federated sign-in has no IAM user, hence no recent roles.
    own = not user.is_root and not getattr(user, "is_federated", False)
    context: dict = {"role_bar": None, "recent_roles": recent(user) if own else []}
    state = current(request)
    if principal is not None and state:
        seconds = principal.seconds_left()
        context["role_bar"] = {**state, "arn": principal.arn, "expiration": principal.expiration,
                               "seconds_left": seconds, "time_left": time_left(seconds),
                               "user_name": user.user_name}
    return context
