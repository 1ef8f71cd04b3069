"""What attaching, inlining and bounding policies means for any holder of policies: a user, a group or a role.

IAM spells each of these operations once per kind of entity (AttachUserPolicy, AttachGroupPolicy,
AttachRolePolicy …) with the same rules; they live here once, and the named operations in attachments.py,
inline.py, boundaries.py and role_policies.py say which kind they act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from directory import lookups
from directory.models import (
    GroupInlinePolicy,
    GroupPolicyAttachment,
    RoleInlinePolicy,
    RolePermissionsBoundary,
    RolePolicyAttachment,
    UserInlinePolicy,
    UserPermissionsBoundary,
    UserPolicyAttachment,
)
from iam_console.errors import LimitExceeded, NoSuchEntity
from policies.authorization import Caller, authorize_caller
from policies.ceilings import enforce_ceilings
from policies.documents import checked_document, non_whitespace_length
from policies.language import SIZE_LIMITS
from policies.models import ManagedPolicy
from policies.services.managed import check_policy_arn, policy_by_arn, validate_policy_name


@dataclass(frozen=True)
class EntityKind:
    """A kind of policy holder: how to find one, and where its attachments, inline policies and boundary live."""

    name: str  # "User", "Group", "Role": as in the action names (iam:AttachUserPolicy)
    field: str  # the foreign key on the attachment and inline models
    find: Callable[..., models.Model]  # (account id, name, *, for_update) -> the entity, or NoSuchEntity
    entity_name: Callable[[models.Model], str]
    attachments: type[models.Model]
    inline: type[models.Model]
    size_limit: str  # the SIZE_LIMITS key of the aggregate of its inline policies
    attached_via: str  # ManagedPolicy's reverse accessor for the attachments
    boundary: type[models.Model] | None = None

    @property
    def label(self) -> str:
        return self.name.lower()


USER = EntityKind("User", "user", lookups.user_by_name, lambda user: user.user_name, UserPolicyAttachment,
                  UserInlinePolicy, "user_inline", "user_attachments", UserPermissionsBoundary)
GROUP = EntityKind("Group", "group", lookups.group_by_name, lambda group: group.group_name, GroupPolicyAttachment,
                   GroupInlinePolicy, "group_inline", "group_attachments")
ROLE = EntityKind("Role", "role", lookups.role_by_name, lambda role: role.role_name, RolePolicyAttachment,
                  RoleInlinePolicy, "role_inline", "role_attachments", RolePermissionsBoundary)


def _quota() -> int:
    return settings.IAM_MANAGED_POLICIES_PER_ENTITY


def attach(kind: EntityKind, *, caller: Caller, name: str, policy_arn: str) -> None:
    check_policy_arn(policy_arn)
    entity = kind.find(caller.account_id, name, for_update=True)  # the row lock keeps the quota exact under concurrency
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, f"iam:Attach{kind.name}Policy", entity.arn, {"iam:PolicyARN": policy.arn})
    lookups.refuse_protected(entity)
    attached = kind.attachments.objects.filter(**{kind.field: entity})
    if attached.filter(policy=policy).exists():
        return  # attaching twice is not an error in IAM
    if attached.count() >= _quota():
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPer{kind.name}: {_quota()}")
    kind.attachments.objects.create(**{kind.field: entity, "policy": policy})


def detach(kind: EntityKind, *, caller: Caller, name: str, policy_arn: str) -> None:
    check_policy_arn(policy_arn)
    entity = kind.find(caller.account_id, name, for_update=True)
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, f"iam:Detach{kind.name}Policy", entity.arn, {"iam:PolicyARN": policy.arn})
    lookups.refuse_protected(entity)
    deleted, _ = kind.attachments.objects.filter(**{kind.field: entity, "policy": policy}).delete()
    if not deleted:
        raise NoSuchEntity(f"Policy {policy.arn} was not found.")


def list_attached(kind: EntityKind, *, caller: Caller, name: str) -> list[ManagedPolicy]:
    entity = kind.find(caller.account_id, name)
    authorize_caller(caller, f"iam:ListAttached{kind.name}Policies", entity.arn)
    attached = {f"{kind.attached_via}__{kind.field}": entity}
    return list(ManagedPolicy.objects.filter(**attached).order_by("policy_name_key"))


def put_inline(kind: EntityKind, *, caller: Caller, name: str, policy_name: str, policy_document: str):
    validate_policy_name(policy_name)
    entity = kind.find(caller.account_id, name, for_update=True)
    authorize_caller(caller, f"iam:Put{kind.name}Policy", entity.arn)
    lookups.refuse_protected(entity)
    document = checked_document(policy_document, size_limit=kind.size_limit)
    enforce_ceilings(caller.account_id, entity.path, document,
                     written=f"inline policy {policy_name} of {kind.label} {kind.entity_name(entity)}")
    others = kind.inline.objects.filter(**{kind.field: entity}).exclude(policy_name_key=policy_name.lower())
    # IAM limits the total size of all inline policies of an entity, not each one.
    limit = SIZE_LIMITS[kind.size_limit]
    total = sum(non_whitespace_length(text) for text in others.values_list("document", flat=True)) \
        + non_whitespace_length(document)
    if total > limit:
        raise LimitExceeded(f"Maximum policy size of {limit} bytes exceeded for {kind.label} "
                            f"{kind.entity_name(entity)}: the inline policies would total {total} characters "
                            "(whitespace not counted).")
    policy, _ = kind.inline.objects.update_or_create(
        **{kind.field: entity}, policy_name_key=policy_name.lower(),
        defaults={"policy_name": policy_name, "document": document, "update_date": timezone.now()})
    return policy


def _inline_not_found(kind: EntityKind, policy_name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The {kind.label} policy with name {policy_name} cannot be found.")


def get_inline(kind: EntityKind, *, caller: Caller, name: str, policy_name: str):
    entity = kind.find(caller.account_id, name)
    authorize_caller(caller, f"iam:Get{kind.name}Policy", entity.arn)
    policy = kind.inline.objects.filter(**{kind.field: entity}, policy_name_key=str(policy_name).lower()).first()
    if policy is None:
        raise _inline_not_found(kind, policy_name)
    return policy


def delete_inline(kind: EntityKind, *, caller: Caller, name: str, policy_name: str) -> None:
    entity = kind.find(caller.account_id, name, for_update=True)
    authorize_caller(caller, f"iam:Delete{kind.name}Policy", entity.arn)
    lookups.refuse_protected(entity)
    deleted, _ = kind.inline.objects.filter(**{kind.field: entity},
                                            policy_name_key=str(policy_name).lower()).delete()
    if not deleted:
        raise _inline_not_found(kind, policy_name)


def list_inline(kind: EntityKind, *, caller: Caller, name: str) -> list[str]:
    entity = kind.find(caller.account_id, name)
    authorize_caller(caller, f"iam:List{kind.name}Policies", entity.arn)
    return list(kind.inline.objects.filter(**{kind.field: entity}).values_list("policy_name", flat=True))


def put_boundary(kind: EntityKind, *, caller: Caller, name: str, permissions_boundary: str) -> ManagedPolicy:
    check_policy_arn(permissions_boundary)
    entity = kind.find(caller.account_id, name, for_update=True)
    policy = policy_by_arn(caller.account_id, permissions_boundary)
    authorize_caller(caller, f"iam:Put{kind.name}PermissionsBoundary", entity.arn,
                     {"iam:PermissionsBoundary": policy.arn})
    lookups.refuse_protected(entity)
    kind.boundary.objects.update_or_create(**{kind.field: entity}, defaults={"policy": policy})
    return policy


def delete_boundary(kind: EntityKind, *, caller: Caller, name: str) -> None:
    entity = kind.find(caller.account_id, name, for_update=True)
    authorize_caller(caller, f"iam:Delete{kind.name}PermissionsBoundary", entity.arn)
    lookups.refuse_protected(entity)
    deleted, _ = kind.boundary.objects.filter(**{kind.field: entity}).delete()
    if not deleted:
        raise NoSuchEntity(f"The {kind.label} {kind.entity_name(entity)} has no permissions boundary.")
