"""The queries that gather a user's, a group's or a role's effective policies (policies.loading runs and compiles them)."""

from __future__ import annotations

from django.db.models.expressions import RawSQL

from directory.models import (
    Group,
    GroupInlinePolicy,
    GroupMembership,
    GroupPolicyAttachment,
    Role,
    RoleInlinePolicy,
    RolePermissionsBoundary,
    RolePolicyAttachment,
    User,
    UserInlinePolicy,
    UserPermissionsBoundary,
    UserPolicyAttachment,
)
from policies.generation import CURRENT_SQL
from policies.loading import MANAGED_COLUMNS, PolicySet, load_policy_set, managed_join, tables
from policies.models import ManagedPolicy, PolicyVersion


def _user_sql() -> str:
    t = tables(ManagedPolicy, PolicyVersion, UserPolicyAttachment, GroupPolicyAttachment, UserInlinePolicy,
                GroupInlinePolicy, UserPermissionsBoundary, GroupMembership, Group)
    managed = managed_join(t)
    return f"""
        SELECT 'identity', {MANAGED_COLUMNS}
          FROM {t['UserPolicyAttachment']} a {managed} WHERE a.user_id = %(owner)s
        UNION ALL
        SELECT 'identity', {MANAGED_COLUMNS}
          FROM {t['GroupMembership']} m JOIN {t['GroupPolicyAttachment']} a ON a.group_id = m.group_id {managed}
         WHERE m.user_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'user-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', NULL, ''
          FROM {t['UserInlinePolicy']} i WHERE i.user_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'group-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', NULL,
               g.group_name
          FROM {t['GroupMembership']} m JOIN {t['GroupInlinePolicy']} i ON i.group_id = m.group_id
          JOIN {t['Group']} g ON g.id = m.group_id
         WHERE m.user_id = %(owner)s
        UNION ALL
        SELECT 'boundary', {MANAGED_COLUMNS}
          FROM {t['UserPermissionsBoundary']} a {managed} WHERE a.user_id = %(owner)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


def _role_sql() -> str:
    t = tables(ManagedPolicy, PolicyVersion, RolePolicyAttachment, RoleInlinePolicy, RolePermissionsBoundary)
    managed = managed_join(t)
    return f"""
        SELECT 'identity', {MANAGED_COLUMNS}
          FROM {t['RolePolicyAttachment']} a {managed} WHERE a.role_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'role-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', NULL, ''
          FROM {t['RoleInlinePolicy']} i WHERE i.role_id = %(owner)s
        UNION ALL
        SELECT 'boundary', {MANAGED_COLUMNS}
          FROM {t['RolePermissionsBoundary']} a {managed} WHERE a.role_id = %(owner)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


def _group_sql() -> str:
    t = tables(ManagedPolicy, PolicyVersion, GroupPolicyAttachment, GroupInlinePolicy, Group)
    managed = managed_join(t)
    return f"""
        SELECT 'identity', {MANAGED_COLUMNS}
          FROM {t['GroupPolicyAttachment']} a {managed} WHERE a.group_id = %(owner)s
        UNION ALL
        SELECT 'identity', 'group-inline:' || i.id, i.update_date::text, i.document, i.policy_name, '', NULL,
               g.group_name
          FROM {t['GroupInlinePolicy']} i JOIN {t['Group']} g ON g.id = i.group_id WHERE i.group_id = %(owner)s
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


def read_generation(instance: object) -> str | None:
    """The policy generation read in the query that loaded `instance` (annotated as `policy_generation`): the
    request that loaded it decides by the policies as they were when it arrived; the next request reads again."""
    return getattr(instance, "policy_generation", None)


def user_policy_set(user: User) -> PolicySet:
    """All policies that apply to an IAM user (direct, inline, through groups, boundary), in one query."""
    return load_policy_set("user", _user_sql, user.pk, read_generation(user), owner_account=user.account_id)


def group_policy_set(group: Group) -> PolicySet:
    """A group's own policies (attached and inline), in one query: what the simulator evaluates for a group."""
    return load_policy_set("group", _group_sql, group.pk)


def role_policy_set(role: Role, generation: str | None = None) -> PolicySet:
    """A role's permissions policies and boundary, in one query."""
    return load_policy_set("role", _role_sql, role.pk, generation, owner_account=role.account_id)


def with_generation(queryset):
    """`queryset` whose rows carry the current policy generation, read in the same query (one round trip less on
    every signed request)."""
    return queryset.annotate(policy_generation=RawSQL(CURRENT_SQL, ()))  # noqa: S611 - a constant query
