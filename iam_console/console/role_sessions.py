"""The console's switched role: which role session a browser session acts as, and the roles used recently."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from directory.models import User
from iam_console.callers import ROLE_SESSION_KEY
from iam_console.errors import ExpiredToken, InvalidClientTokenId
from sts.models import RecentRole
from sts.principals import RoleSessionPrincipal
from sts.services import REVOKED_MESSAGE, session_principal

RECENT_ROLES = 5


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


def remember(user: User, *, account: str, role_name: str, display_name: str, color: str) -> None:
    """Record a switch: the role moves to the top of the user's recent roles and only the last five stay."""
    with transaction.atomic():
        RecentRole.objects.update_or_create(
            user=user, account=account, role_name=role_name,
            defaults={"display_name": display_name, "color": color, "used_at": timezone.now()})
        stale = RecentRole.objects.filter(user=user).values_list("pk", flat=True)[RECENT_ROLES:]
        RecentRole.objects.filter(pk__in=list(stale)).delete()


def recent(user: User) -> list[RecentRole]:
    return list(RecentRole.objects.filter(user=user)[:RECENT_ROLES])


def time_left(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def template_context(request: HttpRequest, principal: RoleSessionPrincipal | None) -> dict:
    """What the top bar shows: the switched role (display name, role, time left) and the recent roles."""
    user = request.user
    own = isinstance(user, User) and not user.is_root  # a federated sign-in has no IAM user and no recent roles
    context: dict = {"role_bar": None, "recent_roles": recent(user) if own else []}
    state = current(request)
    if principal is not None and state:
        seconds = principal.seconds_left()
        context["role_bar"] = {**state, "arn": principal.arn, "expiration": principal.expiration,
                               "seconds_left": seconds, "time_left": time_left(seconds),
                               "user_name": user.user_name}
    return context
