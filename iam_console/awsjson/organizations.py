"""AWS Organizations (2016-11-28) through the JSON door: each operation calls organizations.services."""

from __future__ import annotations

from typing import Any

from accounts.models import Account, Organization, OrganizationalUnit, OrganizationPolicy
from iam_console.awsjson.registry import operation
from organizations import identifiers
from organizations.services import (
    delegated,
    features,
    members,
    organization,
    policies,
    resource_policy,
    service_access,
    tags,
    units,
)
from organizations.services.nodes import target_names

ORGANIZATIONS = "organizations"


def _paged(items: list[dict], list_name: str, token: str | None) -> dict[str, Any]:
    answer: dict[str, Any] = {list_name: items}
    if token:
        answer["NextToken"] = token
    return answer


def _kwargs(params: dict, **names: str) -> dict[str, Any]:
    return {argument: params[name] for argument, name in names.items() if params.get(name) is not None}


def _page(params: dict) -> dict[str, Any]:
    return _kwargs(params, next_token="NextToken", max_results="MaxResults")


def _tags(params: dict) -> list[dict]:
    return [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in params.get("Tags") or []]


def organization_out(org: Organization) -> dict[str, Any]:
    management: Account = org.management_account
    return {"Id": org.id, "Arn": identifiers.organization_arn(org), "FeatureSet": "ALL",
            "MasterAccountArn": identifiers.account_arn(org, management.pk), "MasterAccountId": management.pk,
            "MasterAccountEmail": management.email,
            "AvailablePolicyTypes": [{"Type": kind, "Status": "ENABLED"} for kind in org.enabled_policy_types]}


def root_out(org: Organization) -> dict[str, Any]:
    return {"Id": org.root_id, "Arn": identifiers.root_arn(org), "Name": "Root",
            "PolicyTypes": [{"Type": kind, "Status": "ENABLED"} for kind in org.enabled_policy_types]}


def unit_out(org: Organization, unit: OrganizationalUnit) -> dict[str, Any]:
    return {"Id": unit.id, "Arn": identifiers.unit_arn(org, unit.id), "Name": unit.name}


# AWS's Status has no CLOSED (a closed account shows as SUSPENDED); State tells the whole story.
_STATUS = {"CLOSED": "SUSPENDED"}


def account_out(org: Organization, account: Account) -> dict[str, Any]:
    """An Account (and the first fields of a DelegatedAdministrator)."""
    return {"Id": account.pk, "Arn": identifiers.account_arn(org, account.pk), "Email": account.email,
            "Name": account.name, "Status": _STATUS.get(account.status, account.status), "State": account.status,
            "JoinedMethod": account.joined_method, "JoinedTimestamp": account.joined_timestamp}


def policy_summary(org: Organization, policy: OrganizationPolicy) -> dict[str, Any]:
    return {"Id": policy.id, "Arn": identifiers.policy_arn(org, policy), "Name": policy.name,
            "Description": policy.description, "Type": policy.policy_type, "AwsManaged": policy.aws_managed}


def status_out(request) -> dict[str, Any]:
    out = {"Id": request.id, "AccountName": request.account_name, "State": request.state,
           "RequestedTimestamp": request.requested, "CompletedTimestamp": request.completed}
    if request.account_id:
        out["AccountId"] = request.account_id
    if request.failure_reason:
        out["FailureReason"] = request.failure_reason
    return out


# --- the organization and its root ---------------------------------------------------------------------------
@operation(ORGANIZATIONS, "CreateOrganization")
def create_organization(caller, params: dict) -> dict:
    created = organization.create_organization(caller=caller, **_kwargs(params, feature_set="FeatureSet"))
    return {"Organization": organization_out(created)}


@operation(ORGANIZATIONS, "DescribeOrganization")
def describe_organization(caller, params: dict) -> dict:
    return {"Organization": organization_out(organization.describe_organization(caller=caller))}


@operation(ORGANIZATIONS, "DeleteOrganization")
def delete_organization(caller, params: dict) -> dict:
    organization.delete_organization(caller=caller)
    return {}


@operation(ORGANIZATIONS, "ListRoots")
def list_roots(caller, params: dict) -> dict:
    return {"Roots": [root_out(org) for org in organization.list_roots(caller=caller)]}


@operation(ORGANIZATIONS, "EnableAllFeatures")
def enable_all_features(caller, params: dict) -> dict:
    features.enable_all_features(caller=caller)
    return {}


@operation(ORGANIZATIONS, "DescribeEffectivePolicy")
def describe_effective_policy(caller, params: dict) -> dict:
    features.describe_effective_policy(caller=caller, policy_type=params["PolicyType"],
                                       **_kwargs(params, target_id="TargetId"))
    return {}


@operation(ORGANIZATIONS, "EnablePolicyType")
def enable_policy_type(caller, params: dict) -> dict:
    org = organization.enable_policy_type(caller=caller, root_id=params["RootId"], policy_type=params["PolicyType"])
    return {"Root": root_out(org)}


@operation(ORGANIZATIONS, "DisablePolicyType")
def disable_policy_type(caller, params: dict) -> dict:
    org = organization.disable_policy_type(caller=caller, root_id=params["RootId"], policy_type=params["PolicyType"])
    return {"Root": root_out(org)}


# --- organizational units --------------------------------------------------------------------------------------
@operation(ORGANIZATIONS, "CreateOrganizationalUnit")
def create_organizational_unit(caller, params: dict) -> dict:
    made = units.create_organizational_unit(caller=caller, parent_id=params["ParentId"], name=params["Name"],
                                            tags=_tags(params))
    return {"OrganizationalUnit": unit_out(made.organization, made.unit)}


@operation(ORGANIZATIONS, "DescribeOrganizationalUnit")
def describe_organizational_unit(caller, params: dict) -> dict:
    found = units.describe_organizational_unit(caller=caller,
                                               organizational_unit_id=params["OrganizationalUnitId"])
    return {"OrganizationalUnit": unit_out(found.organization, found.unit)}


@operation(ORGANIZATIONS, "UpdateOrganizationalUnit")
def update_organizational_unit(caller, params: dict) -> dict:
    found = units.update_organizational_unit(caller=caller, organizational_unit_id=params["OrganizationalUnitId"],
                                             **_kwargs(params, name="Name"))
    return {"OrganizationalUnit": unit_out(found.organization, found.unit)}


@operation(ORGANIZATIONS, "DeleteOrganizationalUnit")
def delete_organizational_unit(caller, params: dict) -> dict:
    units.delete_organizational_unit(caller=caller, organizational_unit_id=params["OrganizationalUnitId"])
    return {}


@operation(ORGANIZATIONS, "ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(caller, params: dict) -> dict:
    org, found, token = units.list_organizational_units_for_parent(caller=caller, parent_id=params["ParentId"],
                                                                   **_page(params))
    return _paged([unit_out(org, unit) for unit in found], "OrganizationalUnits", token)


@operation(ORGANIZATIONS, "ListChildren")
def list_children(caller, params: dict) -> dict:
    ids, token = units.list_children(caller=caller, parent_id=params["ParentId"], child_type=params["ChildType"],
                                     **_page(params))
    return _paged([{"Id": child, "Type": params["ChildType"]} for child in ids], "Children", token)


@operation(ORGANIZATIONS, "ListParents")
def list_parents(caller, params: dict) -> dict:
    return {"Parents": [{"Id": parent, "Type": kind}
                        for parent, kind in units.list_parents(caller=caller, child_id=params["ChildId"])]}


# --- accounts --------------------------------------------------------------------------------------------------
@operation(ORGANIZATIONS, "CreateAccount")
def create_account(caller, params: dict) -> dict:
    status = members.create_account(caller=caller, email=params["Email"], account_name=params["AccountName"],
                                    tags=_tags(params), **_kwargs(params, role_name="RoleName"))
    return {"CreateAccountStatus": status_out(status.request)}


@operation(ORGANIZATIONS, "DescribeCreateAccountStatus")
def describe_create_account_status(caller, params: dict) -> dict:
    status = members.describe_create_account_status(
        caller=caller, create_account_request_id=params["CreateAccountRequestId"])
    return {"CreateAccountStatus": status_out(status.request)}


@operation(ORGANIZATIONS, "ListCreateAccountStatus")
def list_create_account_status(caller, params: dict) -> dict:
    found, token = members.list_create_account_status(caller=caller, **_kwargs(params, states="States"),
                                                      **_page(params))
    return _paged([status_out(request) for request in found], "CreateAccountStatuses", token)


@operation(ORGANIZATIONS, "DescribeAccount")
def describe_account(caller, params: dict) -> dict:
    found = members.describe_account(caller=caller, account_id=params["AccountId"])
    return {"Account": account_out(found.organization, found.account)}


@operation(ORGANIZATIONS, "ListAccounts")
def list_accounts(caller, params: dict) -> dict:
    org, found, token = members.list_accounts(caller=caller, **_page(params))
    return _paged([account_out(org, account) for account in found], "Accounts", token)


@operation(ORGANIZATIONS, "ListAccountsForParent")
def list_accounts_for_parent(caller, params: dict) -> dict:
    org, found, token = members.list_accounts_for_parent(caller=caller, parent_id=params["ParentId"],
                                                         **_page(params))
    return _paged([account_out(org, account) for account in found], "Accounts", token)


@operation(ORGANIZATIONS, "MoveAccount")
def move_account(caller, params: dict) -> dict:
    members.move_account(caller=caller, account_id=params["AccountId"], source_parent_id=params["SourceParentId"],
                         destination_parent_id=params["DestinationParentId"])
    return {}


@operation(ORGANIZATIONS, "CloseAccount")
def close_account(caller, params: dict) -> dict:
    members.close_account(caller=caller, account_id=params["AccountId"])
    return {}


@operation(ORGANIZATIONS, "LeaveOrganization")
def leave_organization(caller, params: dict) -> dict:
    members.leave_organization(caller=caller)
    return {}


@operation(ORGANIZATIONS, "RemoveAccountFromOrganization")
def remove_account_from_organization(caller, params: dict) -> dict:
    members.remove_account_from_organization(caller=caller, account_id=params["AccountId"])
    return {}


# --- policies and attachments ------------------------------------------------------------------------------------
def _policy_out(found: policies.GuardrailPolicy) -> dict:
    return {"Policy": {"PolicySummary": policy_summary(found.organization, found.policy),
                       "Content": found.policy.content}}


@operation(ORGANIZATIONS, "CreatePolicy")
def create_policy(caller, params: dict) -> dict:
    return _policy_out(policies.create_policy(caller=caller, content=params["Content"],
                                              description=params["Description"], name=params["Name"],
                                              policy_type=params["Type"], tags=_tags(params)))


@operation(ORGANIZATIONS, "DescribePolicy")
def describe_policy(caller, params: dict) -> dict:
    return _policy_out(policies.describe_policy(caller=caller, policy_id=params["PolicyId"]))


@operation(ORGANIZATIONS, "UpdatePolicy")
def update_policy(caller, params: dict) -> dict:
    return _policy_out(policies.update_policy(caller=caller, policy_id=params["PolicyId"], **_kwargs(
        params, name="Name", description="Description", content="Content")))


@operation(ORGANIZATIONS, "DeletePolicy")
def delete_policy(caller, params: dict) -> dict:
    policies.delete_policy(caller=caller, policy_id=params["PolicyId"])
    return {}


@operation(ORGANIZATIONS, "ListPolicies")
def list_policies(caller, params: dict) -> dict:
    org, found, token = policies.list_policies(caller=caller, filter=params["Filter"], **_page(params))
    return _paged([policy_summary(org, policy) for policy in found], "Policies", token)


@operation(ORGANIZATIONS, "ListPoliciesForTarget")
def list_policies_for_target(caller, params: dict) -> dict:
    org, found, token = policies.list_policies_for_target(caller=caller, target_id=params["TargetId"],
                                                          filter=params["Filter"], **_page(params))
    return _paged([policy_summary(org, policy) for policy in found], "Policies", token)


@operation(ORGANIZATIONS, "ListTargetsForPolicy")
def list_targets_for_policy(caller, params: dict) -> dict:
    org, found, token = policies.list_targets_for_policy(caller=caller, policy_id=params["PolicyId"],
                                                         **_page(params))
    names = target_names(org, [attachment.target_id for attachment in found])
    return _paged([{"TargetId": attachment.target_id, "Arn": identifiers.target_arn(org, attachment.target_id),
                    "Name": names.get(attachment.target_id, ""), "Type": identifiers.target_type(attachment.target_id)}
                   for attachment in found], "Targets", token)


@operation(ORGANIZATIONS, "AttachPolicy")
def attach_policy(caller, params: dict) -> dict:
    policies.attach_policy(caller=caller, policy_id=params["PolicyId"], target_id=params["TargetId"])
    return {}


@operation(ORGANIZATIONS, "DetachPolicy")
def detach_policy(caller, params: dict) -> dict:
    policies.detach_policy(caller=caller, policy_id=params["PolicyId"], target_id=params["TargetId"])
    return {}


# --- tags --------------------------------------------------------------------------------------------------------
@operation(ORGANIZATIONS, "TagResource")
def tag_resource(caller, params: dict) -> dict:
    tags.tag_resource(caller=caller, resource_id=params["ResourceId"], tags=_tags(params))
    return {}


@operation(ORGANIZATIONS, "UntagResource")
def untag_resource(caller, params: dict) -> dict:
    tags.untag_resource(caller=caller, resource_id=params["ResourceId"], tag_keys=list(params["TagKeys"]))
    return {}


@operation(ORGANIZATIONS, "ListTagsForResource")
def list_tags_for_resource(caller, params: dict) -> dict:
    found, token = tags.list_tags_for_resource(caller=caller, resource_id=params["ResourceId"],
                                               **_kwargs(params, next_token="NextToken"))
    return _paged([{"Key": tag.key, "Value": tag.value} for tag in found], "Tags", token)


# --- trusted access of AWS services ------------------------------------------------------------------------------
@operation(ORGANIZATIONS, "EnableAWSServiceAccess")
def enable_aws_service_access(caller, params: dict) -> dict:
    service_access.enable_aws_service_access(caller=caller, service_principal=params["ServicePrincipal"])
    return {}


@operation(ORGANIZATIONS, "DisableAWSServiceAccess")
def disable_aws_service_access(caller, params: dict) -> dict:
    service_access.disable_aws_service_access(caller=caller, service_principal=params["ServicePrincipal"])
    return {}


@operation(ORGANIZATIONS, "ListAWSServiceAccessForOrganization")
def list_aws_service_access_for_organization(caller, params: dict) -> dict:
    found, token = service_access.list_aws_service_access(caller=caller, **_page(params))
    return _paged([{"ServicePrincipal": enabled.service_principal, "DateEnabled": enabled.date_enabled}
                   for enabled in found], "EnabledServicePrincipals", token)


# --- delegated administrators ------------------------------------------------------------------------------------
@operation(ORGANIZATIONS, "RegisterDelegatedAdministrator")
def register_delegated_administrator(caller, params: dict) -> dict:
    delegated.register_delegated_administrator(caller=caller, account_id=params["AccountId"],
                                               service_principal=params["ServicePrincipal"])
    return {}


@operation(ORGANIZATIONS, "DeregisterDelegatedAdministrator")
def deregister_delegated_administrator(caller, params: dict) -> dict:
    delegated.deregister_delegated_administrator(caller=caller, account_id=params["AccountId"],
                                                 service_principal=params["ServicePrincipal"])
    return {}


@operation(ORGANIZATIONS, "ListDelegatedAdministrators")
def list_delegated_administrators(caller, params: dict) -> dict:
    org, found, token = delegated.list_delegated_administrators(
        caller=caller, **_kwargs(params, service_principal="ServicePrincipal"), **_page(params))
    return _paged([{**account_out(org, registration.account),
                    "DelegationEnabledDate": registration.delegation_enabled_date} for registration in found],
                  "DelegatedAdministrators", token)


@operation(ORGANIZATIONS, "ListDelegatedServicesForAccount")
def list_delegated_services_for_account(caller, params: dict) -> dict:
    found, token = delegated.list_delegated_services_for_account(caller=caller, account_id=params["AccountId"],
                                                                 **_page(params))
    return _paged([{"ServicePrincipal": registration.service_principal,
                    "DelegationEnabledDate": registration.delegation_enabled_date} for registration in found],
                  "DelegatedServices", token)


# --- the organization's resource policy --------------------------------------------------------------------------
def _resource_policy_out(found: resource_policy.ResourcePolicy) -> dict:
    return {"ResourcePolicy": {"ResourcePolicySummary": {
        "Id": found.policy.id, "Arn": identifiers.resource_policy_arn(found.organization, found.policy.id)},
        "Content": found.policy.content}}


@operation(ORGANIZATIONS, "PutResourcePolicy")
def put_resource_policy(caller, params: dict) -> dict:
    return _resource_policy_out(resource_policy.put_resource_policy(caller=caller, content=params["Content"],
                                                                    tags=_tags(params)))


@operation(ORGANIZATIONS, "DescribeResourcePolicy")
def describe_resource_policy(caller, params: dict) -> dict:
    return _resource_policy_out(resource_policy.describe_resource_policy(caller=caller))


@operation(ORGANIZATIONS, "DeleteResourcePolicy")
def delete_resource_policy(caller, params: dict) -> dict:
    resource_policy.delete_resource_policy(caller=caller)
    return {}
