"""The console's base view: signed-in sessions with timeouts, forced password changes, IAM errors as pages."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from directory.mfa.requirement import must_enrol
from directory.models import User
from directory.passwords import EffectivePasswordPolicy, effective_policy
from iam_console.callers import MFA_SESSION_KEY, caller_from_request
from iam_console.console import role_sessions
from iam_console.errors import AccessDenied, IAMError, NoSuchEntity
from iam_console.identifiers import iam_arn
from policies.authorization import Caller, caller_may

SIGNED_IN_AT = "iam_signed_in_at"
LAST_SEEN = "iam_last_seen"
# Writing the session on every request costs a database write; a minute's precision is enough for idling.
LAST_SEEN_GRANULARITY = 60
EXPIRY_WARNING_DAYS = 15


def start_session(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def session_expired(request: HttpRequest) -> str | None:
    """Why the session is over (idle or absolute timeout), or None while it is live."""
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


class ConsoleView(View):
    """Every signed-in console page. Handlers reach IAM only through services, which authorize."""

    # The change-password page itself must stay reachable while a change is required.
    allowed_while_change_required = False
    # Enrolment pages (and the password change) stay reachable while the MFA requirement awaits a device.
    allowed_while_enrolment_required = False

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        reason = session_expired(request)
        if reason is not None:
            logout(request)
            request.session["sign_in_notice"] = reason
            return redirect_to_login(request.get_full_path())
        self.policy = effective_policy()
        self.change_reason = password_change_reason(request.user, self.policy)
        if self.change_reason and not self.allowed_while_change_required:
            return redirect("console:change-password")
        # Under the account's MFA requirement, a user without a device enrols before anything else.
        self.enrolment_required = not request.session.get(MFA_SESSION_KEY) and must_enrol(request.user)
        if self.enrolment_required and not self.allowed_while_enrolment_required:
            return redirect("console:mfa-enrol")
        # After Switch role, every page is authorized with the role session's permissions, not the user's.
        self.role_principal = role_sessions.active_principal(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        except AccessDenied as error:
            return self.render("console/error.html", {"title": "Access denied", "error": error}, status=403)
        except NoSuchEntity as error:
            return self.render("console/error.html", {"title": "Not found", "error": error}, status=404)

    @property
    def caller(self) -> Caller:
        return caller_from_request(self.request, via="console", principal=getattr(self, "role_principal", None))

    def base_context(self) -> dict:
        user = self.request.user
        expires = password_expires_at(user, self.policy)
        warning = None
        if expires is not None and not self.change_reason:
            left = expires - timezone.now()
            if left <= timedelta(days=EXPIRY_WARNING_DAYS):
                warning = {"expires": expires, "days": max(math.ceil(left.total_seconds() / 86400), 0)}
        return {"account_id": settings.IAM_ACCOUNT_ID, "identity": user, "password_expiry_warning": warning,
                "nav": getattr(self, "nav", ""),
                **role_sessions.template_context(self.request, getattr(self, "role_principal", None))}

    def may_create(self, action: str, resource_type: str) -> bool:
        """Whether to offer a "Create …" button: the caller may create some entity of this type at any path.

        Only hides a control; the create service still authorizes the exact ARN when the form is sent.
        """
        return caller_may(self.caller, action, iam_arn(f"{resource_type}/*"))

    def render(self, template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
        return render(self.request, template, {**self.base_context(), **(context or {})}, status=status)


def apply_error(form, error: IAMError, field_for: dict[str, str] | None = None) -> None:
    """Show a service's error next to the field it concerns, or at the top of the form."""
    field_for = field_for or {}
    target = field_for.get(error.code)
    if target is None:
        for hint, name in field_for.items():
            if hint in error.message:
                target = name
                break
    if target is not None and target in form.fields:
        form.add_error(target, error.message)
    else:
        form.add_error(None, f"{error.code}: {error.message}")


def password_rules(policy: EffectivePasswordPolicy) -> list[dict]:
    """The policy's rules in words, each with the code console.js uses to tick it off as the user types."""
    rules = []
    for text in policy.describe():
        lowered = text.lower()
        if "characters (at most" in lowered:
            code = f"min:{policy.minimum_password_length}"
        elif "three of" in lowered:
            code = "three"
        elif "uppercase letter" in lowered:
            code = "upper"
        elif "lowercase letter" in lowered:
            code = "lower"
        elif "number" in lowered:
            code = "number"
        elif "symbol" in lowered:
            code = "symbol"
        else:
            code = ""  # checked by the server only (reuse, user name)
        rules.append({"text": text, "code": code})
    return rules
