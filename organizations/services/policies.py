"""SCPs and RCPs: create, describe, update, delete, list; attach to and detach from the root, OUs and accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Organization, OrganizationPolicy, OrganizationTag, PolicyAttachment
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import (
    AccessDeniedException,
    DuplicatePolicyAttachmentException,
    DuplicatePolicyException,
    MalformedPolicyDocumentException,
    PolicyInUseException,
    PolicyNotAttachedException,
    PolicyNotFoundException,
    PolicyTypeNotEnabledException,
    constraint_violation,
    invalid_input,
)
from organizations.paging import page
from organizations.services.nodes import target_kind
from organizations.services.tags import tag_rows
from policies.language import validate

MAX_PER_TARGET = 5  # AWS: at most 5 SCPs (and 5 RCPs) attached to a root, OU or account


@dataclass(frozen=True)
class GuardrailPolicy:
    organization: Organization
    policy: OrganizationPolicy

    def audit_elements(self) -> dict:
        return {"policyId": self.policy.id}


def _check_type(policy_type: str) -> None:
    if policy_type not in identifiers.GUARDRAIL_TYPES:
        raise invalid_input("INVALID_ENUM", f"The policy type {policy_type} is not supported by this directory: "
                                            "SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY are.")


def _check_content(content: str, policy_type: str) -> None:
    """The SCP or RCP grammar (no Principal in an SCP, `*` as an RCP's, 5,120 characters…)."""
    result = validate(content, policy_type=policy_type)
    blocking = [finding for finding in result.findings if finding.blocking]
    if blocking:
        first = blocking[0]
        raise MalformedPolicyDocumentException(
            f"The provided policy document doesn't meet the requirements of the specified policy type: "
            f"{first.message} (line {first.line}, column {first.column})")


def _policy(organization: Organization, policy_id: str, *, lock: bool = False) -> OrganizationPolicy:
    policies = OrganizationPolicy.objects.filter(Q(organization=organization) | Q(aws_managed=True), pk=policy_id)
    policy = (policies.select_for_update() if lock else policies).first()
    if policy is None:
        raise PolicyNotFoundException()
    return policy


def _policy_arn(policy_id: str):
    return lambda org: identifiers.policy_arn(org, policy_id, "service_control_policy")


@iam_operation("CreatePolicy", event_source=EVENT_SOURCE)
def create_policy(*, caller: Caller, content: str, description: str, name: str, policy_type: str,
                  tags: list[dict] | None = None) -> GuardrailPolicy:
    organization = organization_for(caller, "CreatePolicy")
    _check_type(policy_type)
    _check_content(content, policy_type)
    rows = tag_rows("", tags or [])
    try:
        with transaction.atomic():
            policy = OrganizationPolicy.objects.create(id=identifiers.new_policy_id(), organization=organization,
                                                       policy_type=policy_type, name=name, description=description,
                                                       content=content)
    except IntegrityError:
        raise DuplicatePolicyException() from None
    for row in rows:
        row.resource_id = policy.id
    OrganizationTag.objects.bulk_create(rows)
    return GuardrailPolicy(organization, policy)


@iam_operation("DescribePolicy", event_source=EVENT_SOURCE)
def describe_policy(*, caller: Caller, policy_id: str) -> GuardrailPolicy:
    organization = organization_for(caller, "DescribePolicy", _policy_arn(policy_id))
    return GuardrailPolicy(organization, _policy(organization, policy_id))


@iam_operation("UpdatePolicy", event_source=EVENT_SOURCE)
def update_policy(*, caller: Caller, policy_id: str, name: str | None = None, description: str | None = None,
                  content: str | None = None) -> GuardrailPolicy:
    """A new content is in force for the next request: its version changes, and compiled guardrails are cached
    by (policy, version)."""
    organization = organization_for(caller, "UpdatePolicy", _policy_arn(policy_id))
    policy = _policy(organization, policy_id, lock=True)
    if policy.aws_managed:
        raise AccessDeniedException("You can't change a policy that AWS manages.")
    if content is not None:
        _check_content(content, policy.policy_type)
        policy.content = content
        policy.version += 1
    if name is not None:
        policy.name = name
    if description is not None:
        policy.description = description
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        raise DuplicatePolicyException() from None
    return GuardrailPolicy(organization, policy)


@iam_operation("DeletePolicy", event_source=EVENT_SOURCE)
def delete_policy(*, caller: Caller, policy_id: str) -> None:
    organization = organization_for(caller, "DeletePolicy", _policy_arn(policy_id))
    policy = _policy(organization, policy_id, lock=True)
    if policy.aws_managed:
        raise AccessDeniedException("You can't delete a policy that AWS manages.")
    if policy.attachments.exists():
        raise PolicyInUseException()
    OrganizationTag.objects.filter(resource_id=policy.id).delete()
    policy.delete()


@iam_operation("ListPolicies", event_source=EVENT_SOURCE)
def list_policies(*, caller: Caller, filter: str, next_token: str | None = None,  # noqa: A002 - AWS's name
                  max_results: int | None = None) -> tuple[Organization, list[OrganizationPolicy], str | None]:
    organization = organization_for(caller, "ListPolicies")
    _check_type(filter)
    policies = OrganizationPolicy.objects.filter(Q(organization=organization) | Q(aws_managed=True),
                                                 policy_type=filter)
    return (organization, *page(policies, key="id", next_token=next_token, max_results=max_results))


@iam_operation("ListPoliciesForTarget", event_source=EVENT_SOURCE)
def list_policies_for_target(*, caller: Caller, target_id: str, filter: str,  # noqa: A002 - AWS's name
                             next_token: str | None = None, max_results: int | None = None
                             ) -> tuple[Organization, list[OrganizationPolicy], str | None]:
    organization = organization_for(caller, "ListPoliciesForTarget")
    _check_type(filter)
    target_kind(organization, target_id)
    policies = OrganizationPolicy.objects.filter(attachments__target_id=target_id, policy_type=filter)
    return (organization, *page(policies, key="id", next_token=next_token, max_results=max_results))


@iam_operation("ListTargetsForPolicy", event_source=EVENT_SOURCE)
def list_targets_for_policy(*, caller: Caller, policy_id: str, next_token: str | None = None,
                            max_results: int | None = None) -> tuple[Organization, list[PolicyAttachment], str | None]:
    organization = organization_for(caller, "ListTargetsForPolicy", _policy_arn(policy_id))
    policy = _policy(organization, policy_id)
    return (organization, *page(policy.attachments.all(), key="target_id", next_token=next_token,
                                max_results=max_results))


@iam_operation("AttachPolicy", event_source=EVENT_SOURCE)
def attach_policy(*, caller: Caller, policy_id: str, target_id: str) -> None:
    """Under the organization's lock (attachments and policy types change one at a time), and the policy's: a
    DeletePolicy under way (which takes only the policy's) finishes first, and the attach then finds no policy."""
    organization = organization_for(caller, "AttachPolicy", _policy_arn(policy_id), lock=True)
    policy = _policy(organization, policy_id, lock=True)
    target_kind(organization, target_id)
    if policy.policy_type not in organization.enabled_policy_types:
        raise PolicyTypeNotEnabledException()
    attached = PolicyAttachment.objects.filter(target_id=target_id, policy_type=policy.policy_type)
    if attached.filter(policy=policy).exists():
        raise DuplicatePolicyAttachmentException()
    if attached.count() >= MAX_PER_TARGET:
        raise constraint_violation("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                                   f"A root, OU or account takes at most {MAX_PER_TARGET} policies of a type.")
    PolicyAttachment.objects.create(policy=policy, target_id=target_id, policy_type=policy.policy_type)


@iam_operation("DetachPolicy", event_source=EVENT_SOURCE)
def detach_policy(*, caller: Caller, policy_id: str, target_id: str) -> None:
    """Every node keeps at least one policy of each enabled type (AWS: at least one SCP)."""
    organization = organization_for(caller, "DetachPolicy", _policy_arn(policy_id), lock=True)
    policy = _policy(organization, policy_id)
    target_kind(organization, target_id)
    attached = PolicyAttachment.objects.filter(target_id=target_id, policy_type=policy.policy_type)
    attachment = attached.filter(policy=policy).first()
    if attachment is None:
        raise PolicyNotAttachedException()
    if attached.count() <= 1:
        raise constraint_violation("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                                   "You attempted to detach a policy from an entity that would cause the entity to "
                                   "have fewer than the minimum number of policies of a certain type required.")
    attachment.delete()
