"""Who may call an Organizations operation: authorized as `organizations:<Action>`, from a member of the
organization, and (for all but the few reads every member may make) from its management account."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from accounts.models import Account, DelegatedAdministrator, Organization
from iam_console.callers import Caller
from organizations.errors import AccessDeniedException, AWSOrganizationsNotInUseException
from policies.authorization import authorize_caller

EVENT_SOURCE = "organizations.amazonaws.com"


def current_organization(*, lock: bool = False) -> Organization | None:
    rows = Organization.objects.all()
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def organization_for(caller: Caller, action: str, resource: Callable[[Organization], str] | None = None, *,
                     management_only: bool = True, delegated: bool = False, lock: bool = False,
                     context: Mapping[str, str] | None = None) -> Organization:
    """The organization, once the caller may perform `action` on `resource(organization)` in it.

    AWS's order: the caller's IAM policies first (AccessDeniedException), then whether its account belongs to an
    organization (AWSOrganizationsNotInUseException), then whether it is the management account (or, for the reads
    AWS opens to them with `delegated`, a delegated administrator of any service). `context` adds
    the operation's own condition keys (`organizations:ServicePrincipal`). `lock` takes the
    organization's row lock: the operations that change the tree run one at a time (moves, attachments, policy
    types), so the tree's rules (depth, the last SCP of a node) hold under concurrency.
    """
    organization = current_organization(lock=lock)
    target = resource(organization) if organization is not None and resource is not None else "*"
    authorize_caller(caller, f"organizations:{action}", target, context)
    member = organization is not None and Account.objects.filter(pk=caller.account_id,
                                                                 organization=organization).exists()
    if not member:
        raise AWSOrganizationsNotInUseException()
    if management_only and caller.account_id != organization.management_account_id and not (
            delegated and is_delegated_administrator(caller.account_id)):
        raise AccessDeniedException("You don't have permissions to access this resource: only the organization's "
                                    "management account may.")
    return organization


def is_delegated_administrator(account_id: str) -> bool:
    """Whether the account administers any service for the organization (AWS opens it the organization's reads)."""
    return DelegatedAdministrator.objects.filter(account_id=account_id).exists()
