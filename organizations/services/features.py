"""What the organization's feature set and policy types answer beyond the tree: EnableAllFeatures and
DescribeEffectivePolicy."""

from __future__ import annotations

from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, is_delegated_administrator, organization_for
from organizations.errors import (
    AccessDeniedException,
    EffectivePolicyNotFoundException,
    HandshakeConstraintViolationException,
    invalid_input,
)
from organizations.services.nodes import target_kind


@iam_operation("EnableAllFeatures", event_source=EVENT_SOURCE)
def enable_all_features(*, caller: Caller) -> None:
    """The directory's organization has every feature from its creation, so AWS's answer for such an organization."""
    organization_for(caller, "EnableAllFeatures", identifiers.organization_arn)
    raise HandshakeConstraintViolationException(
        "The organization has already enabled all features.", Reason="ORGANIZATION_ALREADY_HAS_ALL_FEATURES")


@iam_operation("DescribeEffectivePolicy", event_source=EVENT_SOURCE)
def describe_effective_policy(*, caller: Caller, policy_type: str, target_id: str | None = None) -> None:
    """The effective policy of a management policy type (tag, backup, AI opt-out…) for an account, the caller's by
    default.

    The directory serves only SCPs and RCPs, authorization policies that have no effective policy (the model's
    PolicyType does not name them); no management policy type can be enabled here, so AWS's answer for a type not
    enabled is the only one there is. Any account may ask about itself; another account's is for the management
    account and delegated administrators.
    """
    target = target_id or caller.account_id
    organization = organization_for(caller, "DescribeEffectivePolicy", management_only=False,
                                    resource=lambda org: identifiers.account_arn(org, target))
    if target != caller.account_id and caller.account_id != organization.management_account_id and \
            not is_delegated_administrator(caller.account_id):
        raise AccessDeniedException("Only the management account and delegated administrators may read another "
                                    "account's effective policy.")
    if target_kind(organization, target) != "ACCOUNT":  # TargetNotFoundException for a target not in it
        raise invalid_input("TARGET_NOT_SUPPORTED", "An effective policy is an account's: give an account id.")
    raise EffectivePolicyNotFoundException()
