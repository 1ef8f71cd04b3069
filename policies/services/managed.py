"""Managed policy operations: Create/Get/List/DeletePolicy and the version operations."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from iam_console import identifiers
from iam_console.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    UnmodifiableEntity,
    ValidationError,
)
from iam_console.operations import iam_operation
from iam_console.pagination import Page, keyset_page
from iam_console.tagging import request_tag_context
from iam_console.validation import TAGS_PER_ENTITY, validate_path, validate_path_prefix, validate_tags
from policies.authorization import Caller, authorize_caller, authorize_unknown
from policies.ceilings import enforce_ceilings
from policies.documents import checked_document
from policies.models import SYSTEM_POLICY_ACCOUNT, ManagedPolicy, PolicyTag, PolicyVersion

POLICY_NAME_PATTERN = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
VERSIONS_PER_POLICY = 5
USAGE_FILTERS = ("PermissionsPolicy", "PermissionsBoundary")
_ARN = re.compile(r"arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}|aws):policy(?P<path>/(?:[\x21-\x7e]*/)?)"
                  r"(?P<name>[\w+=,.@-]{1,128})")


def managed_policy_arn(account_id: str | None, path: str, name: str) -> str:
    """A managed policy's ARN: of its account, or (no account) AWS-managed, arn:aws:iam::aws:policy/…"""
    return identifiers.policy_arn(account_id or SYSTEM_POLICY_ACCOUNT, path, name)


def validate_policy_name(name: object, field: str = "policyName") -> str:
    if not isinstance(name, str) or not POLICY_NAME_PATTERN.fullmatch(name):
        raise ValidationError(f"{field} must be 1 to 128 characters from letters, digits and +=,.@_-")
    return name


def check_policy_arn(policy_arn: object) -> re.Match:
    """The parts of a well-formed policy ARN, or InvalidInput. Checked before any entity is looked up, so a
    malformed ARN is answered the same whether the user, group or role named beside it exists or not."""
    match = _ARN.fullmatch(policy_arn) if isinstance(policy_arn, str) else None
    if match is None:
        raise InvalidInput(f"ARN {policy_arn} is not valid: expected arn:aws:iam::<account>:policy/<path><name>.")
    return match


def policy_by_arn(account_id: str, policy_arn: object, *, for_update: bool = False) -> ManagedPolicy:
    """An AWS-managed policy, or a customer managed policy of the account `account_id`: another account's policy
    is not found, as one that does not exist (and as in AWS, it cannot be attached)."""
    match = check_policy_arn(policy_arn)
    is_system = match["account"] == SYSTEM_POLICY_ACCOUNT
    if not is_system and match["account"] != account_id:
        authorize_unknown(policy_arn)
        raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
    queryset = ManagedPolicy.objects.filter(account_id=None if is_system else account_id, is_system=is_system,
                                            policy_name_key=match["name"].lower(), path=match["path"])
    if for_update:
        queryset = queryset.select_for_update()
    policy = queryset.first()
    if policy is None:
        authorize_unknown(policy_arn)
        raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
    return policy


def customer_policy(account_id: str, policy_arn: str, *, for_update: bool = False) -> ManagedPolicy:
    policy = policy_by_arn(account_id, policy_arn, for_update=for_update)
    if policy.is_system:
        raise UnmodifiableEntity(f"Policy {policy_arn} is managed by the product and cannot be changed.")
    return policy


def _version_number(version_id: object) -> int:
    if not isinstance(version_id, str) or not re.fullmatch(r"v[1-9]\d{0,6}", version_id):
        raise ValidationError(f"version_id must look like v1, v2, …, not {version_id!r}")
    return int(version_id[1:])


@iam_operation("CreatePolicy")
def create_policy(*, caller: Caller, policy_name: str, policy_document: object, path: str = "/",
                  description: str = "", tags: list[dict] | None = None) -> ManagedPolicy:
    validate_policy_name(policy_name)
    path = validate_path(path)
    if len(description or "") > 1000:
        raise ValidationError("description must be at most 1000 characters")
    tag_map = validate_tags(tags or [])
    if len(tag_map) > TAGS_PER_ENTITY:
        raise LimitExceeded(f"A policy can have at most {TAGS_PER_ENTITY} tags.")
    arn = managed_policy_arn(caller.account_id, path, policy_name)
    authorize_caller(caller, "iam:CreatePolicy", arn, request_tag_context(tag_map))
    if tag_map:
        authorize_caller(caller, "iam:TagPolicy", arn, request_tag_context(tag_map))
    document = checked_document(policy_document, size_limit="managed")
    enforce_ceilings(caller.account_id, path, document, written=f"policy {path}{policy_name}")
    if ManagedPolicy.objects.filter(account_id=caller.account_id, policy_name_key=policy_name.lower()).exists():
        raise EntityAlreadyExists(f"A policy called {policy_name} already exists. Duplicate names are not allowed.")
    try:
        with transaction.atomic():
            policy = ManagedPolicy.objects.create(
                account_id=caller.account_id, policy_name=policy_name, path=path, description=description or "",
                policy_id=identifiers.new_unique_id(identifiers.POLICY_ID_PREFIX))
    except IntegrityError:
        raise EntityAlreadyExists(f"A policy called {policy_name} already exists. Duplicate names are not allowed.") \
            from None
    PolicyVersion.objects.create(policy=policy, version_id="v1", document=document, is_default_version=True)
    PolicyTag.objects.bulk_create([PolicyTag(policy=policy, key=key, value=value) for key, value in tag_map.items()])
    policy.attachment_count = policy.boundary_count = 0
    return policy


@iam_operation("GetPolicy")
def get_policy(*, caller: Caller, policy_arn: str) -> ManagedPolicy:
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, "iam:GetPolicy", policy.arn)
    return with_usage(policy, caller.account_id)


def with_usage(policy: ManagedPolicy, account_id: str) -> ManagedPolicy:
    """The policy with its AttachmentCount and PermissionsBoundaryUsageCount in the account, as GetPolicy shows."""
    policy.attachment_count = attachment_count(policy, account_id)
    policy.boundary_count = boundary_usage_count(policy, account_id)
    return policy


# Each kind of use of a policy, and the holder it reaches its account through. An AWS-managed policy is shared by
# every account, so its uses are always counted (and listed) for one account: another account's are not seen.
_HOLDERS = {"user_attachments": "user", "group_attachments": "group", "role_attachments": "role",
            "user_boundaries": "user", "role_boundaries": "role"}


def _uses_in(policy: ManagedPolicy, relation: str, account_id: str) -> int:
    return getattr(policy, relation).filter(**{f"{_HOLDERS[relation]}__account_id": account_id}).count()


def attachment_count(policy: ManagedPolicy, account_id: str) -> int:
    """AWS's AttachmentCount, within one account."""
    return sum(_uses_in(policy, relation, account_id)
               for relation in ("user_attachments", "group_attachments", "role_attachments"))


def boundary_usage_count(policy: ManagedPolicy, account_id: str) -> int:
    """AWS's PermissionsBoundaryUsageCount: the users and roles of one account this policy bounds."""
    return sum(_uses_in(policy, relation, account_id) for relation in ("user_boundaries", "role_boundaries"))


def _uses(relation: str, account_id: str) -> Coalesce:
    """How many rows of a kind of use (an attachment or a boundary, held by the directory and reached through
    the reverse relation) name the policy in the account: one correlated count each, so five kinds never multiply
    joins."""
    model = ManagedPolicy._meta.get_field(relation).related_model
    counted = (model.objects.filter(policy=OuterRef("pk"), **{f"{_HOLDERS[relation]}__account_id": account_id})
               .order_by().values("policy").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def visible_policies(account_id: str) -> QuerySet[ManagedPolicy]:
    """The managed policies an account sees: its own customer managed policies and the AWS-managed ones."""
    return ManagedPolicy.objects.filter(Q(account_id=account_id) | Q(is_system=True))


@iam_operation("ListPolicies")
def list_policies(*, caller: Caller, scope: str = "All", only_attached: bool = False, path_prefix: str = "/",
                  marker: str | None = None, max_items: int | None = None,
                  usage_filter: str | None = None) -> Page[ManagedPolicy]:
    if scope not in ("All", "AWS", "Local"):
        raise ValidationError("scope must be All, AWS or Local")
    if usage_filter not in (None, *USAGE_FILTERS):
        raise ValidationError(f"usage_filter must be one of {', '.join(USAGE_FILTERS)}")
    prefix = validate_path_prefix(path_prefix)
    authorize_caller(caller, "iam:ListPolicies", "*")
    account = caller.account_id
    queryset = visible_policies(account).annotate(
        attachment_count=_uses("user_attachments", account) + _uses("group_attachments", account)
        + _uses("role_attachments", account),
        boundary_count=_uses("user_boundaries", account) + _uses("role_boundaries", account))
    if scope != "All":
        queryset = queryset.filter(is_system=(scope == "AWS"))
    if prefix != "/":
        queryset = queryset.filter(path__startswith=prefix)
    # AWS: OnlyAttached counts permissions-policy attachments; PolicyUsageFilter picks which use to count.
    if usage_filter == "PermissionsBoundary":
        queryset = queryset.filter(boundary_count__gt=0) if only_attached else queryset
    elif only_attached:
        queryset = queryset.filter(attachment_count__gt=0)
    # policy_id is unique and stable; names may repeat across the AWS and Local scopes.
    return keyset_page(queryset, key="policy_id", marker=marker, max_items=max_items)


@iam_operation("DeletePolicy")
def delete_policy(*, caller: Caller, policy_arn: str) -> None:
    policy = customer_policy(caller.account_id, policy_arn, for_update=True)
    authorize_caller(caller, "iam:DeletePolicy", policy.arn)
    if (policy.user_attachments.exists() or policy.group_attachments.exists() or policy.user_boundaries.exists()
            or policy.role_attachments.exists() or policy.role_boundaries.exists()):
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if policy.ceilings.exists():
        prefixes = ", ".join(policy.ceilings.values_list("path_prefix", flat=True))
        raise DeleteConflict(f"Cannot delete a policy that is the policy ceiling for path prefix {prefixes}: delete "
                             "the ceiling first.")
    if policy.versions.filter(is_default_version=False).exists():
        raise DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete "
                             "the policy's non-default versions.")
    policy.delete()


@iam_operation("CreatePolicyVersion")
def create_policy_version(*, caller: Caller, policy_arn: str, policy_document: object,
                          set_as_default: bool = False) -> PolicyVersion:
    policy = customer_policy(caller.account_id, policy_arn, for_update=True)
    authorize_caller(caller, "iam:CreatePolicyVersion", policy.arn)
    document = checked_document(policy_document, size_limit="managed")
    enforce_ceilings(caller.account_id, policy.path, document, written=f"policy {policy.arn}", policy_pk=policy.pk)
    if policy.versions.count() >= VERSIONS_PER_POLICY:
        raise LimitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you "
                            "must delete an existing version.")
    policy.last_version_number += 1
    version_id = f"v{policy.last_version_number}"
    if set_as_default:
        policy.versions.filter(is_default_version=True).update(is_default_version=False)
        policy.default_version_id = version_id
    policy.update_date = timezone.now()
    policy.save(update_fields=["last_version_number", "default_version_id", "update_date"])
    return PolicyVersion.objects.create(policy=policy, version_id=version_id, document=document,
                                        is_default_version=bool(set_as_default))


def _version(policy: ManagedPolicy, version_id: str, *, for_update: bool = False) -> PolicyVersion:
    _version_number(version_id)
    queryset = policy.versions.filter(version_id=version_id)
    if for_update:
        queryset = queryset.select_for_update()
    version = queryset.first()
    if version is None:
        raise NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist.")
    return version


@iam_operation("GetPolicyVersion")
def get_policy_version(*, caller: Caller, policy_arn: str, version_id: str) -> PolicyVersion:
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, "iam:GetPolicyVersion", policy.arn)
    return _version(policy, version_id)


@iam_operation("ListPolicyVersions")
def list_policy_versions(*, caller: Caller, policy_arn: str) -> list[PolicyVersion]:
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, "iam:ListPolicyVersions", policy.arn)
    return sorted(policy.versions.all(), key=lambda version: -int(version.version_id[1:]))


@iam_operation("SetDefaultPolicyVersion")
def set_default_policy_version(*, caller: Caller, policy_arn: str, version_id: str) -> ManagedPolicy:
    policy = customer_policy(caller.account_id, policy_arn, for_update=True)
    authorize_caller(caller, "iam:SetDefaultPolicyVersion", policy.arn)
    version = _version(policy, version_id, for_update=True)
    if not version.is_default_version:
        policy.versions.filter(is_default_version=True).update(is_default_version=False)
        PolicyVersion.objects.filter(pk=version.pk).update(is_default_version=True)
        policy.default_version_id = version.version_id
        policy.update_date = timezone.now()
        policy.save(update_fields=["default_version_id", "update_date"])
    return with_usage(policy, caller.account_id)


@iam_operation("DeletePolicyVersion")
def delete_policy_version(*, caller: Caller, policy_arn: str, version_id: str) -> None:
    policy = customer_policy(caller.account_id, policy_arn, for_update=True)
    authorize_caller(caller, "iam:DeletePolicyVersion", policy.arn)
    version = _version(policy, version_id, for_update=True)
    if version.is_default_version:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    version.delete()
