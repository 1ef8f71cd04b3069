"""The service catalogue in the console: registered services, registering one, its actions by access level."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from iam_console.console.forms import ConsoleForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.errors import AccessDenied, IAMError
from policies.authorization import caller_may
from policies.language.actions import ACCESS_LEVELS
from policies.services import catalogue

EXAMPLE = json.dumps({
    "actions": [{"name": "GetDocument", "access_level": "Read", "resource_types": ["document"]}],
    "resource_types": [{"name": "document", "arn_format": "arn:${Partition}:docs:::document/${Owner}/${Name}"}],
    "condition_keys": [{"name": "docs:Classification", "type": "String"}]}, indent=2)
# Which form field a service error is about, by a word its message contains.
FIELDS = {"service_prefix": "service_prefix", "name must": "name", "description": "description",
          "actions": "definition", "resource_types": "definition", "resource type": "definition",
          "condition_keys": "definition", "action ": "definition"}


class ServiceForm(ConsoleForm):
    service_prefix = forms.CharField(label="Service prefix", max_length=64,
                                     help_text="What actions start with, e.g. docs for docs:GetDocument: lower-case "
                                     "letters, digits and hyphens. Registering a prefix again replaces it.")
    name = forms.CharField(label="Name", max_length=128)
    description = forms.CharField(label="Description", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    definition = forms.CharField(
        label="Actions, resource types and condition keys (JSON)", initial=EXAMPLE,
        widget=forms.Textarea(attrs={"rows": 16, "class": "code", "spellcheck": "false"}),
        help_text="As AWS's Service Authorization Reference lists a service. Access levels: "
        + ", ".join(ACCESS_LEVELS) + ".")

    def clean_definition(self) -> dict:
        try:
            body = json.loads(self.cleaned_data["definition"])
        except ValueError as error:
            raise forms.ValidationError(f"This is not valid JSON: {error}.") from None
        if not isinstance(body, dict):
            raise forms.ValidationError("Give an object with actions, resource_types and condition_keys.")
        return body


class ServiceListView(ConsoleView):
    nav = "services"

    def get(self, request: HttpRequest) -> HttpResponse:
        services = catalogue.list_service_definitions(caller=self.caller)
        return self.render("console/services/list.html", {
            "services": services, "may_register": caller_may(self.caller, "iam:PutServiceDefinition",
                                                             catalogue.service_arn(self.caller.account_id, "*"))})


class ServiceRegisterView(ConsoleView):
    nav = "services"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/services/register.html", {"form": ServiceForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceForm(request.POST)
        if form.is_valid():
            body = form.cleaned_data["definition"]
            try:
                result = catalogue.put_service_definition(
                    caller=self.caller, service_prefix=form.cleaned_data["service_prefix"],
                    name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                    actions=body.get("actions"), resource_types=body.get("resource_types"),
                    condition_keys=body.get("condition_keys"))
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, FIELDS)
            else:
                verb = "registered" if result.created else "updated"
                messages.success(request, f"Service {result.service.service_prefix} {verb}.")
                return redirect("console:service-detail", service_prefix=result.service.service_prefix)
        return self.render("console/services/register.html", {"form": form}, status=400)


class ServiceDetailView(ConsoleView):
    nav = "services"

    def get(self, request: HttpRequest, service_prefix: str) -> HttpResponse:
        service = catalogue.get_service_definition(caller=self.caller, service_prefix=service_prefix)
        actions = service.definition.get("actions", [])
        by_level = [(level, [a for a in actions if a["access_level"] == level]) for level in ACCESS_LEVELS]
        return self.render("console/services/detail.html", {
            "service": service, "levels": [(level, items) for level, items in by_level if items],
            "resource_types": service.definition.get("resource_types", []),
            "condition_keys": service.definition.get("condition_keys", []),
            "definition": json.dumps({key: service.definition.get(key, []) for key in
                                      ("actions", "resource_types", "condition_keys")}, indent=2),
            "may_delete": caller_may(self.caller, "iam:DeleteServiceDefinition", service.arn)})


class ServiceDeleteView(ConsoleView):
    nav = "services"

    def post(self, request: HttpRequest, service_prefix: str) -> HttpResponse:
        try:
            catalogue.delete_service_definition(caller=self.caller, service_prefix=service_prefix)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, error.message)
            return redirect("console:service-detail", service_prefix=service_prefix)
        messages.success(request, f"Service {service_prefix} removed from the catalogue.")
        return redirect("console:services")
