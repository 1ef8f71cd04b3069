"""The organization's resource policy: PutResourcePolicy, DescribeResourcePolicy and DeleteResourcePolicy."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Organization, OrganizationResourcePolicy, OrganizationTag
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import InvalidInputException, ResourcePolicyNotFoundException
from organizations.resource_policy_grammar import check_resource_policy
from organizations.services.tags import tag_rows


@dataclass(frozen=True)
class ResourcePolicy:
    organization: Organization
    policy: OrganizationResourcePolicy

    def audit_elements(self) -> dict:
        return {"resourcePolicyId": self.policy.id}


def _arn(organization: Organization) -> str:
    """The policy's ARN, or the organization's before it has one."""
    existing = OrganizationResourcePolicy.objects.filter(organization=organization).values_list("id", flat=True)
    return identifiers.resource_policy_arn(organization, existing[0]) if existing else \
        identifiers.organization_arn(organization)


def _existing(organization: Organization, *, lock: bool = False) -> OrganizationResourcePolicy:
    rows = OrganizationResourcePolicy.objects.filter(organization=organization)
    found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise ResourcePolicyNotFoundException()
    return found


@iam_operation("PutResourcePolicy", event_source=EVENT_SOURCE)
def put_resource_policy(*, caller: Caller, content: str, tags: list[dict] | None = None) -> ResourcePolicy:
    """Create the policy, or replace its content; tags are taken only when it is created, as AWS takes them."""
    organization = organization_for(caller, "PutResourcePolicy", _arn, lock=True)
    check_resource_policy(content, identifiers.arn_prefix(organization))
    policy = OrganizationResourcePolicy.objects.filter(organization=organization).first()
    if policy is not None:
        if tags:
            raise InvalidInputException("Tags are taken only when the resource policy is created: tag it with "
                                        "TagResource.")
        policy.content = content
        policy.save(update_fields=["content"])
        return ResourcePolicy(organization, policy)
    policy = OrganizationResourcePolicy.objects.create(id=identifiers.new_resource_policy_id(),
                                                       organization=organization, content=content)
    OrganizationTag.objects.bulk_create(tag_rows(policy.id, tags or []))
    return ResourcePolicy(organization, policy)


@iam_operation("DescribeResourcePolicy", event_source=EVENT_SOURCE)
def describe_resource_policy(*, caller: Caller) -> ResourcePolicy:
    organization = organization_for(caller, "DescribeResourcePolicy", _arn, delegated=True)
    return ResourcePolicy(organization, _existing(organization))


@iam_operation("DeleteResourcePolicy", event_source=EVENT_SOURCE)
def delete_resource_policy(*, caller: Caller) -> None:
    organization = organization_for(caller, "DeleteResourcePolicy", _arn, lock=True)
    policy = _existing(organization, lock=True)
    OrganizationTag.objects.filter(resource_id=policy.id).delete()
    policy.delete()
