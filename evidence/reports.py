"""Last-accessed reports: for a user, group, role or managed policy, each service (and action) its permissions
policies grant, with the last attempt to use it, as IAM's GetServiceLastAccessedDetails describes them.

As in AWS, only permissions policies decide what is listed (no boundary, SCP or resource policy), and every
attempt counts, allowed or denied. A group's report is its members' attempts, a policy's those of the users,
groups' members and roles it is attached to, in the services that the group's or policy's own permissions grant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from directory import lookups
from directory.models import Group, GroupMembership, Role, User
from directory.policy_sets import group_policy_set, role_policy_set, user_policy_set
from evidence.models import ActionUsage, LastAccessedJob
from iam_console.errors import InvalidInput, NoSuchEntity
from policies.authorization import authorize_unknown
from policies.catalogue import ensure_catalogue_loaded
from policies.language import CompiledPolicy, compile_policy, could_allow
from policies.language.actions import all_actions
from policies.language.arn import parse_arn
from policies.language.decisions import UNDENIABLE_ACTIONS
from policies.models import ServiceDefinition
from policies.services.managed import policy_by_arn

SERVICE_NAMES = {"iam": "AWS Identity and Access Management", "sts": "AWS Security Token Service"}


@dataclass(frozen=True)
class Entity:
    """A user or role whose attempts a report reads."""

    kind: str  # "USER" or "ROLE", as EntityInfo's Type
    id: str
    arn: str
    name: str
    path: str

    @classmethod
    def of_user(cls, user: User) -> Entity:
        return cls("USER", user.user_id, user.arn, user.user_name, user.path)

    @classmethod
    def of_role(cls, role: Role) -> Entity:
        return cls("ROLE", role.role_id, role.arn, role.role_name, role.path)


@dataclass(frozen=True)
class Target:
    """What a report is about: its ARN, the entities whose attempts count, the policies that say what is granted.

    `own` is True for a user or role, whose report names the entity itself as the last to act."""

    kind: str  # user, group, role or policy
    arn: str
    entities: list[Entity]
    policies: list[CompiledPolicy]
    own: bool


def find_target(account_id: str, arn: object) -> Target:
    """The user, group, role or managed policy an ARN names in the account; InvalidInput for any other ARN,
    NoSuchEntity for one that is not there (another account's included)."""
    parsed = parse_arn(arn) if isinstance(arn, str) else None
    kind, _, rest = parsed.resource.partition("/") if parsed and parsed.service == "iam" else ("", "", "")
    name = rest.rsplit("/", 1)[-1]
    if kind not in ("user", "group", "role", "policy") or not name:
        raise InvalidInput(f"ARN {str(arn)[:2048]} is not valid: give the ARN of an IAM user, group, role or "
                           "policy.")
    if kind == "policy":
        policy = policy_by_arn(account_id, arn)
        version = policy.versions.get(version_id=policy.default_version_id)
        return Target("policy", policy.arn, _policy_entities(account_id, policy),
                      [compile_policy(version.document, policy.policy_id, version.version_id)], own=False)
    if parsed.account != account_id:
        authorize_unknown(arn)
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    if kind == "user":
        user = lookups.user_by_name(account_id, name)
        return Target("user", user.arn, [Entity.of_user(user)], list(user_policy_set(user).identity), own=True)
    if kind == "role":
        role = lookups.role_by_name(account_id, name)
        return Target("role", role.arn, [Entity.of_role(role)], list(role_policy_set(role).identity), own=True)
    group = lookups.group_by_name(account_id, name)
    members = User.objects.filter(memberships__group=group).order_by("user_name_key")
    return Target("group", group.arn, [Entity.of_user(user) for user in members],
                  list(group_policy_set(group).identity), own=False)


def _policy_entities(account_id: str, policy) -> list[Entity]:
    """The users (directly or through a group) and roles of the account that the policy is attached to."""
    users = User.objects.iam_users(account_id).filter(policy_attachments__policy=policy)
    groups = Group.objects.filter(account_id=account_id, policy_attachments__policy=policy)
    via_groups = User.objects.iam_users(account_id).filter(
        pk__in=GroupMembership.objects.filter(group__in=groups).values("user"))
    roles = Role.objects.filter(account_id=account_id, policy_attachments__policy=policy).order_by("role_name_key")
    every_user = {user.pk: user for user in [*users, *via_groups]}
    ordered = sorted(every_user.values(), key=lambda user: user.user_name_key)
    return [*(Entity.of_user(user) for user in ordered), *(Entity.of_role(role) for role in roles)]


def granted_actions(policies: list[CompiledPolicy]) -> dict[str, list[str]]:
    """Service namespace -> the names of its actions that some Allow statement of the policies grants (an action
    that needs no permission, such as sts:GetCallerIdentity, is granted by no policy)."""
    ensure_catalogue_loaded()
    granted: dict[str, list[str]] = defaultdict(list)
    for info in all_actions():
        if info.full_name.lower() not in UNDENIABLE_ACTIONS and could_allow(info.full_name, policies):
            granted[info.service].append(info.name)
    return {service: sorted(names) for service, names in granted.items()}


def _service_names(namespaces: list[str]) -> dict[str, str]:
    registered = dict(ServiceDefinition.objects.filter(service_prefix__in=namespaces)
                      .values_list("service_prefix", "name"))
    return {namespace: SERVICE_NAMES.get(namespace) or registered.get(namespace) or namespace
            for namespace in namespaces}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def build_report(account_id: str, arn: str, granularity: str) -> dict:
    """The report of a job: {"services": [ServiceLastAccessed…], "entities": {namespace: [EntityDetails…]}},
    shaped as IAM's API names them, dates as ISO-8601 text."""
    target = find_target(account_id, arn)
    granted = granted_actions(target.policies)
    by_id = {entity.id: entity for entity in target.entities}
    rows = ActionUsage.objects.filter(account_id=account_id, entity_id__in=list(by_id), service__in=list(granted))
    # (service) -> entity id -> last; (service, action lower) -> (last, entity id)
    service_last: dict[str, dict[str, datetime]] = defaultdict(dict)
    action_last: dict[tuple[str, str], tuple[datetime, str]] = {}
    for row in rows.values_list("service", "action", "entity_id", "last_at").iterator():
        service, action, entity_id, last_at = row
        if entity_id not in by_id:
            continue
        seen = service_last[service]
        if entity_id not in seen or seen[entity_id] < last_at:
            seen[entity_id] = last_at
        key = (service, action.lower())
        if key not in action_last or action_last[key][0] < last_at:
            action_last[key] = (last_at, entity_id)
    region = settings.IAM_DEFAULT_REGION
    names = _service_names(list(granted))
    services, entities = [], {}
    for namespace in sorted(granted):
        seen = service_last.get(namespace, {})
        item: dict = {"ServiceName": names[namespace], "ServiceNamespace": namespace,
                      "TotalAuthenticatedEntities": len(seen)}
        if seen:
            last_id = max(seen, key=seen.__getitem__)
            item.update(LastAuthenticated=_iso(seen[last_id]), LastAuthenticatedRegion=region,
                        LastAuthenticatedEntity=target.arn if target.own else by_id[last_id].arn)
        if granularity == LastAccessedJob.Granularity.ACTION_LEVEL:
            item["TrackedActionsLastAccessed"] = [
                _action_item(name, action_last.get((namespace, name.lower())), target, by_id, region)
                for name in granted[namespace]]
        services.append(item)
        entities[namespace] = _entity_details(target, seen)
    return {"services": services, "entities": entities}


def _action_item(name: str, last: tuple[datetime, str] | None, target: Target, by_id: dict, region: str) -> dict:
    if last is None:
        return {"ActionName": name}
    return {"ActionName": name, "LastAccessedTime": _iso(last[0]), "LastAccessedRegion": region,
            "LastAccessedEntity": target.arn if target.own else by_id[last[1]].arn}


def _entity_details(target: Target, seen: dict[str, datetime]) -> list[dict]:
    """Every entity that could have used the service, the most recent first, those that never did last."""
    ordered = sorted(target.entities, key=lambda entity: (entity.id not in seen,
                                                          -(seen[entity.id].timestamp()) if entity.id in seen else 0))
    details = []
    for entity in ordered:
        info = {"EntityInfo": {"Arn": entity.arn, "Name": entity.name, "Type": entity.kind, "Id": entity.id,
                               "Path": entity.path}}
        if entity.id in seen:
            info["LastAuthenticated"] = _iso(seen[entity.id])
        details.append(info)
    return details
