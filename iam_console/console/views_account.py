"""The dashboard and the account password policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from audit.console_queries import lookup_events
from directory.passwords import SYMBOLS
from directory.services.dashboard import OLD_KEY_DAYS, get_account_summary
from directory.services.password_policy import (
    delete_account_password_policy,
    get_account_password_policy,
    update_account_password_policy,
)
from iam_console.console.forms import PasswordPolicyForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.errors import AccessDenied, IAMError, NoSuchEntity

RECENT_EVENTS = 10


class DashboardView(ConsoleView):
    nav = "dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        # A user who may not read the account summary still gets a home page: their own identity and links.
        try:
            summary = get_account_summary(caller=self.caller)
        except AccessDenied:
            summary = None
        try:
            events = lookup_events(caller=self.caller, max_items=RECENT_EVENTS).items
        except AccessDenied:
            events = None
        return self.render("console/dashboard.html", {"summary": summary, "events": events,
                                                      "old_key_days": OLD_KEY_DAYS})


class PasswordPolicyView(ConsoleView):
    nav = "policy"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            policy = get_account_password_policy(caller=self.caller)
        except NoSuchEntity:
            policy = None
        initial = {}
        if policy is not None:
            initial = {name: getattr(policy, name) for name in PasswordPolicyForm.base_fields if hasattr(policy, name)}
            initial["expire_passwords"] = policy.max_password_age is not None
            initial["prevent_reuse"] = policy.password_reuse_prevention is not None
        return self._page(PasswordPolicyForm(initial=initial), has_policy=policy is not None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasswordPolicyForm(request.POST)
        if form.is_valid():
            try:
                update_account_password_policy(caller=self.caller, **form.service_arguments())
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {name: name for name in PasswordPolicyForm.base_fields})
            else:
                messages.success(request, "The password policy has been saved. It applies to passwords set from now "
                                          "on; expiry applies to every password.")
                return redirect("console:password-policy")
        return self._page(form, has_policy=True, status=400)

    def _page(self, form: PasswordPolicyForm, *, has_policy: bool, status: int = 200) -> HttpResponse:
        return self.render("console/password_policy.html", {"form": form, "has_policy": has_policy,
                                                            "symbols": SYMBOLS}, status=status)


class PasswordPolicyDeleteView(ConsoleView):
    nav = "policy"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/confirm.html", {
            "title": "Delete the password policy",
            "message": "Passwords set from now on need only meet the default rules: at least 8 characters, "
                       "with three of uppercase letters, lowercase letters, numbers and symbols. Expiry and reuse "
                       "prevention stop.",
            "button": "Delete policy", "cancel_url": "console:password-policy",
        })

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            delete_account_password_policy(caller=self.caller)
        except NoSuchEntity:
            messages.info(request, "There is no password policy: the default rules already apply.")
        else:
            messages.success(request, "The password policy has been deleted: the default rules apply.")
        return redirect("console:password-policy")
