"""Delegated administrators through the JSON door: registering member accounts for trusted services, the lists
the management account and delegated administrators read, and AWS's refusals, each changing nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, DelegatedAdministrator
from iam_console.pagination import encode_marker
from tests.awsjson.conftest import JsonClient
from tests.awsjson.test_organizations import Org

pytestmark = pytest.mark.django_db

ADMIN = ("arn:aws:iam::aws:policy/AdministratorAccess",)


@pytest.fixture
def org(organizations_api) -> Org:
    made = Org(organizations_api)
    made("CreateOrganization", FeatureSet="ALL")
    made("EnableAWSServiceAccess", ServicePrincipal="guardduty.amazonaws.com")
    made("EnableAWSServiceAccess", ServicePrincipal="config.amazonaws.com")
    return made


def test_a_member_is_registered_listed_and_deregistered(org, make_account):
    member = make_account("Security").account.pk
    org("RegisterDelegatedAdministrator", AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    org("RegisterDelegatedAdministrator", AccountId=member, ServicePrincipal="config.amazonaws.com")
    listed = org("ListDelegatedAdministrators")["DelegatedAdministrators"]
    assert [(admin["Id"], admin["Name"], admin["Status"]) for admin in listed] == [(member, "Security", "ACTIVE")] * 2
    assert listed[0]["Arn"].endswith(f"/{member}") and listed[0]["DelegationEnabledDate"]
    only = org("ListDelegatedAdministrators", ServicePrincipal="config.amazonaws.com")["DelegatedAdministrators"]
    assert [admin["Id"] for admin in only] == [member]
    services = org("ListDelegatedServicesForAccount", AccountId=member)["DelegatedServices"]
    assert [service["ServicePrincipal"] for service in services] == ["config.amazonaws.com",
                                                                     "guardduty.amazonaws.com"]
    org("DeregisterDelegatedAdministrator", AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    assert org.error("DeregisterDelegatedAdministrator", AccountId=member,
                     ServicePrincipal="guardduty.amazonaws.com")[1] == "AccountNotRegisteredException"
    assert list(DelegatedAdministrator.objects.values_list("service_principal", flat=True)) == [
        "config.amazonaws.com"]


def test_registrations_are_refused_as_aws_refuses_them(org, make_account):
    member = make_account("Security").account.pk
    management = org("DescribeOrganization")["Organization"]["MasterAccountId"]
    assert org.reason("RegisterDelegatedAdministrator", AccountId=management,
                      ServicePrincipal="guardduty.amazonaws.com") == (
        "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
    assert org.reason("RegisterDelegatedAdministrator", AccountId=member, ServicePrincipal="sso.amazonaws.com") == (
        "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED")
    assert org.reason("RegisterDelegatedAdministrator", AccountId=member, ServicePrincipal="nosuch.amazonaws.com"
                      ) == ("InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
    assert org.error("RegisterDelegatedAdministrator", AccountId="999999999999",
                     ServicePrincipal="guardduty.amazonaws.com")[1] == "AccountNotFoundException"
    org("RegisterDelegatedAdministrator", AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    assert org.error("RegisterDelegatedAdministrator", AccountId=member,
                     ServicePrincipal="guardduty.amazonaws.com")[1] == "AccountAlreadyRegisteredException"
    other = make_account("Other").account.pk
    assert org.reason("RegisterDelegatedAdministrator", AccountId=other,
                      ServicePrincipal="guardduty.amazonaws.com") == (
        "ConstraintViolationException", "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE")
    org("CloseAccount", AccountId=other)
    assert org.reason("RegisterDelegatedAdministrator", AccountId=other, ServicePrincipal="config.amazonaws.com") == (
        "ConstraintViolationException", "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR")
    assert org.error("ListDelegatedServicesForAccount", AccountId=other)[1] == "AccountNotRegisteredException"
    assert org.error("ListDelegatedServicesForAccount", AccountId="999999999999")[1] == "AccountNotFoundException"
    assert DelegatedAdministrator.objects.count() == 1


def test_a_service_takes_as_many_administrators_as_aws_allows(org, make_account):
    for index in range(3):
        org("RegisterDelegatedAdministrator", AccountId=make_account(f"Config {index}").account.pk,
            ServicePrincipal="config.amazonaws.com")
    assert org.reason("RegisterDelegatedAdministrator", AccountId=make_account("Fourth").account.pk,
                      ServicePrincipal="config.amazonaws.com") == (
        "ConstraintViolationException", "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED")
    first = org("ListDelegatedAdministrators", MaxResults=2)
    rest = org("ListDelegatedAdministrators", MaxResults=2, NextToken=first["NextToken"])
    assert len(first["DelegatedAdministrators"]) == 2 and len(rest["DelegatedAdministrators"]) == 1
    assert "NextToken" not in rest
    for forged in ("garbage", first["NextToken"][::-1], encode_marker("not-a-number")):
        assert org.error("ListDelegatedAdministrators", NextToken=forged)[1] == "InvalidInputException"


def test_a_delegated_administrator_reads_the_lists_and_manages_nothing(org, make_account):
    security = make_account("Security")
    org("RegisterDelegatedAdministrator", AccountId=security.id, ServicePrincipal="guardduty.amazonaws.com")
    theirs = Org(JsonClient(*security.make_user("admin", access_key=True, policies=ADMIN).test_access_key))
    assert [a["Id"] for a in theirs("ListDelegatedAdministrators")["DelegatedAdministrators"]] == [security.id]
    assert theirs("ListDelegatedServicesForAccount", AccountId=security.id)["DelegatedServices"]
    assert len(theirs("ListAWSServiceAccessForOrganization")["EnabledServicePrincipals"]) == 2
    assert theirs.error("RegisterDelegatedAdministrator", AccountId=security.id,
                        ServicePrincipal="config.amazonaws.com")[1] == "AccessDeniedException"
    assert theirs.error("EnableAWSServiceAccess", ServicePrincipal="sso.amazonaws.com")[1] == "AccessDeniedException"
    other = make_account("Other")
    plain = Org(JsonClient(*other.make_user("admin", access_key=True, policies=ADMIN).test_access_key))
    assert plain.error("ListDelegatedAdministrators")[1] == "AccessDeniedException"


def test_a_delegated_administrator_stays_in_the_organization_until_deregistered(org, make_account):
    member = make_account("Security").account.pk
    org("RegisterDelegatedAdministrator", AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    assert org.reason("RemoveAccountFromOrganization", AccountId=member) == (
        "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    assert Account.objects.get(pk=member).organization_id is not None
    org("DeregisterDelegatedAdministrator", AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    org("RemoveAccountFromOrganization", AccountId=member)
    assert Account.objects.get(pk=member).organization_id is None


def test_the_lists_read_in_as_many_queries_whatever_their_length(org, make_account):
    def queries(operation: str, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            org(operation, **params)
        return len(captured)

    first = make_account("Config 0").account.pk
    org("RegisterDelegatedAdministrator", AccountId=first, ServicePrincipal="config.amazonaws.com")
    one = queries("ListDelegatedAdministrators"), queries("ListAWSServiceAccessForOrganization")
    for index in (1, 2):
        org("RegisterDelegatedAdministrator", AccountId=make_account(f"Config {index}").account.pk,
            ServicePrincipal="config.amazonaws.com")
    org("EnableAWSServiceAccess", ServicePrincipal="sso.amazonaws.com")
    assert (queries("ListDelegatedAdministrators"), queries("ListAWSServiceAccessForOrganization")) == one
