"""A principal's effective policies, loaded in one query and compiled (cached by policy key and version).

The PolicySet is what authorize() evaluates. The queries that gather it belong to the app owning the
principals (directory.policy_sets for users and roles); this module runs them and compiles what they return. A
loaded set is kept in the process under the policy generation read with it (policies.generation), and used again
while the generation is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from accounts.guardrails import guardrail_cte, guardrail_rows
from policies import generation as generations
from policies.guardrail_loading import Guardrails, load_guardrails
from policies.language import CompiledPolicy, compile_policy


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
        """AWS's SourcePolicyType for a matched statement: user, group, role, aws-managed, user-managed or
        resource."""
        if self.kind == "managed":
            return "aws-managed" if self.is_system else "user-managed"
        return {"user-inline": "user", "group-inline": "group", "role-inline": "role",
                "resource": "resource"}.get(self.kind, "none")


@dataclass
class PolicySet:
    """The policies that decide for a principal: identity (user + groups), boundary, session."""

    identity: list[CompiledPolicy] = field(default_factory=list)
    boundary: list[CompiledPolicy] = field(default_factory=list)
    session: list[CompiledPolicy] = field(default_factory=list)
    sources: dict[str, PolicySource] = field(default_factory=dict)
    # The organization's guardrails over the principal's account (None outside an organization).
    guardrails: Guardrails | None = None

    def copy(self) -> PolicySet:
        """A set of its own to add to (session policies), sharing the compiled policies."""
        return PolicySet(list(self.identity), list(self.boundary), list(self.session), dict(self.sources),
                         self.guardrails)


def tables(*models) -> dict[str, str]:
    return {model.__name__: model._meta.db_table for model in models}


def managed_join(t: dict[str, str]) -> str:
    return (f"JOIN {t['ManagedPolicy']} p ON p.id = a.policy_id "
            f"JOIN {t['PolicyVersion']} v ON v.policy_id = p.id AND v.is_default_version")


# Every policy-set query (directory.policy_sets) returns the same columns:
# (use, key, version, document, policy name, path, owning account, group name). A managed policy's owning account
# is NULL when it is AWS-managed; an inline policy's is NULL too (it has no ARN).
MANAGED_COLUMNS = "'managed:' || p.policy_id, v.version_id, v.document, p.policy_name, p.path, p.account_id, ''"


_QUERIES: dict[tuple[str, bool], str] = {}


def load_policy_set(kind: str, build_sql: Callable[[], str], owner_pk: int, generation: str | None = None,
                    owner_account: str | None = None) -> PolicySet:
    """The owner's policy set: from this process's cache when it was read under the current policy generation
    (`generation` when the caller read it with its principal, else one small query), otherwise by the owner's one
    query (built once per kind, bound to %(owner)s), compiled, and remembered under the generation read with it.

    Every query returns the same columns: (use, key, version, document, policy name, path, owning account, group
    name), `use` being "identity" or "boundary"; a last row carries the generation, read in the same statement.
    With `owner_account`, the guardrails of the owner's account are read in the same statement.
    """
    from policies.services.managed import managed_policy_arn

    generation = generation if generation is not None else generations.current_generation()
    hit = generations.cached((kind, owner_pk), generation)
    if hit is not None:
        return hit.copy()
    query = (kind, owner_account is not None)
    if query not in _QUERIES:
        # With the owner's account, the guardrails along its path come in the same statement (accounts.guardrails).
        guarded = owner_account is not None
        _QUERIES[query] = (f"{'WITH RECURSIVE ' + guardrail_cte() if guarded else ''} {build_sql()} "
                           f"{'UNION ALL ' + guardrail_rows() if guarded else ''} "
                           f"UNION ALL SELECT 'generation', {generations.CURRENT_SQL}, NULL, NULL, NULL, NULL, NULL, "
                           "NULL")
    with connection.cursor() as cursor:
        cursor.execute(_QUERIES[query], {"owner": owner_pk, "account": owner_account})
        rows = cursor.fetchall()
    policy_set, seen, read_under = PolicySet(), set(), None
    for use, key, version, document, name, path, account_id, group_name in rows:
        if use == "generation":
            read_under = key
            continue
        if use in ("placement", "guardrail"):
            continue
        if (use, key) in seen:  # attached directly and through a group: one policy, counted once
            continue
        seen.add((use, key))
        compiled = compile_policy(document, key, version)
        source_kind = key.split(":", 1)[0]
        is_system = source_kind == "managed" and account_id is None
        arn = managed_policy_arn(account_id, path, name) if source_kind == "managed" else ""
        policy_set.sources[key] = PolicySource(key=key, name=name, kind=source_kind, arn=arn, version=version,
                                               is_system=is_system, group_name=group_name)
        (policy_set.identity if use == "identity" else policy_set.boundary).append(compiled)
    if owner_account is not None:
        policy_set.guardrails = load_guardrails(owner_account, rows)
    return generations.remember((kind, owner_pk), read_under, policy_set).copy()
