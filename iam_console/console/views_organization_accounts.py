"""The organization's accounts: an account's page (status, e-mail, alias, path, the guardrails in force and where
each comes from), creating one and following its create-account status, closing one, removing one from the
organization, and giving a member account's root user a password (shown once)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import CreateAccountRequest
from directory.services import accounts as directory_accounts
from iam_console.console import handoff
from iam_console.console.mixins import apply_error
from iam_console.console.organization_forms import CreateAccountForm
from iam_console.console.plain_errors import plain_message
from iam_console.console.views_organization import OrganizationConsoleView
from iam_console.errors import AccessDenied, IAMError
from organizations.errors import AccessDeniedException
from organizations.services import members, tree

# How often the create-account status page asks again while the request is in progress.
POLL_SECONDS = 2


class AccountDetailView(OrganizationConsoleView):
    def get(self, request: HttpRequest, account: str) -> HttpResponse:
        standing = tree.account_standing(caller=self.caller, account_id=account)
        shown = handoff.take(request, f"root-password:{account}")
        response = self.render("console/organization/account.html", {
            "standing": standing, "member": standing.account, "root_password": shown,
            "path": standing.levels[:-1]})
        return handoff.no_store(response) if shown else response


class AccountCreateView(OrganizationConsoleView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/organization/create_account.html", {"form": CreateAccountForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CreateAccountForm(request.POST)
        if form.is_valid():
            try:
                status = members.create_account(caller=self.caller, account_name=form.cleaned_data["account_name"],
                                                email=form.cleaned_data["email"],
                                                role_name=form.cleaned_data["role_name"] or None)
            except AccessDenied:
                raise
            except AccessDeniedException:
                raise
            except IAMError as error:
                apply_error(form, error, {"roleName": "role_name", "AccountName": "account_name",
                                          "Email": "email"})
            else:
                return redirect("console:organization-create-status", request_id=status.request.id)
        return self.render("console/organization/create_account.html", {"form": form}, status=400)


class CreateStatusView(OrganizationConsoleView):
    """The create-account status; while IN_PROGRESS the page asks again (htmx) until SUCCEEDED or FAILED."""

    def get(self, request: HttpRequest, request_id: str) -> HttpResponse:
        status = members.describe_create_account_status(caller=self.caller, create_account_request_id=request_id)
        context = {"status": status.request, "in_progress": status.request.state ==
                   CreateAccountRequest.State.IN_PROGRESS, "poll_seconds": POLL_SECONDS}
        if request.headers.get("HX-Request"):
            return self.render("console/organization/_create_status.html", context)
        return self.render("console/organization/create_status.html", context)


class AccountCloseView(OrganizationConsoleView):
    def get(self, request: HttpRequest, account: str) -> HttpResponse:
        standing = tree.account_standing(caller=self.caller, account_id=account)
        return self.render("console/organization/confirm_account.html", {
            "title": f"Close account {standing.account.name}", "member": standing.account,
            "message": "The account is closed at once: its users, roles and keys sign nothing from then on, and it "
                       "cannot be reopened from here.", "button": "Close account"})

    def post(self, request: HttpRequest, account: str) -> HttpResponse:
        try:
            members.close_account(caller=self.caller, account_id=account)
        except (AccessDenied, AccessDeniedException):
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            messages.success(request, f"Account {account} is closing (PENDING_CLOSURE).")
        return redirect("console:organization-account", account=account)


class AccountRemoveView(OrganizationConsoleView):
    def get(self, request: HttpRequest, account: str) -> HttpResponse:
        standing = tree.account_standing(caller=self.caller, account_id=account)
        return self.render("console/organization/confirm_account.html", {
            "title": f"Remove account {standing.account.name} from the organization", "member": standing.account,
            "message": "The account becomes a standalone account: the organization's SCPs and RCPs no longer apply "
                       "to it, and its policies attached here are detached.", "button": "Remove account"})

    def post(self, request: HttpRequest, account: str) -> HttpResponse:
        try:
            members.remove_account_from_organization(caller=self.caller, account_id=account)
        except (AccessDenied, AccessDeniedException):
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
            return redirect("console:organization-account", account=account)
        messages.success(request, f"Account {account} removed from the organization.")
        return redirect("console:organization")


class RootPasswordView(OrganizationConsoleView):
    """The management account gives a member account's root user a password: audited, shown once."""

    def post(self, request: HttpRequest, account: str) -> HttpResponse:
        tree.account_standing(caller=self.caller, account_id=account)
        try:
            given = directory_accounts.create_member_root_password(caller=self.caller, account_id=account)
        except (AccessDenied, AccessDeniedException):
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            handoff.give(request, f"root-password:{account}", {"user_name": given.user_name,
                                                               "password": given.password})
        return redirect("console:organization-account", account=account)
