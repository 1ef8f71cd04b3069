"""Finding filters (a map of filter key -> Criterion), as archive rules and ListFindings take them: validated once,
then narrowed in SQL where a key is a column, and matched in Python where it is one of the external-access maps."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from analyzers.errors import invalid
from analyzers.models import Finding

MAX_VALUES = 20
OPERATORS = ("eq", "neq", "contains", "exists")

# Filter keys that are columns of a finding (AWS's key -> the model's field).
COLUMN_KEYS = {"id": "id", "status": "status", "resource": "resource", "resourceType": "resource_type",
               "resourceOwnerAccount": "resource_owner_account", "findingType": "finding_type", "error": "error",
               "isPublic": "is_public"}
# External access's keys: the action list, the sources, and one member of the principal or condition maps.
LIST_KEYS = ("action", "sources")
MAP_PREFIXES = ("principal.", "condition.")


def known_key(key: str) -> bool:
    if key in COLUMN_KEYS or key in LIST_KEYS:
        return True
    return any(key.startswith(prefix) and len(key) > len(prefix) for prefix in MAP_PREFIXES)


def validate(criteria: Any, *, field: str = "filter") -> dict[str, dict]:
    """The filter as stored: every key known, every criterion with at least one operator and 1-20 values per list.
    ValidationException naming the key at fault otherwise."""
    if criteria is None:
        return {}
    if not isinstance(criteria, Mapping):
        raise invalid(field, "The filter must be a map of filter keys to criteria.")
    cleaned: dict[str, dict] = {}
    for key, criterion in criteria.items():
        name = f"{field}.{key}"
        if not isinstance(key, str) or not known_key(key):
            raise invalid(name, f"{key!r} is not a filter key Access Analyzer knows: use one of "
                                f"{', '.join(sorted(COLUMN_KEYS) + list(LIST_KEYS))}, principal.<type> or "
                                "condition.<key>.")
        if not isinstance(criterion, Mapping) or not criterion:
            raise invalid(name, "A criterion needs at least one of eq, neq, contains or exists.")
        entry: dict[str, Any] = {}
        for operator, value in criterion.items():
            if operator not in OPERATORS:
                raise invalid(name, f"{operator!r} is not a criterion operator: use eq, neq, contains or exists.")
            if operator == "exists":
                if not isinstance(value, bool):
                    raise invalid(name, "exists takes true or false.")
                entry[operator] = value
                continue
            if (not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_VALUES
                    or not all(isinstance(item, str) for item in value)):
                raise invalid(name, f"{operator} takes a list of 1 to {MAX_VALUES} strings.")
            entry[operator] = list(value)
        cleaned[key] = entry
    return cleaned


def _column_q(field: str, criterion: Mapping[str, Any]) -> Q | None:
    """The criterion on one column as a Q; None when part of it must be matched in Python (contains on an id)."""
    if field == "id" and "contains" in criterion:
        return None
    q = Q()
    for operator, values in criterion.items():
        if operator == "exists":
            present = Q(is_public__isnull=False) if field == "is_public" else ~Q(**{field: ""})
            q &= present if values else ~present
            continue
        values = _column_values(field, values)
        if operator == "eq":
            q &= Q(**{f"{field}__in": values})
        elif operator == "neq":
            q &= ~Q(**{f"{field}__in": values})
        else:
            any_of = Q(pk__in=[])
            for value in values:
                any_of |= Q(**{f"{field}__contains": value})
            q &= any_of
    return q


def _column_values(field: str, values: list[str]) -> list[Any]:
    if field == "id":
        return [parsed for parsed in (_uuid(value) for value in values) if parsed is not None]
    if field == "is_public":
        return [value.lower() == "true" for value in values if value.lower() in ("true", "false")]
    return values


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def narrow(findings: QuerySet, criteria: Mapping[str, Mapping]) -> tuple[QuerySet, dict[str, Mapping]]:
    """(the findings narrowed by every criterion SQL can decide, the criteria left to `matches`)."""
    rest: dict[str, Mapping] = {}
    for key, criterion in criteria.items():
        field = COLUMN_KEYS.get(key)
        q = _column_q(field, criterion) if field else None
        if q is None:
            rest[key] = criterion
        else:
            findings = findings.filter(q)
    return findings, rest


def values_of(finding: Finding, key: str) -> list[str]:
    """The finding's values for a filter key, as text; [] when it has none (so `exists` is false)."""
    if key in COLUMN_KEYS:
        value = getattr(finding, COLUMN_KEYS[key])
        if value is None or value == "":
            return []
        if isinstance(value, bool):
            return ["true" if value else "false"]
        return [str(value)]
    if key == "action":
        return [str(item) for item in finding.action or []]
    if key == "sources":
        return [str(source.get("type", "")) for source in finding.sources or [] if isinstance(source, dict)]
    prefix, _, member = key.partition(".")
    mapping = getattr(finding, prefix) or {}
    value = mapping.get(member)
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def criterion_matches(values: list[str], criterion: Mapping[str, Any]) -> bool:
    for operator, wanted in criterion.items():
        if operator == "exists":
            if bool(values) != wanted:
                return False
        elif operator == "eq":
            if not any(value in wanted for value in values):
                return False
        elif operator == "neq":
            if any(value in wanted for value in values):
                return False
        elif not any(part in value for value in values for part in wanted):
            return False
    return True


def matches(finding: Finding, criteria: Mapping[str, Mapping]) -> bool:
    return all(criterion_matches(values_of(finding, key), criterion) for key, criterion in criteria.items())


def select(findings: Iterable[Finding], criteria: Mapping[str, Mapping]) -> list[Finding]:
    return [finding for finding in findings if matches(finding, criteria)]
