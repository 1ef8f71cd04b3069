"""The reserved roles: a permission set made, kept in step and removed as a role in each account it reaches.

Only this module writes reserved roles (the directory's own role operations refuse them to everyone, the
account's administrators included). A role holds exactly what its permission set says: the AWS managed policies,
the customer managed policies its references name (looked up in the role's account), the inline policy as
`AwsSSOInlinePolicy`, the permissions boundary, and the session duration as its maximum. Its trust policy names
the SAML provider AWS names (`AWSSSO_<instance hex>_DO_NOT_DELETE`), which no account holds: no caller can assume
the role through STS; the access portal issues its sessions itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from directory.models import Role, RoleInlinePolicy, RolePermissionsBoundary, RolePolicyAttachment
from iam_console import identifiers as iam_identifiers
from identitycenter import identifiers
from identitycenter.models import PermissionSet, ProvisionedRole
from policies.models import ManagedPolicy


class ProvisioningFailure(Exception):
    """The set cannot reach the account; `reason` is the FailureReason its status reports."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RoleContent:
    """What a reserved role must hold in one account."""

    policy_ids: frozenset[int]
    inline: str
    boundary_id: int | None
    max_session_duration: int


def trust_policy(permission_set: PermissionSet, account_id: str) -> str:
    provider = f"arn:aws:iam::{account_id}:saml-provider/AWSSSO_{permission_set.instance_id[7:]}_DO_NOT_DELETE"
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]})


def _customer_policy(account_id: str, name: str, path: str) -> ManagedPolicy:
    policy = ManagedPolicy.objects.filter(account_id=account_id, is_system=False, path=path,
                                          policy_name_key=name.lower()).first()
    if policy is None:
        arn = iam_identifiers.policy_arn(account_id, path, name)
        raise ProvisioningFailure(f"Received a 404 status error: Not supported policy {arn}.")
    return policy


def _aws_managed_ids(permission_set: PermissionSet) -> list[int]:
    """The AWS managed policies of the set, in one query (the same in every account)."""
    wanted = Q(pk__in=[])
    for arn in permission_set.managed_policies.values_list("policy_arn", flat=True):
        _, _, rest = arn.partition(":policy")
        path, _, name = rest.rpartition("/")
        wanted |= Q(path=f"{path}/", policy_name_key=name.lower())
    return list(ManagedPolicy.objects.filter(wanted, is_system=True).values_list("pk", flat=True))


def content_for(permission_set: PermissionSet, account: Account) -> RoleContent:
    """What the role must hold in `account`; ProvisioningFailure when the account cannot take it."""
    if not account.is_active:
        raise ProvisioningFailure(f"Received a 400 status error: The target account {account.pk} is not active "
                                  f"(it is {account.status}).")
    policy_ids = set(_aws_managed_ids(permission_set))
    for reference in permission_set.customer_policies.all():
        policy_ids.add(_customer_policy(account.pk, reference.name, reference.path).pk)
    boundary_id = None
    if permission_set.boundary_managed_arn:
        _, _, rest = permission_set.boundary_managed_arn.partition(":policy")
        path, _, name = rest.rpartition("/")
        boundary = ManagedPolicy.objects.filter(is_system=True, path=f"{path}/", policy_name_key=name.lower()).first()
        boundary_id = boundary.pk if boundary is not None else None
    elif permission_set.boundary_name:
        boundary_id = _customer_policy(account.pk, permission_set.boundary_name, permission_set.boundary_path).pk
    return RoleContent(policy_ids=frozenset(policy_ids), inline=permission_set.inline_policy, boundary_id=boundary_id,
                       max_session_duration=identifiers.session_seconds(permission_set.session_duration))


def role_content(role: Role) -> RoleContent:
    """What a role holds now (for the drift report and to change only what differs)."""
    inline = RoleInlinePolicy.objects.filter(role=role, policy_name=identifiers.INLINE_POLICY_NAME).first()
    boundary = RolePermissionsBoundary.objects.filter(role=role).first()
    return RoleContent(
        policy_ids=frozenset(RolePolicyAttachment.objects.filter(role=role).values_list("policy_id", flat=True)),
        inline=inline.document if inline else "", boundary_id=boundary.policy_id if boundary else None,
        max_session_duration=role.max_session_duration)


def _write(role: Role, want: RoleContent, have: RoleContent | None) -> None:
    have = have or RoleContent(frozenset(), "", None, role.max_session_duration)
    if want.policy_ids != have.policy_ids:
        RolePolicyAttachment.objects.filter(role=role, policy_id__in=have.policy_ids - want.policy_ids).delete()
        RolePolicyAttachment.objects.bulk_create([RolePolicyAttachment(role=role, policy_id=policy_id)
                                                  for policy_id in want.policy_ids - have.policy_ids])
    if want.inline != have.inline:
        RoleInlinePolicy.objects.filter(role=role).delete()
        if want.inline:
            RoleInlinePolicy.objects.create(role=role, policy_name=identifiers.INLINE_POLICY_NAME,
                                            document=want.inline)
    if want.boundary_id != have.boundary_id:
        RolePermissionsBoundary.objects.filter(role=role).delete()
        if want.boundary_id is not None:
            RolePermissionsBoundary.objects.create(role=role, policy_id=want.boundary_id)
    if want.max_session_duration != role.max_session_duration:
        Role.objects.filter(pk=role.pk).update(max_session_duration=want.max_session_duration)


def provision(permission_set: PermissionSet, account: Account) -> Role:
    """Make or bring in step the set's role in `account`, in one transaction; ProvisioningFailure changes nothing."""
    with transaction.atomic():
        want = content_for(permission_set, account)
        record = ProvisionedRole.objects.select_for_update().filter(permission_set=permission_set,
                                                                    account=account).select_related("role").first()
        if record is None:
            role = Role.objects.create(
                account=account, role_name=identifiers.role_name(permission_set.name, permission_set.ps_id),
                path=identifiers.ROLE_PATH, role_id=iam_identifiers.new_unique_id(iam_identifiers.ROLE_ID_PREFIX),
                description="", assume_role_policy_document=trust_policy(permission_set, account.pk),
                max_session_duration=want.max_session_duration)
            _write(role, want, None)
            ProvisionedRole.objects.create(permission_set=permission_set, account=account, role=role,
                                           revision=permission_set.revision)
            return role
        _write(record.role, want, role_content(record.role))
        record.revision, record.provisioned_at = permission_set.revision, timezone.now()
        record.save(update_fields=["revision", "provisioned_at"])
        return record.role


def remove_roles(permission_set: PermissionSet, account_ids: Iterable[str] | None) -> int:
    """Delete the set's roles in these accounts (every account when None); their sessions end with them."""
    records = ProvisionedRole.objects.filter(permission_set=permission_set)
    if account_ids is not None:
        records = records.filter(account_id__in=list(account_ids))
    role_ids = list(records.values_list("role_id", flat=True))
    RolePolicyAttachment.objects.filter(role_id__in=role_ids).delete()
    RoleInlinePolicy.objects.filter(role_id__in=role_ids).delete()
    RolePermissionsBoundary.objects.filter(role_id__in=role_ids).delete()
    deleted, _ = Role.objects.filter(pk__in=role_ids).delete()  # the ProvisionedRole rows go with them
    return len(role_ids)


@dataclass(frozen=True)
class Drift:
    """Where one provisioned role differs from its permission set (empty `differences`: in step)."""

    account_id: str
    role_name: str
    revision_behind: bool
    differences: tuple[str, ...]


def drift_report(permission_set: PermissionSet) -> list[Drift]:
    """Every provisioned role of the set, compared with what the set says now."""
    found = []
    for record in ProvisionedRole.objects.filter(permission_set=permission_set).select_related("role", "account"):
        have = role_content(record.role)
        try:
            want = content_for(permission_set, record.account)
        except ProvisioningFailure as failure:
            found.append(Drift(record.account_id, record.role.role_name, True, (failure.reason,)))
            continue
        differences = tuple(label for label, same in (
            ("managed policies", want.policy_ids == have.policy_ids), ("inline policy", want.inline == have.inline),
            ("permissions boundary", want.boundary_id == have.boundary_id),
            ("session duration", want.max_session_duration == have.max_session_duration)) if not same)
        found.append(Drift(record.account_id, record.role.role_name, record.revision != permission_set.revision,
                           differences))
    return found
