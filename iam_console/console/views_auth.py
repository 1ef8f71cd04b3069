"""Signing in and out, and the password change a user must make before anything else."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts.selectors import account_by_id_or_alias, management_account
from directory.mfa.devices import has_enabled_device
from directory.services.login_profiles import change_password
from directory.services.sign_in import SignInFailed, sign_in
from iam_console.console.forms import ChangePasswordForm, SignInForm
from iam_console.console.mixins import (
    ConsoleView,
    apply_error,
    password_expires_at,
    password_rules,
    start_session,
    throttled_response,
)
from iam_console.console.views_mfa import begin_second_factor, remember_device, sign_in_attempt
from iam_console.errors import IAMError
from sts.federation.console import sign_in_providers

PASSWORD_FIELDS = {"PasswordPolicyViolation": "new_password", "old password": "old_password"}


# The account a browser last signed in to, as typed (an id or an alias): the sign-in form starts from it.
ACCOUNT_COOKIE = "iam_sign_in_account"
ACCOUNT_COOKIE_DAYS = 365
_ACCOUNT_TEXT = re.compile(r"[0-9a-z-]{1,63}")


def remembered_account(request: HttpRequest) -> str:
    text = request.COOKIES.get(ACCOUNT_COOKIE, "")
    return text if _ACCOUNT_TEXT.fullmatch(text) else ""


def remember_account(response: HttpResponse, account: str) -> HttpResponse:
    account = account.strip().lower()
    if _ACCOUNT_TEXT.fullmatch(account):
        response.set_cookie(ACCOUNT_COOKIE, account, max_age=ACCOUNT_COOKIE_DAYS * 86400,
                            secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


@method_decorator([csrf_protect, never_cache], name="dispatch")
class SignInView(View):
    """Sign in with an account (id or alias), a user name and a password, as AWS's console asks for them.

    `/sign-in/<alias-or-id>/` is an account's own sign-in link: the account is filled in. Otherwise the account
    the browser last signed in to is. An account that does not exist answers as a wrong password does."""

    def get(self, request: HttpRequest, account: str = "") -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("console:dashboard")
        return self._page(SignInForm(initial={"account": account or remembered_account(request)}))

    def post(self, request: HttpRequest, account: str = "") -> HttpResponse:
        form = SignInForm(request.POST)
        if not form.is_valid():
            return self._page(form, status=400)
        attempt = sign_in_attempt(request)
        typed_account = form.cleaned_data["account"]
        try:
            user = sign_in(attempt=attempt, account=typed_account, user_name=form.cleaned_data["user_name"],
                           password=form.cleaned_data["password"])
        except SignInFailed as failure:
            response = self._page(SignInForm(initial={"account": typed_account,
                                                      "user_name": form.cleaned_data["user_name"]}),
                                  error=failure.message, locked_until=failure.locked_until,
                                  status=429 if failure.retry_after else 401)
            if failure.retry_after:
                response["Retry-After"] = str(failure.retry_after)
            return response
        target = request.POST.get("next") or request.GET.get("next") or ""
        if has_enabled_device(user):
            return remember_account(begin_second_factor(request, user, target), typed_account)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])  # rotates the session key
        start_session(request)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse("console:dashboard")
        return remember_account(remember_device(request, redirect(target), user), typed_account)

    def _page(self, form: SignInForm, *, error: str = "", locked_until=None, status: int = 200) -> HttpResponse:
        notice = self.request.session.pop("sign_in_notice", "")
        account_text = form.data.get("account") if form.is_bound else form.initial.get("account")
        return render(self.request, "console/sign_in.html", {
            "form": form, "error": error, "locked_until": locked_until, "notice": notice,
            "next": self.request.GET.get("next", ""), "form_action": self.request.path,
            "federated_options": _federated_options(str(account_text or "")),
        }, status=status)


def _federated_options(account_text: str) -> list:
    """The company IdPs of the account being signed in to (the management account's while none is named).
    Without the database the page still renders (without them), so the browser keeps a form token and its next
    attempt meets the outage page, not an expired form."""
    try:
        account = account_by_id_or_alias(account_text) if account_text else management_account()
        return sign_in_providers(account.pk) if account is not None and account.is_active else []
    except DatabaseError:
        return []


class SignOutView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        request.session["sign_in_notice"] = "You have signed out."
        return redirect("console:sign-in")


class ChangePasswordView(ConsoleView):
    """Where a user whose password must change is sent; also reachable on its own."""

    needs_iam_user = True
    allowed_while_change_required = True
    allowed_while_enrolment_required = True

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(ChangePasswordForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ChangePasswordForm(request.POST)
        if form.is_valid() and not self._hard_expired():
            try:
                user = change_password(caller=self.caller, old_password=form.cleaned_data["old_password"],
                                       new_password=form.cleaned_data["new_password"])
            except IAMError as error:
                apply_error(form, error, PASSWORD_FIELDS)
                return throttled_response(self._page(form, status=400), error)
            update_session_auth_hash(request, user)  # keep this session; other sessions end
            messages.success(request, "Your password has been changed.")
            return redirect("console:dashboard")
        return self._page(form, status=400)

    def _hard_expired(self) -> bool:
        return self.change_reason == "expired" and self.policy.hard_expiry

    def _page(self, form: ChangePasswordForm, status: int = 200) -> HttpResponse:
        return self.render("console/change_password.html", {
            "form": form, "reason": self.change_reason, "hard_expired": self._hard_expired(),
            "rules": password_rules(self.policy), "policy": self.policy,
            "expires": password_expires_at(self.request.user, self.policy), "now": timezone.now(),
        }, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A console form with a missing or stale CSRF token: say what happened and that nothing changed."""
    return render(request, "console/csrf_failure.html", status=403)
