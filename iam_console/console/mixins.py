"""The console's base view: signed-in sessions with timeouts, forced password changes, IAM errors as pages."""

from __future__ import annotations

import math
from datetime import timedelta

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.models import Account
from accounts.selectors import account_by_id
from directory.passwords import EffectivePasswordPolicy
from iam_console.callers import caller_from_request
from iam_console.console import role_sessions
from iam_console.console.federated_user import is_federated
from iam_console.console.plain_errors import plain_message
from iam_console.errors import AccessDenied, IAMError, NoSuchEntity
from iam_console.identifiers import iam_arn
from policies.authorization import Caller, caller_may, caller_may_each
from sts import console_sessions
from sts.console_sessions import (  # noqa: F401 - the console's views start sessions and show expiry
    LAST_SEEN,
    SIGNED_IN_AT,
    password_expires_at,
    start_session,
)

EXPIRY_WARNING_DAYS = 15
# The side navigation's pages and the IAM action each one needs first.
MENU_ACTIONS = {"users": "iam:ListUsers", "groups": "iam:ListGroups", "roles": "iam:ListRoles",
                "policies": "iam:ListPolicies", "services": "iam:ListServiceDefinitions",
                "simulator": "iam:SimulateCustomPolicy",
                "identity_providers": "iam:ListOpenIDConnectProviders", "password_policy": "iam:GetAccountPasswordPolicy",
                "policy_ceilings": "iam:ListPolicyCeilings",
                "mfa": "iam:ListVirtualMFADevices", "audit": "cloudtrail:LookupEvents",
                "credential_report": "iam:GetCredentialReport",
                "organization": "organizations:DescribeOrganization",
                "identity_store": "identitystore:ListUsers"}


class ConsoleView(View):
    """Every signed-in console page. Handlers reach IAM only through services, which authorize."""

    # The change-password page itself must stay reachable while a change is required.
    allowed_while_change_required = False
    # Enrolment pages (and the password change) stay reachable while the MFA requirement awaits a device.
    allowed_while_enrolment_required = False
    # Pages about the signed-in IAM user's own credentials or switching from it: none for a federated sign-in.
    needs_iam_user = False

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The session rules ran in ConsoleSessionMiddleware (a timed-out session is already signed out) and
        # the authorization chokepoint enforces them; the redirects below only show the way out.
        session = console_sessions.resolve(request)
        if session is None:
            return redirect_to_login(request.get_full_path())
        self.policy = session.policy
        self.change_reason = session.change_reason
        if self.change_reason and not self.allowed_while_change_required:
            return redirect("console:change-password")
        # Under the account's MFA requirement, a user without a device enrols before anything else.
        federated = is_federated(request.user)
        self.enrolment_required = session.enrolment_required
        if self.enrolment_required and not self.allowed_while_enrolment_required:
            return redirect("console:mfa-enrol")
        # After Switch role, every page is authorized with the role session's permissions, not the user's.
        self.role_principal = role_sessions.active_principal(request)
        if federated:
            # A sign-in through a company IdP lives exactly as long as its role session, and has no IAM user.
            if self.role_principal is None:
                logout(request)
                request.session["sign_in_notice"] = "Your federated session has ended. Please sign in again."
                return redirect_to_login(request.get_full_path())
            if self.needs_iam_user:
                return self.render("console/error.html", {"title": "Not available", "error": AccessDenied(
                    "This page is for IAM users: you are signed in through your identity provider.")}, status=403)
        try:
            return super().dispatch(request, *args, **kwargs)
        except AccessDenied as error:
            return self.render("console/error.html", {"title": "Access denied", "error": error}, status=403)
        except NoSuchEntity as error:
            return self.render("console/error.html", {"title": "Not found", "error": error}, status=404)
        except IAMError as error:
            # Whatever a page did not handle itself (hostile input in a link, say) is still IAM's answer.
            return throttled_response(self.render("console/error.html", {"title": "Request refused", "error": error},
                                                  status=error.http_status), error)

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
        account = self.account
        return {"account_id": account.pk if account else "", "account": account, "identity": user,
                "password_expiry_warning": warning,
                "nav": getattr(self, "nav", ""), "menu": self.menu(),
                **role_sessions.template_context(self.request, getattr(self, "role_principal", None))}

    @property
    def account(self) -> Account | None:
        """The account the console acts in: the signed-in user's, or after Switch role, the role's."""
        if not hasattr(self, "_account"):
            self._account = account_by_id(self.caller.account_id)
        return self._account

    def menu(self) -> dict[str, bool]:
        """Which pages of the side navigation the caller may open; the others are not offered.

        Only hides links: each page still authorizes what it reads.
        """
        if not hasattr(self, "_menu"):
            allowed = caller_may_each(self.caller, [(action, "*") for action in MENU_ACTIONS.values()])
            self._menu = dict(zip(MENU_ACTIONS, allowed, strict=True))
        return self._menu

    def may_create(self, action: str, resource_type: str) -> bool:
        """Whether to offer a "Create …" button: the caller may create some entity of this type at any path.

        Only hides a control; the create service still authorizes the exact ARN when the form is sent.
        """
        return caller_may(self.caller, action, iam_arn(self.caller.account_id, f"{resource_type}/*"))

    def render(self, template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
        return render(self.request, template, {**self.base_context(), **(context or {})}, status=status)


def throttled_response(response: HttpResponse, error: IAMError) -> HttpResponse:
    """A page answering a throttled attempt: 429 with Retry-After, as the API answers it."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response


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
        form.add_error(target, plain_message(error, target))
    else:
        form.add_error(None, plain_message(error))


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
