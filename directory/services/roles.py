"""Role operations: Create/Get/Update/DeleteRole, UpdateAssumeRolePolicy, ListRoles, Tag/Untag/ListRoleTags."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F

from directory import lookups
from directory.models import Role, RoleTag
from iam_console import identifiers
from iam_console.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    ValidationError,
)
from iam_console.operations import iam_operation
from iam_console.pagination import Page, keyset_page
from iam_console.tagging import merge_tags, remove_tags, request_tag_context
from iam_console.validation import (
    TAGS_PER_ENTITY,
    validate_name,
    validate_path,
    validate_path_prefix,
    validate_tag_key,
    validate_tags,
)
from policies.authorization import Caller, authorize_caller
from policies.documents import TRUST_POLICY, checked_document
from policies.language import invalidate

ROLE_NAME_MAX = 64
DESCRIPTION_MAX = 1000
MIN_SESSION_DURATION = 3600
MAX_SESSION_DURATION = 43200
_DESCRIPTION = re.compile(r"[\t\n\r\u0020-\u007E\u00A1-\u00FF]*")


def trust_policy_key(role: Role) -> tuple[str, str]:
    """The compile-cache key of a role's trust policy: a new version on every UpdateAssumeRolePolicy."""
    return f"role-trust:{role.role_id}", str(role.trust_policy_version)


def validate_description(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > DESCRIPTION_MAX or not _DESCRIPTION.fullmatch(value):
        raise ValidationError(f"description must be at most {DESCRIPTION_MAX} printable characters")
    return value


def validate_max_session_duration(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("maxSessionDuration must be a whole number of seconds from 3600 to 43200")
    if value < MIN_SESSION_DURATION:
        raise ValidationError(f"1 validation error detected: Value '{value}' at 'maxSessionDuration' failed to "
                              f"satisfy constraint: Member must have value greater than or equal to "
                              f"{MIN_SESSION_DURATION}")
    if value > MAX_SESSION_DURATION:
        raise ValidationError(f"1 validation error detected: Value '{value}' at 'maxSessionDuration' failed to "
                              f"satisfy constraint: Member must have value less than or equal to "
                              f"{MAX_SESSION_DURATION}")
    return value


def checked_trust_policy(document: object) -> str:
    """A trust policy IAM accepts: valid as a TRUST_POLICY, naming no account this directory does not hold."""
    text = checked_document(document, size_limit="trust", policy_type=TRUST_POLICY)
    lookups.refuse_unknown_accounts(text)
    return text


@iam_operation("CreateRole")
def create_role(*, caller: Caller, role_name: str, assume_role_policy_document: str, path: str = "/",
                description: str = "", max_session_duration: int = MIN_SESSION_DURATION,
                permissions_boundary: str | None = None, tags: list[dict] | None = None) -> Role:
    validate_name(role_name, field="roleName", max_length=ROLE_NAME_MAX)
    path = validate_path(path)
    description = validate_description(description)
    max_session_duration = validate_max_session_duration(max_session_duration)
    tag_map = validate_tags(tags or [])
    arn = identifiers.role_arn(caller.account_id, path, role_name)
    context = request_tag_context(tag_map)
    if path.startswith("/aws-reserved/"):
        # Reserved paths hold the roles Identity Center provisions: no one else may place a role there.
        raise InvalidInput("The path /aws-reserved/ is reserved for roles that AWS services create.")
    boundary = None
    if permissions_boundary:
        from policies.services.managed import policy_by_arn

        boundary = policy_by_arn(caller.account_id, permissions_boundary)
        context["iam:PermissionsBoundary"] = boundary.arn
    authorize_caller(caller, "iam:CreateRole", arn, context)
    if tag_map:
        authorize_caller(caller, "iam:TagRole", arn, request_tag_context(tag_map))
    if boundary is not None:
        authorize_caller(caller, "iam:PutRolePermissionsBoundary", arn, {"iam:PermissionsBoundary": boundary.arn})
    if len(tag_map) > TAGS_PER_ENTITY:
        raise LimitExceeded(f"A role can have at most {TAGS_PER_ENTITY} tags.")
    document = checked_trust_policy(assume_role_policy_document)
    if Role.objects.filter(account_id=caller.account_id, role_name_key=role_name.lower()).exists():
        raise EntityAlreadyExists(f"Role with name {role_name} already exists.")
    try:
        with transaction.atomic():
            role = Role.objects.create(account_id=caller.account_id, role_name=role_name, path=path,
                                       description=description,
                                       role_id=identifiers.new_unique_id(identifiers.ROLE_ID_PREFIX),
                                       assume_role_policy_document=document,
                                       max_session_duration=max_session_duration)
    except IntegrityError:
        # Another request created the same name between our check and our insert.
        raise EntityAlreadyExists(f"Role with name {role_name} already exists.") from None
    RoleTag.objects.bulk_create([RoleTag(role=role, key=key, value=value) for key, value in tag_map.items()])
    if boundary is not None:
        from directory.models import RolePermissionsBoundary

        RolePermissionsBoundary.objects.create(role=role, policy=boundary)
    role.refresh_from_db(fields=["role_name_key"])
    return role


@iam_operation("GetRole")
def get_role(*, caller: Caller, role_name: str) -> Role:
    role = lookups.role_by_name(caller.account_id, role_name)
    authorize_caller(caller, "iam:GetRole", role.arn)
    return role


@iam_operation("UpdateRole")
def update_role(*, caller: Caller, role_name: str, description: str | None = None,
                max_session_duration: int | None = None) -> Role:
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)
    authorize_caller(caller, "iam:UpdateRole", role.arn)
    lookups.refuse_protected(role)
    fields = []
    if description is not None:
        role.description = validate_description(description)
        fields.append("description")
    if max_session_duration is not None:
        role.max_session_duration = validate_max_session_duration(max_session_duration)
        fields.append("max_session_duration")
    if fields:
        role.save(update_fields=fields)
    return role


@iam_operation("UpdateRoleDescription")
def update_role_description(*, caller: Caller, role_name: str, description: str) -> Role:
    """AWS's older single-purpose form of UpdateRole; it answers with the updated role."""
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)
    authorize_caller(caller, "iam:UpdateRoleDescription", role.arn)
    lookups.refuse_protected(role)
    role.description = validate_description(description)
    role.save(update_fields=["description"])
    return role


@iam_operation("UpdateAssumeRolePolicy")
def update_assume_role_policy(*, caller: Caller, role_name: str, policy_document: str) -> Role:
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)
    authorize_caller(caller, "iam:UpdateAssumeRolePolicy", role.arn)
    lookups.refuse_protected(role)
    document = checked_trust_policy(policy_document)
    invalidate(trust_policy_key(role)[0])
    Role.objects.filter(pk=role.pk).update(assume_role_policy_document=document,
                                           trust_policy_version=F("trust_policy_version") + 1)
    role.refresh_from_db()
    return role


def role_dependents(role: Role) -> tuple[list[str], list[str]]:
    """(attached managed policy ARNs, inline policy names): what stops DeleteRole."""
    from directory.models import RoleInlinePolicy
    from policies.models import ManagedPolicy

    attached = [p.arn for p in ManagedPolicy.objects.filter(role_attachments__role=role).order_by("policy_name_key")]
    inline = list(RoleInlinePolicy.objects.filter(role=role).values_list("policy_name", flat=True))
    return attached, inline


@iam_operation("DeleteRole")
def delete_role(*, caller: Caller, role_name: str) -> None:
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)
    authorize_caller(caller, "iam:DeleteRole", role.arn)
    lookups.refuse_protected(role)
    attached, inline = role_dependents(role)
    if attached:
        raise DeleteConflict("Cannot delete entity, must detach all policies first.",
                             details={"attached_policies": attached, "inline_policies": inline})
    if inline:
        raise DeleteConflict("Cannot delete entity, must delete policies first.",
                             details={"attached_policies": attached, "inline_policies": inline})
    invalidate(trust_policy_key(role)[0])
    role.delete()  # its sessions go with it: they can no longer authenticate


@iam_operation("ListRoles")
def list_roles(*, caller: Caller, path_prefix: str = "/", marker: str | None = None,
               max_items: int | None = None) -> Page[Role]:
    prefix = validate_path_prefix(path_prefix)
    authorize_caller(caller, "iam:ListRoles", "*")
    queryset = Role.objects.filter(account_id=caller.account_id)
    if prefix != "/":
        queryset = queryset.filter(path__startswith=prefix)
    return keyset_page(queryset, key="role_name_key", marker=marker, max_items=max_items)


@iam_operation("TagRole")
def tag_role(*, caller: Caller, role_name: str, tags: list[dict]) -> list[RoleTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)  # the lock keeps the 50-tag quota exact
    authorize_caller(caller, "iam:TagRole", role.arn, request_tag_context(tag_map))
    lookups.refuse_protected(role)
    return merge_tags(RoleTag, {"role": role}, tag_map, quota_name="TagsPerRole")


@iam_operation("UntagRole")
def untag_role(*, caller: Caller, role_name: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)
    authorize_caller(caller, "iam:UntagRole", role.arn, {"aws:TagKeys": keys})
    lookups.refuse_protected(role)
    remove_tags(RoleTag, {"role": role}, keys)


@iam_operation("ListRoleTags")
def list_role_tags(*, caller: Caller, role_name: str) -> list[RoleTag]:
    role = lookups.role_by_name(caller.account_id, role_name)
    authorize_caller(caller, "iam:ListRoleTags", role.arn)
    return list(RoleTag.objects.filter(role=role))
