"""Trusted access of AWS services to the organization: EnableAWSServiceAccess, DisableAWSServiceAccess and
ListAWSServiceAccessForOrganization."""

from __future__ import annotations

from accounts.models import Organization, ServiceAccess
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations.access import EVENT_SOURCE, organization_for
from organizations.paging import page
from organizations.service_principals import recognised

SERVICE_PRINCIPAL_KEY = "organizations:ServicePrincipal"


@iam_operation("EnableAWSServiceAccess", event_source=EVENT_SOURCE)
def enable_aws_service_access(*, caller: Caller, service_principal: str) -> None:
    """Trust the service; enabling a service already trusted changes nothing (AWS answers it the same)."""
    organization = organization_for(caller, "EnableAWSServiceAccess", lock=True,
                                    context={SERVICE_PRINCIPAL_KEY: service_principal})
    ServiceAccess.objects.get_or_create(organization=organization, service_principal=recognised(service_principal))


@iam_operation("DisableAWSServiceAccess", event_source=EVENT_SOURCE)
def disable_aws_service_access(*, caller: Caller, service_principal: str) -> None:
    """Stop trusting the service; a service not trusted is left as it is, as AWS leaves it."""
    organization = organization_for(caller, "DisableAWSServiceAccess", lock=True,
                                    context={SERVICE_PRINCIPAL_KEY: service_principal})
    ServiceAccess.objects.filter(organization=organization,
                                 service_principal=recognised(service_principal)).delete()


@iam_operation("ListAWSServiceAccessForOrganization", event_source=EVENT_SOURCE)
def list_aws_service_access(*, caller: Caller, next_token: str | None = None, max_results: int | None = None
                            ) -> tuple[list[ServiceAccess], str | None]:
    organization = organization_for(caller, "ListAWSServiceAccessForOrganization", delegated=True)
    return page(ServiceAccess.objects.filter(organization=organization), key="service_principal",
                next_token=next_token, max_results=max_results)


def trusted(organization: Organization, service_principal: str) -> bool:
    return ServiceAccess.objects.filter(organization=organization, service_principal=service_principal).exists()
