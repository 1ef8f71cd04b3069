"""Delegated administrators of AWS services: RegisterDelegatedAdministrator, DeregisterDelegatedAdministrator,
ListDelegatedAdministrators and ListDelegatedServicesForAccount."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import DelegatedAdministrator, Organization
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import (
    AccountAlreadyRegisteredException,
    AccountNotRegisteredException,
    constraint_violation,
)
from organizations.paging import page
from organizations.service_principals import delegated_administrator_limit, recognised
from organizations.services.members import member_account
from organizations.services.service_access import SERVICE_PRINCIPAL_KEY, trusted


@dataclass(frozen=True)
class Registration:
    account_id: str
    service_principal: str

    def audit_elements(self) -> dict:
        return {"accountId": self.account_id, "servicePrincipal": self.service_principal}


def _account_arn(account_id: str):
    return lambda organization: identifiers.account_arn(organization, account_id)


@iam_operation("RegisterDelegatedAdministrator", event_source=EVENT_SOURCE)
def register_delegated_administrator(*, caller: Caller, account_id: str, service_principal: str) -> Registration:
    """A member account (not the management account, not suspended or closing) of a service already trusted,
    within the number of administrators the service takes; under the organization's lock, so two registrations
    cannot both take a service's last place."""
    organization = organization_for(caller, "RegisterDelegatedAdministrator", _account_arn(account_id), lock=True,
                                    context={SERVICE_PRINCIPAL_KEY: service_principal})
    recognised(service_principal)
    account = member_account(organization, account_id)
    if account.pk == organization.management_account_id:
        raise constraint_violation("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                                   "The management account cannot be a delegated administrator: register a member "
                                   "account.")
    if not account.is_active:
        raise constraint_violation("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                                   f"The account {account.pk} is {account.status.lower()}: only an active account may "
                                   "be a delegated administrator.")
    if not trusted(organization, service_principal):
        raise constraint_violation("SERVICE_ACCESS_NOT_ENABLED",
                                   f"Trusted access of {service_principal} is not enabled: call "
                                   "EnableAWSServiceAccess first.")
    registered = DelegatedAdministrator.objects.filter(organization=organization,
                                                       service_principal=service_principal)
    if registered.filter(account=account).exists():
        raise AccountAlreadyRegisteredException()
    limit = delegated_administrator_limit(service_principal)
    if registered.count() >= limit:
        if limit == 1:
            raise constraint_violation("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
                                       f"{service_principal} already has its delegated administrator: deregister "
                                       "it first.")
        raise constraint_violation("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
                                   f"{service_principal} takes at most {limit} delegated administrators.")
    DelegatedAdministrator.objects.create(organization=organization, account=account,
                                          service_principal=service_principal)
    return Registration(account.pk, service_principal)


@iam_operation("DeregisterDelegatedAdministrator", event_source=EVENT_SOURCE)
def deregister_delegated_administrator(*, caller: Caller, account_id: str, service_principal: str) -> Registration:
    organization = organization_for(caller, "DeregisterDelegatedAdministrator", _account_arn(account_id), lock=True,
                                    context={SERVICE_PRINCIPAL_KEY: service_principal})
    recognised(service_principal)
    account = member_account(organization, account_id)
    deleted, _ = DelegatedAdministrator.objects.filter(organization=organization, account=account,
                                                       service_principal=service_principal).delete()
    if not deleted:
        raise AccountNotRegisteredException()
    return Registration(account.pk, service_principal)


@iam_operation("ListDelegatedAdministrators", event_source=EVENT_SOURCE)
def list_delegated_administrators(*, caller: Caller, service_principal: str | None = None,
                                  next_token: str | None = None, max_results: int | None = None
                                  ) -> tuple[Organization, list[DelegatedAdministrator], str | None]:
    """Every registration (an account once per service it administers), or those of one service."""
    organization = organization_for(caller, "ListDelegatedAdministrators", delegated=True)
    rows = DelegatedAdministrator.objects.filter(organization=organization).select_related("account")
    if service_principal is not None:
        rows = rows.filter(service_principal=recognised(service_principal))
    found, token = page(rows, key="id", next_token=next_token, max_results=max_results)
    return organization, found, token


@iam_operation("ListDelegatedServicesForAccount", event_source=EVENT_SOURCE)
def list_delegated_services_for_account(*, caller: Caller, account_id: str, next_token: str | None = None,
                                        max_results: int | None = None
                                        ) -> tuple[list[DelegatedAdministrator], str | None]:
    organization = organization_for(caller, "ListDelegatedServicesForAccount", _account_arn(account_id),
                                    delegated=True)
    account = member_account(organization, account_id)
    rows = DelegatedAdministrator.objects.filter(organization=organization, account=account)
    if not rows.exists():
        raise AccountNotRegisteredException()
    return page(rows, key="service_principal", next_token=next_token, max_results=max_results)
