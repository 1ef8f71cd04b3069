"""Writes every account-making path shares: a new account joins the organization, under its root, with AWS's
full-access policy of each enabled type attached (the services of the organizations app decide the rest)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from accounts.models import Account, Organization, OrganizationPolicy, PolicyAttachment

# The AWS-managed policy attached to every node when its type is enabled.
FULL_ACCESS = {"SERVICE_CONTROL_POLICY": "p-FullAWSAccess", "RESOURCE_CONTROL_POLICY": "p-RCPFullAWSAccess"}
_AWS_MANAGED = (
    ("p-FullAWSAccess", "SERVICE_CONTROL_POLICY", "FullAWSAccess",
     {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    ("p-RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", "RCPFullAWSAccess",
     {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
)


def sync_aws_managed_policies() -> None:
    """AWS's own SCP and RCP, present in every directory (after every migrate)."""
    for policy_id, policy_type, name, document in _AWS_MANAGED:
        OrganizationPolicy.objects.update_or_create(id=policy_id, defaults={
            "policy_type": policy_type, "name": name, "description": "Allows access to every operation",
            "aws_managed": True, "content": json.dumps(document, indent=4)})


def attach_full_access(organization: Organization, target_ids: Iterable[str], *,
                       types: Iterable[str] | None = None) -> None:
    """Attach AWS's full-access policy of each enabled type (or of `types`) to new nodes, as AWS does."""
    kinds = list(types if types is not None else organization.enabled_policy_types)
    PolicyAttachment.objects.bulk_create(
        [PolicyAttachment(policy_id=FULL_ACCESS[kind], target_id=target, policy_type=kind)
         for kind in kinds for target in target_ids], ignore_conflicts=True)


def join_organization(account: Account) -> None:
    """A new account of the directory joins its organization, if it has one, under the root."""
    organization = Organization.objects.first()
    if organization is None:
        return
    account.organization = organization
    account.parent_unit = None
    account.save(update_fields=["organization", "parent_unit"])
    attach_full_access(organization, [account.pk])
