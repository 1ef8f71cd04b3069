"""Policies as constraints over requests, and the search for a request in a region of them.

A request has dimensions: action, resource, principal (resource policies only) and one per
condition key. A statement matches a request when each of its components does; the checks ask
for a request that matches some statements (``positive``) and none of others (``negative``).
``find_requests`` searches dimension by dimension: for each dimension it computes exactly which
sets of the negative statements' components a value can satisfy together (see ``globs``),
keeps the subset-minimal ones, and carries only the statements still matching to the next
dimension; the condition keys are solved last, each key by representative values that cover
every region its clauses' values carve out, evaluated with the engine's own condition tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import actions as catalogue
from .compiler import principal_spec
from .conditions import (
    ConditionTest,
    Operator,
    compile_clause,
    parse_operator,
)
from .globs import ANY, ANY_NC, STAR, STAR_NC, Glob, glob, pattern_glob, tokens
from .model import PolicyDocument, Statement

Dim = tuple[Glob, bool]  # (patterns, negated): NotAction / NotResource / NotPrincipal are negated


@dataclass(eq=False)
class Clause:
    key: str  # lower-cased
    key_text: str  # as written
    operator: Operator
    values: tuple[str, ...]
    test: ConditionTest
    opaque: bool  # values hold policy variables: the clause's truth is left free


@dataclass(eq=False)
class Stmt:
    """A statement as constraints. ``action_mask`` has a bit per catalogued action for which the
    action component holds (NotAction already applied)."""

    index: int
    sid: str | None
    allow: bool
    action: Dim
    action_mask: int
    resource: Dim | None
    principal: Dim | None
    clauses: tuple[Clause, ...]
    shape: tuple = field(default=())  # type: ignore[type-arg]  # structural identity


@dataclass
class Witness:
    action: str
    resource: str
    principal: str | None
    context: dict[str, Any]


# ---------------------------------------------------------------- the action catalogue


@dataclass(frozen=True)
class Catalogue:
    names: tuple[str, ...]  # lower-case "service:action"
    canonical: tuple[str, ...]
    known_services: Glob  # every catalogued service, "svc:*"
    version: tuple  # type: ignore[type-arg]

    @property
    def everything(self) -> int:
        return (1 << len(self.names)) - 1


_catalogue: Catalogue | None = None


def current_catalogue() -> Catalogue:
    """The engine's action catalogue (iam, sts and registered services), rebuilt when it changes."""
    global _catalogue
    infos = catalogue.all_actions()
    version = (len(infos), tuple(sorted(catalogue.KNOWN_SERVICES)))
    if _catalogue is None or _catalogue.version != version:
        ordered = sorted(infos, key=lambda i: i.full_name.lower())
        _catalogue = Catalogue(
            tuple(i.full_name.lower() for i in ordered),
            tuple(i.full_name for i in ordered),
            pattern_glob([f"{s}:*" for s in sorted(catalogue.KNOWN_SERVICES)]),
            version,
        )
        _mask_of.cache_clear()
    return _catalogue


@lru_cache(maxsize=8192)
def _mask_of(patterns: tuple[str, ...]) -> int:
    names = current_catalogue().names
    matcher = pattern_glob([p.lower() for p in patterns])
    mask = 0
    for bit, name in enumerate(names):
        if matcher.matches(name):
            mask |= 1 << bit
    return mask


# ---------------------------------------------------------------- principals as strings

ACTION_SHAPE = glob([(ANY_NC, STAR_NC, frozenset(":"), ANY_NC, STAR_NC)])  # service:name, one colon
# A well-formed ARN: five colon-free fields, then the resource (which may hold colons).
RESOURCE_SHAPE = pattern_glob(["arn:*:*:*:*:*"], arn=True)
PRINCIPAL_SHAPE = pattern_glob(["arn:aws:iam::*", "arn:aws:sts::*", "service:*", "federated:*", "canonical:*",
                                "anonymous"])


def principal_patterns(principal_type: str, value: str) -> list[str]:
    """The principal strings a Principal value stands for (see ``principal_of``)."""
    if principal_type == "AWS":
        if value == "*":
            return ["*"]
        if len(value) == 12 and value.isdigit():
            return [f"arn:aws:iam::{value}:*", f"arn:aws:sts::{value}:*"]
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
            return [f"arn:aws:iam::{parts[4]}:*", f"arn:aws:sts::{parts[4]}:*"]
        if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/"):
            name = parts[5].rsplit("/", 1)[-1]
            return [value, f"arn:aws:sts::{parts[4]}:assumed-role/{name}/*"]
        return [value]
    prefix = {"Service": "service:", "Federated": "federated:", "CanonicalUser": "canonical:"}.get(principal_type)
    return [prefix + value] if prefix else []


def principal_of(witness: str) -> str:
    """The caller's ARN or name for the evaluator, from a principal string."""
    for prefix in ("service:", "federated:", "canonical:"):
        if witness.startswith(prefix):
            return witness[len(prefix):]
    return witness


def _principal_dim(statement: Statement) -> Dim | None:
    element = statement.principal or statement.not_principal
    if element is None:
        return None
    spec = principal_spec(element)
    patterns: list[str] = ["*"] if spec.wildcard else []
    for principal_type, values in element.entries.items():
        for value in values:
            patterns.extend(principal_patterns(principal_type, value.value))
    literal = [p for p in patterns if p == "*"] or patterns
    alts = [tokens(p, wildcards=p == "*" or p.endswith(":*") or p.endswith("/*")) for p in literal]
    return (glob(alts), statement.principal is None)


# ---------------------------------------------------------------- statements


def _clause(operator_text: str, key: str, values: tuple[str, ...], variables: bool) -> Clause | None:
    operator = parse_operator(operator_text)
    if operator is None:
        return None
    opaque = variables and any("${" in v for v in values)
    return Clause(key.lower(), key, operator, values, compile_clause(operator, key, values, False), opaque)


def statement_constraints(statement: Statement, symbols: tuple[str, ...] | None) -> Stmt | None:
    if statement.effect is None or statement.effect.value not in ("Allow", "Deny"):
        return None
    cat = current_catalogue()
    if statement.action is not None:
        actions, negated = tuple(a.value for a in statement.action), False
    elif statement.not_action is not None:
        actions, negated = tuple(a.value for a in statement.not_action), True
    else:
        return None  # grants nothing
    mask = _mask_of(actions)
    if negated:
        mask = cat.everything & ~mask
    action_dim = (pattern_glob([a.lower() for a in actions]), negated)
    resource_dim: Dim | None = None
    for values, negated_resource in ((statement.resource, False), (statement.not_resource, True)):
        if values is not None:
            resource_dim = (pattern_glob([v.value for v in values], variables=symbols, arn=True), negated_resource)
            break
    clauses: list[Clause] = []
    for item in statement.condition or ():
        clause = _clause(item.operator.value, item.key.value, tuple(v.value for v in item.values), symbols is not None)
        if clause is None:
            return None  # an unknown operator never holds: the statement never applies
        clauses.append(clause)
    principal_dim = _principal_dim(statement)
    shape = (
        action_dim[0].key, action_dim[1],
        resource_dim[0].key if resource_dim else None, resource_dim[1] if resource_dim else None,
        principal_dim[0].key if principal_dim else None, principal_dim[1] if principal_dim else None,
        frozenset((c.key, c.operator.canonical, c.values) for c in clauses),
    )
    return Stmt(statement.index, statement.sid.value if statement.sid else None, statement.effect.value == "Allow",
                action_dim, mask, resource_dim, principal_dim, tuple(clauses), shape)


def document_constraints(document: PolicyDocument) -> list[Stmt]:
    symbols = _symbols(document) if document.supports_variables else None
    return [s for st in document.statements if (s := statement_constraints(st, symbols)) is not None]


def _symbols(document: PolicyDocument) -> tuple[str, ...]:
    """Every variable key the document uses, in a stable order: symbol i stands for key i."""
    keys: set[str] = set()


    for statement in document.statements:
        for values in (statement.resource, statement.not_resource):
            for value in values or ():
                for match in re.finditer(r"\$\{([^}]*)\}", value.value):
                    inner = match.group(1).strip()
                    if inner not in ("*", "?", "$"):
                        keys.add(inner.split(",", 1)[0].strip().lower())
    return tuple(sorted(keys))


def subsumes(general: Stmt, specific: Stmt) -> bool:
    """A cheap sufficient test that every request ``specific`` matches, ``general`` matches too."""
    if general.shape == specific.shape:
        return True
    if specific.action_mask & ~general.action_mask:
        return False
    if not _dim_contains(general.action, specific.action, lower=True):
        return False
    if general.resource is not None and not _dim_contains(general.resource, specific.resource, lower=False):
        return False
    if general.principal is not None and not _dim_contains(general.principal, specific.principal, lower=False):
        return False
    specific_clauses = {(c.key, c.operator.canonical, c.values) for c in specific.clauses}
    return all((c.key, c.operator.canonical, c.values) in specific_clauses for c in general.clauses)


def _dim_contains(general: Dim, specific: Dim | None, lower: bool) -> bool:
    g, g_negated = general
    if g.universal and not g_negated:
        return True
    if specific is None or specific[1] != g_negated:
        return False
    s = specific[0]
    if g_negated:  # NotX: everything outside g ⊇ everything outside s  <=>  g ⊆ s
        g, s = s, g
    return all(any(_alt_contains(ga, sa) for ga in g.alts) for sa in s.alts)


def _alt_contains(general: tuple, specific: tuple) -> bool:  # type: ignore[type-arg]
    if general == specific or general == (STAR,):
        return True
    # a literal prefix followed by a single trailing "*"
    if general and general[-1] == STAR and STAR not in general[:-1] and ANY not in general[:-1]:
        prefix = general[:-1]
        return len(specific) >= len(prefix) and all(
            isinstance(t, frozenset) and isinstance(p, frozenset) and t <= p
            for t, p in zip(specific[: len(prefix)], prefix, strict=True)
        )
    return False
