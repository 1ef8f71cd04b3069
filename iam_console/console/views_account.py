"""The dashboard and the account password policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse

from analyzers.services.analyzers import list_analyzers
from audit.console_queries import lookup_events
from directory.passwords import SYMBOLS
from directory.services.dashboard import OLD_KEY_DAYS, get_account_summary
from directory.services.password_policy import (
    delete_account_password_policy,
    read_account_password_policy,
    update_account_password_policy,
)
from evidence.unused import unused_access_summary
from iam_console.console.forms import CUSTOM_POLICY_START, PasswordPolicyForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.errors import AccessDenied, IAMError, NoSuchEntity
from policies.authorization import caller_may

RECENT_EVENTS = 10


def account_sign_in_path(account) -> str:
    """The account's own sign-in link: by alias, or by id when the alias is also a fixed sign-in path (mfa)."""
    name = account.sign_in_name
    path = reverse("console:account-sign-in", args=[name])
    return path if resolve(path).url_name == "account-sign-in" else reverse("console:account-sign-in",
                                                                            args=[account.pk])


class DashboardView(ConsoleView):
    nav = "dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        # A user who may not read the account summary still gets a home page: their own identity and links.
        try:
            summary = get_account_summary(caller=self.caller)
            unused = unused_access_summary(caller=self.caller)
        except AccessDenied:
            summary = unused = None
        findings_url = self._unused_findings_url() if unused is not None else None
        try:
            events = lookup_events(caller=self.caller, max_items=RECENT_EVENTS).items
        except AccessDenied:
            events = None
        account = self.account
        sign_in_url = request.build_absolute_uri(account_sign_in_path(account)) if account else ""
        return self.render("console/dashboard.html", {"summary": summary, "unused": unused, "events": events,
                                                      "unused_findings_url": findings_url,
                                                      "old_key_days": OLD_KEY_DAYS, "sign_in_url": sign_in_url})

    def _unused_findings_url(self) -> str | None:
        """The findings of the account's unused-access analyzer, where it has one and the caller may list them."""
        if not caller_may(self.caller, "access-analyzer:ListAnalyzers", "*"):
            return None
        found, _ = list_analyzers(caller=self.caller, type="ACCOUNT_UNUSED_ACCESS", max_results=1)
        return reverse("console:analyzer-findings", args=[found[0].name]) if found else None


POLICY_SETTINGS = [name for name in CUSTOM_POLICY_START if name not in ("max_password_age",
                                                                      "password_reuse_prevention")] + [
    "allow_users_to_change_password", "max_password_age", "hard_expiry", "password_reuse_prevention"]


def _policy_values(policy) -> dict:
    """The service arguments that describe `policy` (a saved policy), comparable with the form's."""
    return {name: getattr(policy, name) for name in POLICY_SETTINGS}


def _setting_words(name: str, value) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def policy_changes(current: dict | None, new: dict | None) -> list[str]:
    """What saving `new` (None: the default rules) over `current` (None: none set) changes, in words."""
    if current is None and new is None:
        return []
    if new is None:
        return ["Delete the password policy: the default rules apply again (at least 8 characters, three of four "
                "kinds of character, not the user name; no expiry, no reuse rule)."]
    labels = {name: field.label for name, field in PasswordPolicyForm.base_fields.items()}
    labels["max_password_age"] = "Expire passwords after (days)"
    labels["password_reuse_prevention"] = "Remember previous passwords"
    changes = [] if current is not None else ["Replace the default rules with this custom policy."]
    before = current or {}
    for name in POLICY_SETTINGS:
        old = before.get(name, None if current is None else False)
        if current is None or old != new[name]:
            if current is None and not new[name]:
                continue
            changes.append(f"{labels[name]}: {_setting_words(name, old) if current is not None else 'default'} "
                           f"→ {_setting_words(name, new[name])}")
    return changes


class PasswordPolicyView(ConsoleView):
    """The account password policy. The form starts from the rules in force and says what Save changes."""

    nav = "policy"

    def get(self, request: HttpRequest) -> HttpResponse:
        policy = read_account_password_policy(caller=self.caller)
        return self._page(PasswordPolicyForm(initial=self._initial(policy)), policy=policy)

    def post(self, request: HttpRequest) -> HttpResponse:
        policy = read_account_password_policy(caller=self.caller)
        form = PasswordPolicyForm(request.POST, initial=self._initial(policy))
        if not form.is_valid():
            return self._page(form, policy=policy, status=400)
        current = _policy_values(policy) if policy is not None else None
        wanted = form.service_arguments() if form.cleaned_data["mode"] == "custom" else None
        if not policy_changes(current, wanted):
            messages.info(request, "Nothing changed: the rules in force are the ones shown.")
            return redirect("console:password-policy")
        try:
            if wanted is None:
                delete_account_password_policy(caller=self.caller)
            else:
                update_account_password_policy(caller=self.caller, **wanted)
        except AccessDenied:
            raise
        except IAMError as error:
            apply_error(form, error, {name: name for name in PasswordPolicyForm.base_fields})
            return self._page(form, policy=policy, status=400)
        if wanted is None:
            messages.success(request, "The password policy has been deleted: the default rules apply.")
        else:
            messages.success(request, "The password policy has been saved. It applies to passwords set from now "
                                      "on; expiry applies to every password.")
        return redirect("console:password-policy")

    @staticmethod
    def _initial(policy) -> dict:
        if policy is None:
            return {**CUSTOM_POLICY_START, "mode": "default", "expire_passwords": False, "prevent_reuse": False}
        initial = {"mode": "custom", **_policy_values(policy)}
        initial["expire_passwords"] = policy.max_password_age is not None
        initial["prevent_reuse"] = policy.password_reuse_prevention is not None
        initial["max_password_age"] = policy.max_password_age or CUSTOM_POLICY_START["max_password_age"]
        initial["password_reuse_prevention"] = (policy.password_reuse_prevention
                                                or CUSTOM_POLICY_START["password_reuse_prevention"])
        return initial

    def _page(self, form: PasswordPolicyForm, *, policy, status: int = 200) -> HttpResponse:
        return self.render("console/password_policy.html", {
            "form": form, "has_policy": policy is not None, "symbols": SYMBOLS,
            "in_force": {"values": _policy_values(policy) if policy is not None else None},
            "rules_in_force": self.policy.describe(), "policy_expiry": self.policy.max_password_age,
            "policy_reuse": self.policy.password_reuse_prevention}, status=status)


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
