"""Per-service policy summary (access levels and resources), like the IAM console's."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import actions as catalogue
from .arn import has_wildcard
from .model import PolicyDocument
from .parser import parse_policy

FULL = "Full"
LIMITED = "Limited"
ALL_SERVICES = "*"


@dataclass(frozen=True, slots=True)
class ServiceSummary:
    """What a policy grants (or denies) in one service.

    ``access_levels`` maps each access level to "Full" (every action of that level) or
    "Limited"; services missing from the catalogue report the single level "Unknown".
    """

    service: str
    effect: str
    access_levels: dict[str, str]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    has_conditions: bool


@dataclass(slots=True)
class _Acc:
    known: set[str] = field(default_factory=set)  # full action names from the catalogue
    unknown: set[str] = field(default_factory=set)  # patterns for services we do not know
    resources: set[str] = field(default_factory=set)
    conditions: bool = False


def _grants(patterns: list[str], negated: bool) -> dict[str, tuple[set[str], set[str]]]:
    """service -> (catalogued actions, uncatalogued patterns) covered by Action/NotAction."""
    out: dict[str, tuple[set[str], set[str]]] = {}

    def add(service: str, known: set[str], unknown: set[str]) -> None:
        entry = out.setdefault(service, (set(), set()))
        entry[0].update(known)
        entry[1].update(unknown)

    if negated:
        excluded = {info.full_name for p in patterns for info in catalogue.expand(p)}
        for service in catalogue.KNOWN_SERVICES:
            remaining = {i.full_name for i in catalogue.all_actions(service)} - excluded
            if remaining:
                add(service, remaining, set())
        add(ALL_SERVICES, set(), {"NotAction: " + ", ".join(patterns)})
        return out
    for pattern in patterns:
        service, sep, _name = pattern.partition(":")
        if pattern == "*" or (sep and has_wildcard(service)):
            for info in catalogue.expand(pattern):
                add(info.service, {info.full_name}, set())
            add(ALL_SERVICES, set(), {pattern})
        elif sep and service.lower() in catalogue.KNOWN_SERVICES:
            add(service.lower(), {info.full_name for info in catalogue.expand(pattern)}, set())
        elif sep:
            add(service.lower(), set(), {pattern})
    return out


def summarize(document: PolicyDocument | str) -> list[ServiceSummary]:
    """Summaries sorted by effect (Allow first) then service name."""
    if isinstance(document, str):
        parsed = parse_policy(document).document
        if parsed is None:
            return []
        document = parsed
    accumulated: dict[tuple[str, str], _Acc] = {}
    for statement in document.statements:
        if statement.effect is None or statement.effect.value not in ("Allow", "Deny"):
            continue
        negated = statement.action is None and statement.not_action is not None
        patterns = [v.value for v in (statement.not_action if negated else statement.action) or ()]
        if statement.resource is not None:
            resources = {r.value for r in statement.resource}
        elif statement.not_resource is not None:
            resources = {f"NotResource: {r.value}" for r in statement.not_resource}
        else:
            resources = {"*"}
        for service, (known, unknown) in _grants(patterns, negated).items():
            acc = accumulated.setdefault((statement.effect.value, service), _Acc())
            acc.known |= known
            acc.unknown |= unknown
            acc.resources |= resources
            acc.conditions = acc.conditions or bool(statement.condition)
    summaries = []
    for (effect, service), acc in sorted(
        accumulated.items(), key=lambda item: (item[0][0] != "Allow", item[0][1])
    ):
        summaries.append(
            ServiceSummary(
                service=service,
                effect=effect,
                access_levels=_levels(service, acc),
                actions=tuple(sorted(acc.known | acc.unknown)),
                resources=tuple(sorted(acc.resources)),
                has_conditions=acc.conditions,
            )
        )
    return summaries


def _levels(service: str, acc: _Acc) -> dict[str, str]:
    if service not in catalogue.KNOWN_SERVICES:
        full = any(p == "*" or p.endswith(":*") for p in acc.unknown)
        return {catalogue.UNKNOWN: FULL if full else LIMITED}
    by_level: dict[str, set[str]] = {}
    for info in catalogue.all_actions(service):
        by_level.setdefault(info.access_level, set()).add(info.full_name)
    levels = {}
    for level in catalogue.ACCESS_LEVELS:
        granted = acc.known & by_level.get(level, set())
        if granted:
            levels[level] = FULL if granted == by_level[level] else LIMITED
    return levels
