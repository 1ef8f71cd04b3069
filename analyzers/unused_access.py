"""Unused access: the roles, access keys, console passwords and permissions of an analyzer's zone that were not used
in its tracking period, found with set-based queries (a constant number of them, whatever the number of
principals) and reconciled into findings (analyzers.reconcile).

What was used comes from the directory's own decision record (evidence.models.ActionUsage, allowed decisions
only), a role's last use and an access key's last use; what is granted comes from the principal's identity
policies (user, groups and role; managed and inline), capped by its permissions boundary, expanded over the
action catalogue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.utils import timezone

from accounts.models import Account
from analyzers.models import DEFAULT_UNUSED_ACCESS_AGE, Analyzer, Finding
from analyzers.reconcile import Observed, Outcome, iso, reconcile
from directory.models import (
    AccessKey,
    GroupInlinePolicy,
    GroupMembership,
    GroupPolicyAttachment,
    Role,
    RoleInlinePolicy,
    RolePermissionsBoundary,
    RolePolicyAttachment,
    RoleTag,
    User,
    UserInlinePolicy,
    UserPermissionsBoundary,
    UserPolicyAttachment,
    UserTag,
)
from evidence.models import ActionUsage
from iam_console import identifiers
from policies.language import parse_policy
from policies.language.actions import all_actions, expand
from policies.models import PolicyVersion

FINDING_TYPES = (Finding.Type.UNUSED_IAM_ROLE, Finding.Type.UNUSED_IAM_USER_ACCESS_KEY,
                 Finding.Type.UNUSED_IAM_USER_PASSWORD, Finding.Type.UNUSED_PERMISSION)
ROLE, USER = "AWS::IAM::Role", "AWS::IAM::User"


@dataclass
class Principal:
    """A role or user of the zone, with what it is granted and what it used."""

    kind: str  # "role" or "user"
    pk: int
    unique_id: str
    account_id: str
    arn: str
    created: datetime
    last_used: datetime | None = None  # a role's own record of its last use
    granted: frozenset[str] = frozenset()  # "service:Action", as the catalogue spells them
    bounded: frozenset[str] | None = None  # the permissions boundary's, None without one
    login: tuple[datetime | None, datetime | None] = (None, None)  # a user's password: (created, last used)


def zone(analyzer: Analyzer) -> list[str]:
    """The accounts the analyzer looks at: its own, or every account of the organization it manages."""
    if analyzer.type == Analyzer.Type.ORGANIZATION_UNUSED_ACCESS:
        accounts = list(Account.objects.filter(organization__management_account_id=analyzer.account_id)
                        .values_list("pk", flat=True))
        return accounts or [analyzer.account_id]
    return [analyzer.account_id]


def evaluate(analyzer: Analyzer, *, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    observed = list(observe(analyzer, now=now))
    return reconcile(analyzer, observed, finding_types=FINDING_TYPES, now=now)


def observe(analyzer: Analyzer, *, now: datetime) -> Iterator[Observed]:
    cutoff = now - timedelta(days=analyzer.unused_access_age or DEFAULT_UNUSED_ACCESS_AGE)
    accounts = zone(analyzer)
    roles = _roles(accounts)
    users = _users(accounts)
    excluded = _excluded(analyzer, roles, users)
    usage = _usage(accounts)
    _grant(roles, users, accounts)
    for principal in roles.values():
        if principal.pk in excluded["role"] or principal.created >= cutoff:
            continue  # younger than the period: not yet unused
        uses = usage.get(principal.unique_id, {})
        last = _latest([principal.last_used, *(at for at in _service_last(uses).values())])
        if last is None or last < cutoff:
            yield Observed(principal.arn, ROLE, principal.account_id, Finding.Type.UNUSED_IAM_ROLE,
                           details=[{"unusedIamRoleDetails": _last_accessed(last)}])
            continue
        yield from _unused_permissions(principal, ROLE, uses, cutoff)
    keys = _access_keys(accounts)
    for principal in users.values():
        if principal.pk in excluded["user"] or principal.created >= cutoff:
            continue
        profile_created, last_sign_in = principal.login
        if profile_created is not None and profile_created < cutoff and (last_sign_in is None
                                                                         or last_sign_in < cutoff):
            yield Observed(principal.arn, USER, principal.account_id, Finding.Type.UNUSED_IAM_USER_PASSWORD,
                           details=[{"unusedIamUserPasswordDetails": _last_accessed(last_sign_in)}])
        for key_id, created, last_used in keys.get(principal.pk, ()):
            if created < cutoff and (last_used is None or last_used < cutoff):
                yield Observed(principal.arn, USER, principal.account_id, Finding.Type.UNUSED_IAM_USER_ACCESS_KEY,
                               detail_key=key_id, details=[{"unusedIamUserAccessKeyDetails": {
                                   "accessKeyId": key_id, **_last_accessed(last_used)}}])
        yield from _unused_permissions(principal, USER, usage.get(principal.unique_id, {}), cutoff)


def _unused_permissions(principal: Principal, resource_type: str, uses: dict[tuple[str, str], datetime],
                        cutoff: datetime) -> Iterator[Observed]:
    """One finding per service of which the principal was granted actions it did not use in the period."""
    granted = principal.granted if principal.bounded is None else principal.granted & principal.bounded
    by_service: dict[str, list[str]] = defaultdict(list)
    for full_name in granted:
        service, _, name = full_name.partition(":")
        by_service[service].append(name)
    service_last = _service_last(uses)
    for service, names in sorted(by_service.items()):
        unused = []
        for name in sorted(names):
            last = uses.get((service, name.lower()))
            if last is None or last < cutoff:
                unused.append({"action": name, **_last_accessed(last)})
        if unused:
            detail = {"serviceNamespace": service, "actions": unused, **_last_accessed(service_last.get(service))}
            yield Observed(principal.arn, resource_type, principal.account_id, Finding.Type.UNUSED_PERMISSION,
                           detail_key=service, details=[{"unusedPermissionDetails": detail}])


def _last_accessed(moment: datetime | None) -> dict:
    return {"lastAccessed": iso(moment)} if moment is not None else {}


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _service_last(uses: dict[tuple[str, str], datetime]) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for (service, _), at in uses.items():
        if service not in last or at > last[service]:
            last[service] = at
    return last


# --- the zone's principals, tags, keys and usage: one query each ---------------------------------------------

def _roles(accounts: list[str]) -> dict[int, Principal]:
    rows = Role.objects.filter(account_id__in=accounts).values_list(
        "pk", "role_id", "account_id", "path", "role_name", "create_date", "last_used_date")
    return {pk: Principal("role", pk, unique_id, account, identifiers.role_arn(account, path, name), created,
                          last_used)
            for pk, unique_id, account, path, name, created, last_used in rows.iterator(chunk_size=5000)}


def _users(accounts: list[str]) -> dict[int, Principal]:
    rows = User.objects.filter(account_id__in=accounts, is_superuser=False).values_list(
        "pk", "user_id", "account_id", "path", "user_name", "create_date", "login_profile_create_date", "last_login")
    users = {}
    for pk, unique_id, account, path, name, created, profile_created, last_login in rows.iterator(chunk_size=5000):
        users[pk] = Principal("user", pk, unique_id, account, identifiers.user_arn(account, path, name), created,
                              login=(profile_created, last_login))
    return users


def _excluded(analyzer: Analyzer, roles: dict[int, Principal], users: dict[int, Principal]) -> dict[str, set[int]]:
    """The principals the analysis rule's exclusions leave out: by account, by tags, or both."""
    excluded: dict[str, set[int]] = {"role": set(), "user": set()}
    if not analyzer.exclusions:
        return excluded
    tags: dict[str, dict[int, dict[str, str]]] = {"role": defaultdict(dict), "user": defaultdict(dict)}
    if any(rule.get("resourceTags") for rule in analyzer.exclusions):
        for pk, key, value in RoleTag.objects.filter(role_id__in=list(roles)).values_list("role_id", "key", "value"):
            tags["role"][pk][key] = value
        for pk, key, value in UserTag.objects.filter(user_id__in=list(users)).values_list("user_id", "key", "value"):
            tags["user"][pk][key] = value
    for kind, principals in (("role", roles), ("user", users)):
        for principal in principals.values():
            if any(_exclusion_matches(rule, principal.account_id, tags[kind].get(principal.pk, {}))
                   for rule in analyzer.exclusions):
                excluded[kind].add(principal.pk)
    return excluded


def _exclusion_matches(rule: dict, account_id: str, tags: dict[str, str]) -> bool:
    accounts = rule.get("accountIds")
    if accounts and account_id not in accounts:
        return False
    tag_sets = rule.get("resourceTags")
    if tag_sets and not any(all(tags.get(key) == value for key, value in wanted.items()) for wanted in tag_sets):
        return False
    return True


def _access_keys(accounts: list[str]) -> dict[int, list[tuple[str, datetime, datetime | None]]]:
    keys: dict[int, list] = defaultdict(list)
    rows = AccessKey.objects.filter(user__account_id__in=accounts, status=AccessKey.Status.ACTIVE).values_list(
        "user_id", "access_key_id", "create_date", "last_used_date")
    for user_pk, key_id, created, last_used in rows.iterator(chunk_size=5000):
        keys[user_pk].append((key_id, created, last_used))
    return keys


def _usage(accounts: list[str]) -> dict[str, dict[tuple[str, str], datetime]]:
    """entity unique id -> (service, action in lower case) -> when last allowed."""
    usage: dict[str, dict[tuple[str, str], datetime]] = defaultdict(dict)
    rows = ActionUsage.objects.filter(account_id__in=accounts, allowed=True).values_list(
        "entity_id", "service", "action", "last_at")
    for entity, service, action, last_at in rows.iterator(chunk_size=20000):
        usage[entity][(service, action.lower())] = last_at
    return usage


# --- what each principal is granted: its documents, gathered in a constant number of queries -----------------

def _grant(roles: dict[int, Principal], users: dict[int, Principal], accounts: list[str]) -> None:
    managed: dict[int, str] = dict(PolicyVersion.objects.filter(is_default_version=True).filter(
        policy_id__in=_attached_policy_ids(accounts)).values_list("policy_id", "document"))
    documents: dict[tuple[str, int], list[str]] = defaultdict(list)
    boundaries: dict[tuple[str, int], str] = {}
    for role_pk, policy_pk in RolePolicyAttachment.objects.filter(role__account_id__in=accounts).values_list(
            "role_id", "policy_id"):
        documents[("role", role_pk)].append(managed[policy_pk])
    for role_pk, document in RoleInlinePolicy.objects.filter(role__account_id__in=accounts).values_list(
            "role_id", "document"):
        documents[("role", role_pk)].append(document)
    for user_pk, policy_pk in UserPolicyAttachment.objects.filter(user__account_id__in=accounts).values_list(
            "user_id", "policy_id"):
        documents[("user", user_pk)].append(managed[policy_pk])
    for user_pk, document in UserInlinePolicy.objects.filter(user__account_id__in=accounts).values_list(
            "user_id", "document"):
        documents[("user", user_pk)].append(document)
    group_documents: dict[int, list[str]] = defaultdict(list)
    for group_pk, policy_pk in GroupPolicyAttachment.objects.filter(group__account_id__in=accounts).values_list(
            "group_id", "policy_id"):
        group_documents[group_pk].append(managed[policy_pk])
    for group_pk, document in GroupInlinePolicy.objects.filter(group__account_id__in=accounts).values_list(
            "group_id", "document"):
        group_documents[group_pk].append(document)
    for user_pk, group_pk in GroupMembership.objects.filter(user__account_id__in=accounts).values_list(
            "user_id", "group_id"):
        documents[("user", user_pk)].extend(group_documents.get(group_pk, ()))
    for role_pk, policy_pk in RolePermissionsBoundary.objects.filter(role__account_id__in=accounts).values_list(
            "role_id", "policy_id"):
        boundaries[("role", role_pk)] = managed[policy_pk]
    for user_pk, policy_pk in UserPermissionsBoundary.objects.filter(user__account_id__in=accounts).values_list(
            "user_id", "policy_id"):
        boundaries[("user", user_pk)] = managed[policy_pk]
    for kind, principals in (("role", roles), ("user", users)):
        for principal in principals.values():
            principal.granted = _union(documents.get((kind, principal.pk), ()))
            boundary = boundaries.get((kind, principal.pk))
            principal.bounded = granted_by(boundary) if boundary is not None else None


def _attached_policy_ids(accounts: list[str]) -> set[int]:
    ids: set[int] = set()
    for model, owner in ((RolePolicyAttachment, "role"), (UserPolicyAttachment, "user"),
                         (GroupPolicyAttachment, "group"), (RolePermissionsBoundary, "role"),
                         (UserPermissionsBoundary, "user")):
        ids.update(model.objects.filter(**{f"{owner}__account_id__in": accounts}).values_list("policy_id", flat=True))
    return ids


def _union(documents: Iterable[str]) -> frozenset[str]:
    granted: set[str] = set()
    for document in documents:
        granted |= granted_by(document)
    return frozenset(granted)


@lru_cache(maxsize=4096)
def granted_by(document: str) -> frozenset[str]:
    """The catalogued actions a document's Allow statements grant, less those its unconditional Deny statements on
    every resource take away. Conditions and resources narrow when an action is allowed, not whether it is granted:
    an action granted on some resource is access the principal holds."""
    model = parse_policy(document).document
    if model is None:
        return frozenset()
    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in model.statements:
        effect = statement.effect.value if statement.effect is not None else None
        actions = _statement_actions(statement)
        if effect == "Allow":
            allowed |= actions
        elif effect == "Deny" and statement.condition is None and _on_everything(statement):
            denied |= actions
    return frozenset(allowed - denied)


def _statement_actions(statement) -> set[str]:
    if statement.action is not None:
        return {info.full_name for item in statement.action if isinstance(item.value, str)
                for info in expand(item.value)}
    if statement.not_action is not None:
        excluded = {info.full_name for item in statement.not_action if isinstance(item.value, str)
                    for info in expand(item.value)}
        return {info.full_name for info in all_actions()} - excluded
    return set()


def _on_everything(statement) -> bool:
    return (statement.resource is not None and statement.not_resource is None
            and any(item.value == "*" for item in statement.resource))
