"""Organizations' ids and ARNs, as AWS makes them."""

from __future__ import annotations

import secrets
import string

from django.conf import settings

from accounts.models import Organization, OrganizationPolicy
from accounts.tree import FULL_ACCESS

_LOWER = string.ascii_lowercase + string.digits
SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY"
RESOURCE_CONTROL_POLICY = "RESOURCE_CONTROL_POLICY"
GUARDRAIL_TYPES = (SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY)


def _random(length: int) -> str:
    return "".join(secrets.choice(_LOWER) for _ in range(length))


def new_organization_id() -> str:
    return "o-" + _random(10)


def new_root_id() -> str:
    return "r-" + _random(4)


def new_unit_id(root_id: str) -> str:
    return f"ou-{root_id[2:]}-{_random(8)}"


def new_policy_id() -> str:
    return "p-" + _random(8)


def new_resource_policy_id() -> str:
    return "rp-" + _random(8)


def new_create_account_request_id() -> str:
    return "car-" + _random(32)


def _arn(organization: Organization, resource: str) -> str:
    return f"arn:{settings.IAM_PARTITION}:organizations::{organization.management_account_id}:{resource}"


def arn_prefix(organization: Organization) -> str:
    """What every ARN of the organization's own resources begins with."""
    return _arn(organization, "")


def organization_arn(organization: Organization) -> str:
    return _arn(organization, f"organization/{organization.id}")


def root_arn(organization: Organization) -> str:
    return _arn(organization, f"root/{organization.id}/{organization.root_id}")


def unit_arn(organization: Organization, unit_id: str) -> str:
    return _arn(organization, f"ou/{organization.id}/{unit_id}")


def resource_policy_arn(organization: Organization, resource_policy_id: str) -> str:
    return _arn(organization, f"resourcepolicy/{organization.id}/{resource_policy_id}")


def account_arn(organization: Organization, account_id: str) -> str:
    return _arn(organization, f"account/{organization.id}/{account_id}")


def policy_arn(organization: Organization | None, policy: OrganizationPolicy | str, policy_type: str = "") -> str:
    policy_id = policy if isinstance(policy, str) else policy.id
    kind = (policy_type or policy.policy_type).lower()  # type: ignore[union-attr]
    if policy_id in FULL_ACCESS.values() or organization is None:
        return f"arn:{settings.IAM_PARTITION}:organizations::aws:policy/{kind}/{policy_id}"
    return _arn(organization, f"policy/{organization.id}/{kind}/{policy_id}")


def target_type(target_id: str) -> str:
    """ROOT, ORGANIZATIONAL_UNIT or ACCOUNT, as an id's form says."""
    if target_id.startswith("r-"):
        return "ROOT"
    return "ORGANIZATIONAL_UNIT" if target_id.startswith("ou-") else "ACCOUNT"


def target_arn(organization: Organization, target_id: str) -> str:
    """The ARN of a root, an OU or an account, by its id."""
    if target_id.startswith("r-"):
        return root_arn(organization)
    if target_id.startswith("ou-"):
        return unit_arn(organization, target_id)
    return account_arn(organization, target_id)
