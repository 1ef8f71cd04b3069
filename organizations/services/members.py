"""The organization's accounts: CreateAccount and its status, DescribeAccount, ListAccounts(ForParent),
MoveAccount, CloseAccount and RemoveAccountFromOrganization."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.errors import EmailAlreadyExists
from accounts.models import (
    Account,
    CreateAccountRequest,
    DelegatedAdministrator,
    Organization,
    OrganizationTag,
    PolicyAttachment,
)
from directory.services import accounts as directory_accounts
from iam_console.callers import Caller
from iam_console.errors import IAMError
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import (
    AccountAlreadyClosedException,
    AccountNotFoundException,
    CreateAccountStatusNotFoundException,
    DestinationParentNotFoundException,
    DuplicateAccountException,
    MasterCannotLeaveOrganizationException,
    SourceParentNotFoundException,
    constraint_violation,
    invalid_input,
)
from organizations.paging import page
from organizations.services.nodes import parent_unit
from organizations.services.tags import tag_rows


@dataclass(frozen=True)
class Member:
    organization: Organization
    account: Account

    def audit_elements(self) -> dict:
        return {"accountId": self.account.pk}


@dataclass(frozen=True)
class CreateStatus:
    request: CreateAccountRequest

    def audit_elements(self) -> dict:
        return {"createAccountRequestId": self.request.pk, "state": self.request.state,
                "accountId": self.request.account_id}


def member_account(organization: Organization, account_id: str, *, lock: bool = False) -> Account:
    accounts = Account.objects.filter(organization=organization, pk=account_id)
    account = (accounts.select_for_update() if lock else accounts).first()
    if account is None:
        raise AccountNotFoundException()
    return account


@iam_operation("CreateAccount", event_source=EVENT_SOURCE)
def create_account(*, caller: Caller, email: str, account_name: str, role_name: str | None = None,
                   tags: list[dict] | None = None) -> CreateStatus:
    """A member account under the root, with OrganizationAccountAccessRole (or `role_name`) trusting the
    management account. Its request is answered with its CreateAccountStatus: the account is made within the
    request, so the status is final (SUCCEEDED, or FAILED with AWS's FailureReason) when it is returned."""
    organization = organization_for(caller, "CreateAccount", lock=True)
    rows = tag_rows("", tags or [])
    request = CreateAccountRequest.objects.create(id=identifiers.new_create_account_request_id(),
                                                  organization=organization, account_name=account_name[:50])
    try:
        with transaction.atomic():
            created = directory_accounts.make_member_account(
                management_account_id=organization.management_account_id, account_name=account_name, email=email,
                role_name=role_name or directory_accounts.ACCESS_ROLE_NAME)
            account = created.account
            for row in rows:
                row.resource_id = account.pk
            OrganizationTag.objects.bulk_create(rows)
    except EmailAlreadyExists:
        return CreateStatus(_finish(request, failure="EMAIL_ALREADY_EXISTS"))
    except IAMError as error:
        if error.code in ("ValidationError", "InvalidInput"):
            return CreateStatus(_finish(request, failure="INVALID_EMAIL" if "mail" in error.message.lower()
                                        else "INVALID_INPUT"))
        raise
    return CreateStatus(_finish(request, account_id=account.pk))


def _finish(request: CreateAccountRequest, *, account_id: str = "", failure: str = "") -> CreateAccountRequest:
    request.state = CreateAccountRequest.State.FAILED if failure else CreateAccountRequest.State.SUCCEEDED
    request.account_id = account_id
    request.failure_reason = failure
    request.completed = timezone.now()
    request.save(update_fields=["state", "account_id", "failure_reason", "completed"])
    return request


@iam_operation("DescribeCreateAccountStatus", event_source=EVENT_SOURCE)
def describe_create_account_status(*, caller: Caller, create_account_request_id: str) -> CreateStatus:
    organization = organization_for(caller, "DescribeCreateAccountStatus")
    request = CreateAccountRequest.objects.filter(organization=organization, pk=create_account_request_id).first()
    if request is None:
        raise CreateAccountStatusNotFoundException()
    return CreateStatus(request)


@iam_operation("ListCreateAccountStatus", event_source=EVENT_SOURCE)
def list_create_account_status(*, caller: Caller, states: list[str] | None = None, next_token: str | None = None,
                               max_results: int | None = None) -> tuple[list[CreateAccountRequest], str | None]:
    organization = organization_for(caller, "ListCreateAccountStatus")
    requests = CreateAccountRequest.objects.filter(organization=organization)
    if states:
        requests = requests.filter(state__in=states)
    return page(requests, key="id", next_token=next_token, max_results=max_results)


@iam_operation("DescribeAccount", event_source=EVENT_SOURCE)
def describe_account(*, caller: Caller, account_id: str) -> Member:
    organization = organization_for(caller, "DescribeAccount", lambda org: identifiers.account_arn(org, account_id))
    return Member(organization, member_account(organization, account_id))


@iam_operation("ListAccounts", event_source=EVENT_SOURCE)
def list_accounts(*, caller: Caller, next_token: str | None = None, max_results: int | None = None
                  ) -> tuple[Organization, list[Account], str | None]:
    organization = organization_for(caller, "ListAccounts")
    return (organization, *page(Account.objects.filter(organization=organization), key="id",
                                next_token=next_token, max_results=max_results))


@iam_operation("ListAccountsForParent", event_source=EVENT_SOURCE)
def list_accounts_for_parent(*, caller: Caller, parent_id: str, next_token: str | None = None,
                             max_results: int | None = None) -> tuple[Organization, list[Account], str | None]:
    organization = organization_for(caller, "ListAccountsForParent")
    parent = parent_unit(organization, parent_id)
    return (organization, *page(Account.objects.filter(organization=organization, parent_unit=parent), key="id",
                                next_token=next_token, max_results=max_results))


@iam_operation("MoveAccount", event_source=EVENT_SOURCE)
def move_account(*, caller: Caller, account_id: str, source_parent_id: str, destination_parent_id: str) -> Member:
    """Under the organization's lock, as every change of the tree: of two concurrent moves from the same parent, the
    second finds the account gone from its source (AccountNotFoundException) and changes nothing, and a move into
    an OU being deleted waits for the deletion and finds no destination (rather than deadlocking with it)."""
    organization = organization_for(caller, "MoveAccount", lambda org: identifiers.account_arn(org, account_id),
                                    lock=True)
    source = parent_unit(organization, source_parent_id, error=SourceParentNotFoundException)
    destination = parent_unit(organization, destination_parent_id, error=DestinationParentNotFoundException)
    account = member_account(organization, account_id, lock=True)
    if account.parent_unit_id != (source.id if source else None):
        raise AccountNotFoundException("The account is not in the source parent you specified.")
    if source_parent_id == destination_parent_id:
        raise DuplicateAccountException()
    account.parent_unit = destination
    account.save(update_fields=["parent_unit"])
    return Member(organization, account)


@iam_operation("CloseAccount", event_source=EVENT_SOURCE)
def close_account(*, caller: Caller, account_id: str) -> Member:
    """The account is PENDING_CLOSURE at once (its keys and sessions sign nothing from then on) and SUSPENDED
    when housekeeping finishes closures (finish_closures)."""
    organization = organization_for(caller, "CloseAccount", lambda org: identifiers.account_arn(org, account_id))
    account = member_account(organization, account_id, lock=True)
    if account.pk == organization.management_account_id:
        raise constraint_violation("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You can't close the management account.")
    if account.status != Account.Status.ACTIVE:
        raise AccountAlreadyClosedException()
    account.status = Account.Status.PENDING_CLOSURE
    account.save(update_fields=["status"])
    return Member(organization, account)


def finish_closures() -> int:
    """Accounts waiting for closure become SUSPENDED, as AWS's do once closure completes."""
    return Account.objects.filter(status=Account.Status.PENDING_CLOSURE).update(status=Account.Status.SUSPENDED)


def _depart(organization: Organization, account: Account) -> Member:
    """The account leaves: a standalone account, no longer under the organization's guardrails, its tags in the
    organization deleted as AWS deletes them."""
    if not account.is_active and account.status != Account.Status.SUSPENDED:
        raise invalid_input("INVALID_INPUT", "An account pending closure cannot leave the organization.")
    if DelegatedAdministrator.objects.filter(account=account).exists():  # AWS keeps it until it is deregistered
        raise constraint_violation("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                                   f"The account {account.pk} is a delegated administrator: deregister it from every "
                                   "service before it leaves the organization.")
    PolicyAttachment.objects.filter(target_id=account.pk).delete()
    OrganizationTag.objects.filter(resource_id=account.pk).delete()
    account.organization = None
    account.parent_unit = None
    account.save(update_fields=["organization", "parent_unit"])
    return Member(organization, account)


@iam_operation("RemoveAccountFromOrganization", event_source=EVENT_SOURCE)
def remove_account_from_organization(*, caller: Caller, account_id: str) -> Member:
    """The management account removes a member account."""
    organization = organization_for(caller, "RemoveAccountFromOrganization",
                                    lambda org: identifiers.account_arn(org, account_id), lock=True)
    account = member_account(organization, account_id, lock=True)
    if account.pk == organization.management_account_id:
        raise constraint_violation("ACCOUNT_CANNOT_LEAVE_ORGANIZATION", "You can't remove the management account "
                                                                        "from the organization.")
    return _depart(organization, account)


@iam_operation("LeaveOrganization", event_source=EVENT_SOURCE)
def leave_organization(*, caller: Caller) -> Member:
    """A member account leaves on its own (its SCPs may deny it organizations:LeaveOrganization)."""
    organization = organization_for(caller, "LeaveOrganization", management_only=False, lock=True)
    account = member_account(organization, caller.account_id, lock=True)
    if account.pk == organization.management_account_id:
        raise MasterCannotLeaveOrganizationException()
    return _depart(organization, account)
