"""The organization page: enable the organization, its tree with the guardrails at each node, OUs (create, rename,
delete), moving accounts and the policy types of the root. Every change goes through organizations.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.organization_forms import (
    POLICY_TYPES,
    CreateUnitForm,
    MoveAccountForm,
    PolicyTypeForm,
    RenameUnitForm,
)
from iam_console.console.plain_errors import plain_message
from iam_console.errors import AccessDenied, IAMError
from organizations.errors import AccessDeniedException, AWSOrganizationsNotInUseException
from organizations.services import members, membership, organization, tree, units

POLICY_TYPE_NAMES = dict(POLICY_TYPES)


class _OrganizationsRefusals(View):
    """Organizations' own refusal of a caller that is not the management account is, in the console, the
    AccessDenied page every other refusal shows (403); ConsoleView renders it."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except AccessDeniedException as error:
            raise AccessDenied(error.message) from error


class OrganizationConsoleView(ConsoleView, _OrganizationsRefusals):
    nav = "organization"


class OrganizationView(OrganizationConsoleView):
    def get(self, request: HttpRequest) -> HttpResponse:
        is_management = bool(self.account and self.account.is_management)
        try:
            if not is_management:  # a member account sees its own place only (the service decides what that is)
                return self.render("console/organization/membership.html",
                                   {"membership": membership.describe_membership(caller=self.caller)})
            found = tree.organization_tree(caller=self.caller)
        except AWSOrganizationsNotInUseException:
            return self.render("console/organization/none.html", {"is_management": is_management})
        return tree_page(self, found)

    def post(self, request: HttpRequest) -> HttpResponse:
        """Enable the organization (the management account only: the service decides)."""
        try:
            organization.create_organization(caller=self.caller)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            messages.success(request, "The organization is enabled: every account of the directory is under its "
                                      "root. Enable service control policies to set guardrails.")
        return redirect("console:organization")



def tree_page(view: ConsoleView, found, *, unit_form=None, move_form=None, status: int = 200) -> HttpResponse:
    """The tree with its forms; a form sent back with errors shows them beside its fields."""
    enabled = found.organization.enabled_policy_types
    return view.render("console/organization/tree.html", {
        "tree": found, "organization": found.organization,
        "unit_form": unit_form or CreateUnitForm(tree=found, prefix="unit"),
        "move_form": move_form or MoveAccountForm(tree=found, prefix="move"),
        "policy_types": [{"code": code, "name": name, "enabled": code in enabled}
                         for code, name in POLICY_TYPES]}, status=status)


class UnitCreateView(OrganizationConsoleView):
    def post(self, request: HttpRequest) -> HttpResponse:
        found = tree.organization_tree(caller=self.caller)
        form = CreateUnitForm(request.POST, tree=found, prefix="unit")
        if form.is_valid():
            try:
                created = units.create_organizational_unit(caller=self.caller, name=form.cleaned_data["name"],
                                                           parent_id=form.cleaned_data["parent_id"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {"DuplicateOrganizationalUnitException": "name",
                                          "ConstraintViolationException": "parent_id"})
            else:
                messages.success(request, f"OU {created.unit.name} created ({created.unit.id}).")
                return redirect("console:organization")
        return tree_page(self, found, unit_form=form, status=400)


class AccountMoveView(OrganizationConsoleView):
    def post(self, request: HttpRequest) -> HttpResponse:
        found = tree.organization_tree(caller=self.caller)
        form = MoveAccountForm(request.POST, tree=found, prefix="move")
        if form.is_valid():
            account_id = form.cleaned_data["account_id"]
            source = next(node for node in found.accounts if node.id == account_id).account.parent_unit_id
            try:
                members.move_account(caller=self.caller, account_id=account_id,
                                     source_parent_id=source or found.root.id,
                                     destination_parent_id=form.cleaned_data["destination_id"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {"DuplicateAccountException": "destination_id",
                                          "DestinationParentNotFoundException": "destination_id"})
            else:
                messages.success(request, f"Account {account_id} moved.")
                return redirect("console:organization")
        return tree_page(self, found, move_form=form, status=400)


class PolicyTypeView(OrganizationConsoleView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyTypeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a policy type to enable or disable.")
            return redirect("console:organization")
        kind, enable = form.cleaned_data["policy_type"], form.cleaned_data["action"] == "enable"
        found = tree.organization_tree(caller=self.caller)
        change = organization.enable_policy_type if enable else organization.disable_policy_type
        try:
            change(caller=self.caller, root_id=found.root.id, policy_type=kind)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            messages.success(request, f"{POLICY_TYPE_NAMES[kind]} {'enabled' if enable else 'disabled'}"
                             + (": the full-access policy is attached to every node." if enable else
                                ": every policy of the type is detached."))
        return redirect("console:organization")


class UnitRenameView(OrganizationConsoleView):
    def get(self, request: HttpRequest, unit_id: str) -> HttpResponse:
        unit = units.describe_organizational_unit(caller=self.caller, organizational_unit_id=unit_id).unit
        return self._page(unit, RenameUnitForm(initial={"name": unit.name}))

    def post(self, request: HttpRequest, unit_id: str) -> HttpResponse:
        unit = units.describe_organizational_unit(caller=self.caller, organizational_unit_id=unit_id).unit
        form = RenameUnitForm(request.POST)
        if form.is_valid():
            try:
                units.update_organizational_unit(caller=self.caller, organizational_unit_id=unit_id,
                                                 name=form.cleaned_data["name"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {"DuplicateOrganizationalUnitException": "name"})
            else:
                messages.success(request, f"OU {unit_id} renamed {form.cleaned_data['name']}.")
                return redirect("console:organization")
        return self._page(unit, form, status=400)

    def _page(self, unit, form, status: int = 200) -> HttpResponse:
        return self.render("console/organization/rename_unit.html", {"unit": unit, "form": form,
                                                                     "cancel": reverse("console:organization")},
                           status=status)


class UnitDeleteView(OrganizationConsoleView):
    def get(self, request: HttpRequest, unit_id: str) -> HttpResponse:
        unit = units.describe_organizational_unit(caller=self.caller, organizational_unit_id=unit_id).unit
        return self.render("console/confirm.html", {
            "title": f"Delete OU {unit.name}",
            "message": "Only an empty OU can be deleted: move its accounts and delete its OUs first. The policies "
                       "attached to it are detached.",
            "button": "Delete OU", "cancel_url": "console:organization"})

    def post(self, request: HttpRequest, unit_id: str) -> HttpResponse:
        try:
            units.delete_organizational_unit(caller=self.caller, organizational_unit_id=unit_id)
        except AccessDenied:
            raise
        except AccessDeniedException:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            messages.success(request, f"OU {unit_id} deleted.")
        return redirect("console:organization")
