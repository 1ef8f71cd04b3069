"""The organization itself: CreateOrganization, DescribeOrganization, DeleteOrganization, ListRoots and the policy
types of its root."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import (
    Account,
    Organization,
    OrganizationalUnit,
    OrganizationPolicy,
    OrganizationResourcePolicy,
    OrganizationTag,
    PolicyAttachment,
)
from accounts.tree import attach_full_access
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, current_organization, organization_for
from organizations.errors import (
    AccessDeniedException,
    AlreadyInOrganizationException,
    OrganizationNotEmptyException,
    PolicyTypeAlreadyEnabledException,
    PolicyTypeNotEnabledException,
    RootNotFoundException,
    invalid_input,
)
from policies.authorization import authorize_caller


@iam_operation("CreateOrganization", event_source=EVENT_SOURCE)
def create_organization(*, caller: Caller, feature_set: str = "ALL") -> Organization:
    """The directory's one organization, made by its management account: every account of the directory joins it,
    under the root. No policy type is enabled yet (EnablePolicyType)."""
    authorize_caller(caller, "organizations:CreateOrganization", "*")
    if feature_set != "ALL":
        raise invalid_input("INVALID_ENUM", "Only FeatureSet ALL is supported: guardrails need all features.")
    if current_organization() is not None:
        raise AlreadyInOrganizationException()
    management = Account.objects.filter(pk=caller.account_id, is_management=True).first()
    if management is None:
        raise AccessDeniedException("Only the directory's management account may create its organization.")
    try:
        with transaction.atomic():
            organization = Organization.objects.create(id=identifiers.new_organization_id(),
                                                       management_account=management,
                                                       root_id=identifiers.new_root_id())
    except IntegrityError:  # another request made it at the same moment
        raise AlreadyInOrganizationException() from None
    Account.objects.filter(organization__isnull=True).update(organization=organization, parent_unit=None)
    return organization


@iam_operation("DescribeOrganization", event_source=EVENT_SOURCE)
def describe_organization(*, caller: Caller) -> Organization:
    """Every member account may describe its organization."""
    organization = organization_for(caller, "DescribeOrganization", identifiers.organization_arn,
                                    management_only=False)
    organization.management_account = Account.objects.get(pk=organization.management_account_id)
    return organization


@iam_operation("DeleteOrganization", event_source=EVENT_SOURCE)
def delete_organization(*, caller: Caller) -> None:
    """Only an organization whose one account is the management account; its OUs and policies go with it."""
    organization = organization_for(caller, "DeleteOrganization", identifiers.organization_arn, lock=True)
    if Account.objects.filter(organization=organization).exclude(pk=organization.management_account_id).exists():
        raise OrganizationNotEmptyException()
    Account.objects.filter(organization=organization).update(organization=None, parent_unit=None)
    PolicyAttachment.objects.filter(policy__organization=organization).delete()
    PolicyAttachment.objects.filter(policy__aws_managed=True).delete()
    unit_ids = list(OrganizationalUnit.objects.filter(organization=organization).values_list("id", flat=True))
    policy_ids = list(OrganizationPolicy.objects.filter(organization=organization).values_list("id", flat=True))
    resource_policy_ids = list(OrganizationResourcePolicy.objects.filter(organization=organization)
                               .values_list("id", flat=True))
    OrganizationTag.objects.filter(resource_id__in=[organization.root_id, *unit_ids, *policy_ids,
                                                    *resource_policy_ids, organization.management_account_id]
                                   ).delete()
    for depth in range(5, 0, -1):  # the deepest first: an OU's parent is protected while it has children
        OrganizationalUnit.objects.filter(organization=organization, depth=depth).delete()
    organization.delete()


@iam_operation("ListRoots", event_source=EVENT_SOURCE)
def list_roots(*, caller: Caller) -> list[Organization]:
    return [organization_for(caller, "ListRoots")]


def _root(organization: Organization, root_id: str) -> None:
    if root_id != organization.root_id:
        raise RootNotFoundException()


@iam_operation("EnablePolicyType", event_source=EVENT_SOURCE)
def enable_policy_type(*, caller: Caller, root_id: str, policy_type: str) -> Organization:
    """Enable SCPs or RCPs on the root: AWS's full-access policy of the type is attached to every node."""
    organization = organization_for(caller, "EnablePolicyType", identifiers.root_arn, lock=True)
    _root(organization, root_id)
    if policy_type not in identifiers.GUARDRAIL_TYPES:
        raise invalid_input("INVALID_ENUM", f"The policy type {policy_type} is not supported by this directory: "
                                            "SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY are.")
    if policy_type in organization.enabled_policy_types:
        raise PolicyTypeAlreadyEnabledException()
    organization.enabled_policy_types = [*organization.enabled_policy_types, policy_type]
    organization.save(update_fields=["enabled_policy_types"])
    targets = [organization.root_id,
               *OrganizationalUnit.objects.filter(organization=organization).values_list("id", flat=True),
               *Account.objects.filter(organization=organization).values_list("id", flat=True)]
    attach_full_access(organization, targets, types=[policy_type])
    return organization


@iam_operation("DisablePolicyType", event_source=EVENT_SOURCE)
def disable_policy_type(*, caller: Caller, root_id: str, policy_type: str) -> Organization:
    """Disable a type on the root: every policy of the type is detached from every node."""
    organization = organization_for(caller, "DisablePolicyType", identifiers.root_arn, lock=True)
    _root(organization, root_id)
    if policy_type not in organization.enabled_policy_types:
        raise PolicyTypeNotEnabledException()
    organization.enabled_policy_types = [kind for kind in organization.enabled_policy_types if kind != policy_type]
    organization.save(update_fields=["enabled_policy_types"])
    PolicyAttachment.objects.filter(policy_type=policy_type).delete()
    return organization
