"""The account's policy ceilings: per path prefix, the managed policy every policy written there must stay within."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from iam_console.console.forms import ConsoleForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.errors import AccessDenied, IAMError
from iam_console.validation import PATH_MAX
from policies.services import ceilings


class PolicyCeilingForm(ConsoleForm):
    path_prefix = forms.CharField(label="Path prefix", max_length=PATH_MAX, initial="/",
                                  help_text="Managed policies under this path, and inline policies of users, groups "
                                            "and roles under it, are held to the ceiling.")
    policy_arn = forms.CharField(label="Ceiling policy ARN", max_length=2048,
                                 help_text="A managed policy: its default version is the most any policy written "
                                           "under the path may grant.")


class PolicyCeilingsView(ConsoleView):
    nav = "policy_ceilings"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(PolicyCeilingForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyCeilingForm(request.POST)
        if form.is_valid():
            try:
                ceiling = ceilings.put_policy_ceiling(caller=self.caller, **form.cleaned_data)
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {"path_prefix": "path_prefix", "ARN": "policy_arn", "Policy": "policy_arn"})
            else:
                messages.success(request, f"Policies written under {ceiling.path_prefix} are now held to "
                                          f"{ceiling.policy.arn}.")
                return redirect("console:policy-ceilings")
        return self._page(form, status=400)

    def _page(self, form: PolicyCeilingForm, status: int = 200) -> HttpResponse:
        return self.render("console/policy_ceilings.html", {
            "form": form, "ceilings": ceilings.list_policy_ceilings(caller=self.caller)}, status=status)


class PolicyCeilingDeleteView(ConsoleView):
    nav = "policy_ceilings"

    def post(self, request: HttpRequest) -> HttpResponse:
        path_prefix = request.POST.get("path_prefix", "")
        ceilings.delete_policy_ceiling(caller=self.caller, path_prefix=path_prefix)
        messages.success(request, f"The ceiling for {path_prefix} has been removed.")
        return redirect("console:policy-ceilings")
