"""Loading a principal's effective policies (identity, via groups, boundary) in one query, compiled and cached."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from directory.models import Group, GroupMembership, Role, User
from policies.language import CompiledPolicy, compile_policy
from policies.models import (
    GroupInlinePolicy,
    GroupPolicyAttachment,
    ManagedPolicy,
    PolicyVersion,
    RoleInlinePolicy,
    RolePermissionsBoundary,
    RolePolicyAttachment,
    UserInlinePolicy,
    UserPermissionsBoundary,
    UserPolicyAttachment,
)


@dataclass(frozen=True)
class PolicySource:
    """Where a compiled policy came from, for decisions people read (simulator, AccessDenied)."""

    key: str
    name: str
    kind: str  # "managed", "user-inline", "group-inline", "role-inline", "session"
    arn: str = ""
    version: str = ""
    is_system: bool = False
    group_name: str = ""  # the group an inline group policy belongs to

    @property
    def source_policy_type(self) -> str:
        """AWS's SourcePolicyType for a matched statement: user, group, role, aws-managed or user-managed."""
        if self.kind == "managed":
            return "aws-managed" if self.is_system else "user-managed"
        return {"user-inline": "user", "group-inline": "group", "role-inline": "role"}.get(self.kind, "none")


@dataclass
class PolicySet:
    """The policies that decide for a principal: identity (user + groups), boundary, session."""

    identity: list[CompiledPolicy] = field(default_factory=list)
    boundary: list[CompiledPolicy] = field(default_factory=list)
    session: list[CompiledPolicy] = field(default_factory=list)
    sources: dict[str, PolicySource] = field(default_factory=dict)


def _tables(*models) -> dict[str, str]:
    return {model.__name__: model._meta.db_table for model in models}


def _managed_join(t: dict[str, str]) -> str:
    return (f"JOIN {t['ManagedPolicy']} p ON p.id = a.policy_id "
            f"JOIN {t['PolicyVersion']} v ON v.policy_id = p.id AND v.is_default_version")


# Every query below returns the same columns:
# (use, key, version, document, policy name, path, is system, group name)
_MANAGED_COLUMNS = "'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.is_system, ''"


def _user_sql() -> str:
    t = _tables(ManagedPolicy, PolicyVersion, UserPolicyAttachment, GroupPolicyAttachment, UserInlinePolicy,
                GroupInlinePolicy, UserPermissionsBoundary, GroupMembership, Group)
    managed = _managed_join(t)
    return f"""
        SELECT 'identity', {_MANAGED_COLUMNS}
          FROM {t['UserPolicyAttachment']} a {managed} WHERE a.user_id = %(owner)s
        UNION ALL
        SELECT 'identity', {_MANAGED_COLUMNS}
          FROM {t['GroupMembership']} m JOIN {t['GroupPolicyAttachment']} a ON a.group_id = m.group_id {managed}
         WHERE m.user_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'user-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false, ''
          FROM {t['UserInlinePolicy']} i WHERE i.user_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'group-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false,
               g.group_name
          FROM {t['GroupMembership']} m JOIN {t['GroupInlinePolicy']} i ON i.group_id = m.group_id
          JOIN {t['Group']} g ON g.id = m.group_id
         WHERE m.user_id = %(owner)s
        UNION ALL
        SELECT 'boundary', {_MANAGED_COLUMNS}
          FROM {t['UserPermissionsBoundary']} a {managed} WHERE a.user_id = %(owner)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


def _role_sql() -> str:
    t = _tables(ManagedPolicy, PolicyVersion, RolePolicyAttachment, RoleInlinePolicy, RolePermissionsBoundary)
    managed = _managed_join(t)
    return f"""
        SELECT 'identity', {_MANAGED_COLUMNS}
          FROM {t['RolePolicyAttachment']} a {managed} WHERE a.role_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'role-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false, ''
          FROM {t['RoleInlinePolicy']} i WHERE i.role_id = %(owner)s
        UNION ALL
        SELECT 'boundary', {_MANAGED_COLUMNS}
          FROM {t['RolePermissionsBoundary']} a {managed} WHERE a.role_id = %(owner)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


def _group_sql() -> str:
    t = _tables(ManagedPolicy, PolicyVersion, GroupPolicyAttachment, GroupInlinePolicy, Group)
    managed = _managed_join(t)
    return f"""
        SELECT 'identity', {_MANAGED_COLUMNS}
          FROM {t['GroupPolicyAttachment']} a {managed} WHERE a.group_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'group-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false,
               g.group_name
          FROM {t['GroupInlinePolicy']} i JOIN {t['Group']} g ON g.id = i.group_id WHERE i.group_id = %(owner)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


_QUERIES: dict[str, str] = {}


def _load(kind: str, build_sql, owner_pk: int) -> PolicySet:
    """Run the owner's one query and compile what it returns (cached by policy key and version)."""
    from policies.services.managed import managed_policy_arn

    if kind not in _QUERIES:
        _QUERIES[kind] = build_sql()
    with connection.cursor() as cursor:
        cursor.execute(_QUERIES[kind], {"owner": owner_pk})
        rows = cursor.fetchall()
    policy_set, seen = PolicySet(), set()
    for use, key, version, document, name, path, is_system, group_name in rows:
        if (use, key) in seen:  # attached directly and through a group: one policy, counted once
            continue
        seen.add((use, key))
        compiled = compile_policy(document, key, version)
        source_kind = key.split(":", 1)[0]
        arn = managed_policy_arn(path, name, is_system) if source_kind == "managed" else ""
        policy_set.sources[key] = PolicySource(key=key, name=name, kind=source_kind, arn=arn, version=version,
                                               is_system=is_system, group_name=group_name)
        (policy_set.identity if use == "identity" else policy_set.boundary).append(compiled)
    return policy_set


def user_policy_set(user: User) -> PolicySet:
    """All policies that apply to an IAM user (direct, inline, through groups, boundary), in one query."""
    return _load("user", _user_sql, user.pk)


def group_policy_set(group: Group) -> PolicySet:
    """A group's own policies (attached and inline), in one query: what the simulator evaluates for a group."""
    return _load("group", _group_sql, group.pk)


def role_policy_set(role: Role) -> PolicySet:
    """A role's permissions policies and boundary, in one query."""
    return _load("role", _role_sql, role.pk)
