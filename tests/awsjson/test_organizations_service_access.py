"""Trusted access of AWS services to the organization: Terraform's aws_organizations_organization through boto3,
and AWS's refusals, each changing nothing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from accounts.models import ServiceAccess
from audit.models import AuditEvent
from directory.services.inline import put_user_policy
from tests.awsjson.conftest import JsonClient
from tests.awsjson.test_organizations import Org

pytestmark = pytest.mark.django_db


def _error(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response.get("Reason", "")


def _terraform_read(organizations) -> dict:
    """resourceOrganizationRead: the organization, every page of accounts, the roots, every page of services."""
    found = organizations.describe_organization()["Organization"]
    accounts = [a for page in organizations.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    roots = organizations.list_roots()["Roots"]
    principals = [service["ServicePrincipal"] for page in
                  organizations.get_paginator("list_aws_service_access_for_organization").paginate()
                  for service in page["EnabledServicePrincipals"]]
    return {"id": found["Id"], "feature_set": found["FeatureSet"], "accounts": accounts, "roots": roots,
            "aws_service_access_principals": sorted(principals),
            "enabled_policy_types": [kind["Type"] for kind in roots[0]["PolicyTypes"] if kind["Status"] == "ENABLED"]}


def test_terraform_creates_reads_updates_and_deletes_the_organization_with_its_services(organizations):
    # Create: the organization, each service of aws_service_access_principals, the default root's policy types.
    made = organizations.create_organization(FeatureSet="ALL")["Organization"]
    for principal in ("sso.amazonaws.com", "access-analyzer.amazonaws.com"):
        organizations.enable_aws_service_access(ServicePrincipal=principal)
    root_id = organizations.list_roots()["Roots"][0]["Id"]
    organizations.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    state = _terraform_read(organizations)
    assert state["id"] == made["Id"] and state["feature_set"] == "ALL"
    assert state["aws_service_access_principals"] == ["access-analyzer.amazonaws.com", "sso.amazonaws.com"]
    assert state["enabled_policy_types"] == ["SERVICE_CONTROL_POLICY"]
    # Every refresh reads the same state again: no drift.
    assert _terraform_read(organizations) == state
    # Update: the removed services disabled first, then the added ones enabled.
    organizations.disable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")
    organizations.enable_aws_service_access(ServicePrincipal="ram.amazonaws.com")
    assert _terraform_read(organizations)["aws_service_access_principals"] == ["ram.amazonaws.com",
                                                                               "sso.amazonaws.com"]
    enabled = organizations.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert all(service["DateEnabled"].year >= 2024 for service in enabled)
    # Delete: the organization and its trusted services go; a second delete is "not in use", which Terraform takes.
    organizations.delete_organization()
    assert ServiceAccess.objects.count() == 0
    assert _error(organizations.delete_organization)[0] == "AWSOrganizationsNotInUseException"


@pytest.fixture
def org(organizations_api) -> Org:
    made = Org(organizations_api)
    made("CreateOrganization", FeatureSet="ALL")
    return made


def test_enabling_twice_and_disabling_a_service_not_trusted_change_nothing(org):
    org("EnableAWSServiceAccess", ServicePrincipal="sso.amazonaws.com")
    first = ServiceAccess.objects.get().date_enabled
    org("EnableAWSServiceAccess", ServicePrincipal="sso.amazonaws.com")
    assert list(ServiceAccess.objects.values_list("date_enabled", flat=True)) == [first]
    org("DisableAWSServiceAccess", ServicePrincipal="ram.amazonaws.com")
    assert ServiceAccess.objects.count() == 1
    assert AuditEvent.objects.filter(event_name="EnableAWSServiceAccess", event_source="organizations.amazonaws.com"
                                     ).count() == 2


def test_an_unrecognized_service_principal_is_invalid_input_and_not_stored(org):
    assert org.reason("EnableAWSServiceAccess", ServicePrincipal="nosuch.amazonaws.com") == (
        "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
    assert "unrecognized service principal" in org.error("DisableAWSServiceAccess",
                                                         ServicePrincipal="stacksets.cloudformation.amazonaws.com")[2]
    assert ServiceAccess.objects.count() == 0


def test_the_service_list_pages_by_next_token(org):
    for principal in ("sso.amazonaws.com", "ram.amazonaws.com", "guardduty.amazonaws.com"):
        org("EnableAWSServiceAccess", ServicePrincipal=principal)
    first = org("ListAWSServiceAccessForOrganization", MaxResults=2)
    assert [s["ServicePrincipal"] for s in first["EnabledServicePrincipals"]] == ["guardduty.amazonaws.com",
                                                                                  "ram.amazonaws.com"]
    rest = org("ListAWSServiceAccessForOrganization", MaxResults=2, NextToken=first["NextToken"])
    assert [s["ServicePrincipal"] for s in rest["EnabledServicePrincipals"]] == ["sso.amazonaws.com"]
    assert "NextToken" not in rest
    assert org.reason("ListAWSServiceAccessForOrganization", NextToken="garbage") == (
        "InvalidInputException", "INVALID_PAGINATION_TOKEN")


def test_only_the_management_account_manages_service_access(org, make_account, make_user):
    member = make_account("Team")
    admin = member.make_user("admin", access_key=True, policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    theirs = Org(JsonClient(*admin.test_access_key))
    for operation in ("EnableAWSServiceAccess", "DisableAWSServiceAccess"):
        assert theirs.error(operation, ServicePrincipal="sso.amazonaws.com")[1] == "AccessDeniedException"
    assert theirs.error("ListAWSServiceAccessForOrganization")[1] == "AccessDeniedException"
    nobody = make_user("nobody", access_key=True)
    status, code, message = Org(JsonClient(*nobody.test_access_key)).error(
        "EnableAWSServiceAccess", ServicePrincipal="sso.amazonaws.com")
    assert code == "AccessDeniedException" and "organizations:EnableAWSServiceAccess" in message
    assert ServiceAccess.objects.count() == 0


def test_the_service_principal_condition_key_limits_who_may_enable_which_service(org, make_user, root_caller):
    limited = make_user("limited", access_key=True)
    put_user_policy(caller=root_caller, user_name="limited", policy_name="sso-only", policy_document=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "organizations:EnableAWSServiceAccess", "Resource": "*",
             "Condition": {"StringEquals": {"organizations:ServicePrincipal": "sso.amazonaws.com"}}}]}))
    theirs = Org(JsonClient(*limited.test_access_key))
    theirs("EnableAWSServiceAccess", ServicePrincipal="sso.amazonaws.com")
    assert theirs.error("EnableAWSServiceAccess", ServicePrincipal="ram.amazonaws.com")[1] == "AccessDeniedException"
    assert list(ServiceAccess.objects.values_list("service_principal", flat=True)) == ["sso.amazonaws.com"]


def test_outside_an_organization_service_access_is_not_in_use(organizations_api):
    assert Org(organizations_api).error("ListAWSServiceAccessForOrganization")[1] == \
        "AWSOrganizationsNotInUseException"
