"""GetAccountAuthorizationDetails: every user, group, role and managed policy with the policies they hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from directory.models import (
    Group,
    GroupPolicyAttachment,
    Role,
    RolePermissionsBoundary,
    RolePolicyAttachment,
    User,
    UserPermissionsBoundary,
    UserPolicyAttachment,
)
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from iam_console.pagination import clean_max_items, decode_marker, encode_marker
from policies.authorization import Caller, authorize_caller
from policies.models import ManagedPolicy, PolicyVersion
from policies.services.managed import visible_policies

ENTITY_FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")


@dataclass
class AuthorizationDetails:
    """One page: the entities in AWS's order (users, groups, roles, then policies), relations prefetched."""

    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    policies: list[ManagedPolicy] = field(default_factory=list)
    is_truncated: bool = False
    marker: str | None = None


def _users(account_id: str) -> QuerySet:
    return (User.objects.iam_users(account_id).select_related("permissions_boundary__policy")
            .prefetch_related("inline_policies", "iam_groups", "tags", "policy_attachments__policy"))


def _groups(account_id: str) -> QuerySet:
    return Group.objects.filter(account_id=account_id).prefetch_related("inline_policies",
                                                                        "policy_attachments__policy")


def _roles(account_id: str) -> QuerySet:
    return (Role.objects.filter(account_id=account_id).select_related("permissions_boundary__policy")
            .prefetch_related("inline_policies", "tags", "policy_attachments__policy"))


def _policies(account_id: str, filters: set[str]) -> QuerySet:
    """The account's own and the AWS-managed policies, with their uses in the account only (an AWS-managed policy
    is shared: another account's attachments are not counted)."""
    def uses(relation: str, model, holder: str) -> Prefetch:
        return Prefetch(relation, queryset=model.objects.filter(**{f"{holder}__account_id": account_id}))

    queryset = visible_policies(account_id).prefetch_related(
        Prefetch("versions", queryset=PolicyVersion.objects.order_by("-create_date", "-id")),
        uses("user_attachments", UserPolicyAttachment, "user"), uses("group_attachments", GroupPolicyAttachment,
                                                                     "group"),
        uses("role_attachments", RolePolicyAttachment, "role"), uses("user_boundaries", UserPermissionsBoundary,
                                                                     "user"),
        uses("role_boundaries", RolePermissionsBoundary, "role"))
    local, aws = "LocalManagedPolicy" in filters, "AWSManagedPolicy" in filters
    if local != aws:
        queryset = queryset.filter(is_system=aws)
    return queryset


# (section, the attribute of AuthorizationDetails it fills, its unique keyset column)
_SECTIONS = (("User", "users", "user_name_key"), ("Group", "groups", "group_name_key"),
             ("Role", "roles", "role_name_key"), ("Policy", "policies", "policy_id"))


@iam_operation("GetAccountAuthorizationDetails")
def get_account_authorization_details(*, caller: Caller, filters: list[str] | None = None,
                                      marker: str | None = None, max_items: int | None = None
                                      ) -> AuthorizationDetails:
    wanted = set(filters or ENTITY_FILTERS)
    if not wanted <= set(ENTITY_FILTERS):
        raise ValidationError(f"filter must name entity types from {', '.join(ENTITY_FILTERS)}")
    authorize_caller(caller, "iam:GetAccountAuthorizationDetails", "*")
    limit = clean_max_items(max_items)
    start_section, after = _position(decode_marker(marker))
    account = caller.account_id
    querysets = {"User": lambda: _users(account), "Group": lambda: _groups(account),
                 "Role": lambda: _roles(account), "Policy": lambda: _policies(account, wanted)}
    include = {"User": "User" in wanted, "Group": "Group" in wanted, "Role": "Role" in wanted,
               "Policy": bool(wanted & {"LocalManagedPolicy", "AWSManagedPolicy"})}
    details, room = AuthorizationDetails(), limit
    names = [section for section, _, _ in _SECTIONS]
    for section, attribute, key in _SECTIONS[names.index(start_section):]:
        if not include[section]:
            continue
        queryset = querysets[section]()
        if section == start_section and after is not None:
            queryset = queryset.filter(**{f"{key}__gt": after})
        rows = list(queryset.order_by(key)[: room + 1])
        if len(rows) > room:  # this section goes on past the page
            rows = rows[:room]
            getattr(details, attribute).extend(rows)
            details.is_truncated = True
            details.marker = encode_marker(f"{section}:{getattr(rows[-1], key)}")
            return details
        getattr(details, attribute).extend(rows)
        room -= len(rows)
        if room == 0:
            following = [s for s, _, _ in _SECTIONS[names.index(section) + 1:] if include[s]]
            if following and _has_rows(querysets, following):
                details.is_truncated = True
                details.marker = encode_marker(f"{following[0]}:")
            return details
    return details


def _position(decoded: str | None) -> tuple[str, str | None]:
    if decoded is None:
        return "User", None
    section, separator, after = decoded.partition(":")
    if not separator or section not in {s for s, _, _ in _SECTIONS}:
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged")
    return section, after or None


def _has_rows(querysets: dict, sections: list[str]) -> bool:
    return any(querysets[section]().exists() for section in sections)
