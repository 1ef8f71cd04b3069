"""Loading a principal's effective policies (identity, via groups, boundary) in one query, compiled and cached."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from directory.models import GroupMembership, Role, User
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


@dataclass
class PolicySet:
    """The policies that decide for a principal: identity (user + groups), boundary, session."""

    identity: list[CompiledPolicy] = field(default_factory=list)
    boundary: list[CompiledPolicy] = field(default_factory=list)
    session: list[CompiledPolicy] = field(default_factory=list)
    sources: dict[str, PolicySource] = field(default_factory=dict)


def _sql() -> str:
    t = {model.__name__: model._meta.db_table for model in (
        ManagedPolicy, PolicyVersion, UserPolicyAttachment, GroupPolicyAttachment, UserInlinePolicy,
        GroupInlinePolicy, UserPermissionsBoundary, GroupMembership)}
    managed = (f"JOIN {t['ManagedPolicy']} p ON p.id = a.policy_id "
               f"JOIN {t['PolicyVersion']} v ON v.policy_id = p.id AND v.is_default_version")
    return f"""
        SELECT 'identity', 'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.is_system
          FROM {t['UserPolicyAttachment']} a {managed} WHERE a.user_id = %(user)s
        UNION ALL
        SELECT 'identity', 'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.is_system
          FROM {t['GroupMembership']} m JOIN {t['GroupPolicyAttachment']} a ON a.group_id = m.group_id {managed}
         WHERE m.user_id = %(user)s
        UNION ALL
        SELECT 'identity', 'user-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false
          FROM {t['UserInlinePolicy']} i WHERE i.user_id = %(user)s
        UNION ALL
        SELECT 'identity', 'group-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false
          FROM {t['GroupMembership']} m JOIN {t['GroupInlinePolicy']} i ON i.group_id = m.group_id
         WHERE m.user_id = %(user)s
        UNION ALL
        SELECT 'boundary', 'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.is_system
          FROM {t['UserPermissionsBoundary']} a {managed} WHERE a.user_id = %(user)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


_QUERY: str | None = None


def user_policy_set(user: User) -> PolicySet:
    """All policies that apply to an IAM user, in one query; documents compile once per (key, version)."""
    global _QUERY
    if _QUERY is None:
        _QUERY = _sql()
    from policies.services.managed import managed_policy_arn

    policy_set = PolicySet()
    seen: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        cursor.execute(_QUERY, {"user": user.pk})
        rows = cursor.fetchall()
    for role, key, version, document, name, path, is_system in rows:
        if (role, key) in seen:  # attached directly and through a group: one policy, counted once
            continue
        seen.add((role, key))
        compiled = compile_policy(document, key, version)
        kind = key.split(":", 1)[0]
        arn = managed_policy_arn(path, name, is_system) if kind == "managed" else ""
        policy_set.sources[key] = PolicySource(key=key, name=name, kind=kind, arn=arn, version=version)
        (policy_set.identity if role == "identity" else policy_set.boundary).append(compiled)
    return policy_set


def _role_sql() -> str:
    t = {model.__name__: model._meta.db_table for model in (
        ManagedPolicy, PolicyVersion, RolePolicyAttachment, RoleInlinePolicy, RolePermissionsBoundary)}
    managed = (f"JOIN {t['ManagedPolicy']} p ON p.id = a.policy_id "
               f"JOIN {t['PolicyVersion']} v ON v.policy_id = p.id AND v.is_default_version")
    return f"""
        SELECT 'identity', 'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.is_system
          FROM {t['RolePolicyAttachment']} a {managed} WHERE a.role_id = %(role)s
        UNION ALL
        SELECT 'identity', 'role-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', false
          FROM {t['RoleInlinePolicy']} i WHERE i.role_id = %(role)s
        UNION ALL
        SELECT 'boundary', 'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.is_system
          FROM {t['RolePermissionsBoundary']} a {managed} WHERE a.role_id = %(role)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


_ROLE_QUERY: str | None = None


def role_policy_set(role: Role) -> PolicySet:
    """A role's permissions policies and boundary, in one query; documents compile once per (key, version)."""
    global _ROLE_QUERY
    if _ROLE_QUERY is None:
        _ROLE_QUERY = _role_sql()
    from policies.services.managed import managed_policy_arn

    policy_set = PolicySet()
    with connection.cursor() as cursor:
        cursor.execute(_ROLE_QUERY, {"role": role.pk})
        rows = cursor.fetchall()
    for kind_of, key, version, document, name, path, is_system in rows:
        compiled = compile_policy(document, key, version)
        kind = key.split(":", 1)[0]
        arn = managed_policy_arn(path, name, is_system) if kind == "managed" else ""
        policy_set.sources[key] = PolicySource(key=key, name=name, kind=kind, arn=arn, version=version)
        (policy_set.identity if kind_of == "identity" else policy_set.boundary).append(compiled)
    return policy_set
