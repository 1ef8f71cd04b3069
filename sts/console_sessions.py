"""The rules of a console sign-in session, enforced once for every door that accepts the session cookie.

A middleware resolves the cookie before any view runs: a session past its idle or absolute timeout is ended
there, and a live one is given its restriction (a password to change, an MFA device to enrol). The restriction
travels on the Caller to the authorization chokepoint (policies.session_scope), so console pages, the REST API
called with the cookie, and any later door refuse the same things; the console only adds the friendly redirect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from directory.mfa.requirement import must_enrol
from directory.models import User
from directory.passwords import EffectivePasswordPolicy, effective_policy
from iam_console.callers import MFA_SESSION_KEY, SESSION_SCOPE_ATTR
from policies.session_scope import MFA_ENROLMENT, PASSWORD_CHANGE

SIGNED_IN_AT = "iam_signed_in_at"
LAST_SEEN = "iam_last_seen"
SIGN_IN_NOTICE = "sign_in_notice"
# Writing the session on every request costs a database write; a minute's precision is enough for idling.
LAST_SEEN_GRANULARITY = 60
_STATE_ATTR = "iam_console_session"


@dataclass(frozen=True)
class ConsoleSession:
    """A live console session and what holds it back, if anything."""

    user: User
    policy: EffectivePasswordPolicy
    change_reason: str | None  # "reset" or "expired" when the password must change first
    enrolment_required: bool  # the MFA requirement covers the user and no device is enrolled

    @property
    def scope(self) -> str:
        if self.change_reason:
            return PASSWORD_CHANGE
        return MFA_ENROLMENT if self.enrolment_required else ""


def start_session(request: HttpRequest) -> None:
    """Called right after login() (which rotates the session key): the clocks of both timeouts start now."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def session_ended(request: HttpRequest) -> str | None:
    """Why the session is over (idle or absolute timeout), or None while it is live; a live one is touched."""
    now = int(time.time())
    signed_in = request.session.get(SIGNED_IN_AT)
    last_seen = request.session.get(LAST_SEEN)
    if signed_in is None or last_seen is None:
        return "Please sign in."
    if now - signed_in > settings.SESSION_COOKIE_AGE:
        return "Your session has ended. Please sign in again."
    if now - last_seen > settings.IAM_SESSION_IDLE_TIMEOUT_SECONDS:
        return "You were signed out after a period of inactivity. Please sign in again."
    if now - last_seen >= LAST_SEEN_GRANULARITY:
        request.session[LAST_SEEN] = now
    return None


def password_expires_at(user: User, policy: EffectivePasswordPolicy) -> datetime | None:
    if user.is_root or not user.has_login_profile:
        return None  # the root user answers to no IAM password policy, as in AWS
    return policy.expires_at(user.password_last_changed)


def password_change_reason(user: User, policy: EffectivePasswordPolicy) -> str | None:
    """'reset' when an administrator requires a new password, 'expired' when MaxPasswordAge has passed."""
    if user.password_reset_required and not user.is_root:
        return "reset"
    expires = password_expires_at(user, policy)
    if expires is not None and expires <= timezone.now():
        return "expired"
    return None


def resolve(request: HttpRequest) -> ConsoleSession | None:
    """The request's console session under its rules, or None (nobody signed in, or the session just ended).

    Resolved once per request; ending a timed-out session logs it out, so no door sees its user afterwards.
    """
    if hasattr(request, _STATE_ATTR):
        return getattr(request, _STATE_ATTR)
    state = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        reason = session_ended(request)
        if reason is not None:
            logout(request)
            request.session[SIGN_IN_NOTICE] = reason
        else:
            policy = effective_policy(user.account_id)
            state = ConsoleSession(user=user, policy=policy, change_reason=password_change_reason(user, policy),
                                   enrolment_required=not request.session.get(MFA_SESSION_KEY)
                                   and not getattr(user, "is_federated", False) and must_enrol(user))
    setattr(request, _STATE_ATTR, state)
    setattr(request, SESSION_SCOPE_ATTR, state.scope if state is not None else "")
    return state


class ConsoleSessionMiddleware:
    """Applies the session rules to every request, before any door's view or authentication runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        resolve(request)
        return self.get_response(request)
