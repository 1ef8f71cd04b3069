"""Compile policy documents into indexed matchers, cached by (policy id, version)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .arn import arn_pattern
from .conditions import VARIABLE_FAMILIES, ConditionTest, compile_clause, parse_operator, parse_template_safe
from .model import PolicyDocument, Principal, Statement
from .parser import parse_policy
from .variables import Template, render, render_pattern

Context = Mapping[str, Any]


class PolicyCompileError(ValueError):
    """The document is not parseable JSON / not a policy object; carries the findings."""

    def __init__(self, message: str, findings: list) -> None:  # type: ignore[type-arg]
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """Principal values grouped by type; ``wildcard`` for "*" or {"AWS": "*"}."""

    wildcard: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


def principal_spec(principal: Principal) -> PrincipalSpec:
    def values(name: str) -> tuple[str, ...]:
        return tuple(v.value for v in principal.values(name))

    aws = values("AWS")
    return PrincipalSpec(
        wildcard=principal.wildcard or "*" in aws,
        aws=tuple(v for v in aws if v != "*"),
        service=values("Service"),
        federated=values("Federated"),
        canonical_user=values("CanonicalUser"),
    )


@dataclass(slots=True)
class _ActionSet:
    """Action patterns of one statement: an exact lower-case set plus wildcard regexes."""

    exact: frozenset[str]
    wildcards: tuple[str, ...]  # lower-cased patterns containing * or ?
    regex: re.Pattern[str] | None  # all wildcard patterns as one alternation

    def matches(self, action_lower: str) -> bool:
        return action_lower in self.exact or (
            self.regex is not None and self.regex.fullmatch(action_lower) is not None
        )


def _action_set(patterns: tuple[str, ...]) -> _ActionSet:
    lowered = [p.lower() for p in patterns]
    exact = frozenset(p for p in lowered if "*" not in p and "?" not in p)
    wild = [p for p in lowered if p not in exact]
    regex = None
    if wild:
        source = "|".join(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p) for p in wild
        )
        regex = re.compile(source, re.DOTALL)
    return _ActionSet(exact, tuple(wild), regex)


@dataclass(slots=True, eq=False)  # identity hash: the object is a per-request memo key
class _ResourceSet:
    """Resource patterns: "*" flag, a combined case-sensitive regex, and variable templates."""

    any: bool
    regex: re.Pattern[str] | None
    templates: tuple[Template, ...]

    def matches(self, resource: str, context: Context) -> bool:
        if self.any or (self.regex is not None and self.regex.fullmatch(resource) is not None):
            return True
        for template in self.templates:
            # IAM User Guide: Variables — if a key is missing (and there is no default)
            # the element does not match.
            if not template.has_wildcards:
                if render(template, context) == resource:
                    return True
                continue
            source = render_pattern(template, context)
            if source is not None and _cached_regex(source).fullmatch(resource):
                return True
        return False


_REGEX_CACHE: OrderedDict[str, re.Pattern[str]] = OrderedDict()


def _cached_regex(source: str) -> re.Pattern[str]:
    pattern = _REGEX_CACHE.get(source)
    if pattern is None:
        pattern = re.compile(source, re.DOTALL)
        _REGEX_CACHE[source] = pattern
        if len(_REGEX_CACHE) > 4096:
            _REGEX_CACHE.popitem(last=False)
    return pattern


def _resource_set(patterns: tuple[str, ...], variables: bool) -> _ResourceSet:
    """The compiled matcher for these patterns, shared by every statement that lists them."""
    return _intern(("resources", patterns, variables), lambda: _build_resource_set(patterns, variables))


def _build_resource_set(patterns: tuple[str, ...], variables: bool) -> _ResourceSet:
    static: list[str] = []
    templates: list[Template] = []
    for pattern in patterns:
        template = parse_template_safe(pattern) if variables else None
        if template is None:
            static.append(pattern)
        else:
            templates.append(template)
    any_resource = "*" in static
    regex = None
    if static and not any_resource:
        regex = re.compile("|".join(f"(?:{arn_pattern(p).pattern})" for p in static), re.DOTALL)
    return _ResourceSet(any_resource, regex, tuple(templates))


# ---------------------------------------------------------------- interning
#
# Policies attached to one principal tend to repeat the same Resource lists and the same
# condition clauses (templates, generated policies, "require MFA" boilerplate). Identical
# compiled pieces are shared through this table, so evaluate() can compute each distinct
# resource matcher, condition clause and statement guard at most once per request (see
# StatementGuard.test). Sharing never changes a result: every shared piece is a pure
# function of (request resource, request context). The table is bounded by being emptied
# when full; pieces already handed out stay valid, they are merely shared less.

_INTERN_LIMIT = 65536
_interned: dict[tuple, Any] = {}  # type: ignore[type-arg]


def _intern(key: tuple, build: Callable[[], Any]) -> Any:  # type: ignore[type-arg]
    found = _interned.get(key)
    if found is None:
        if len(_interned) >= _INTERN_LIMIT:
            _interned.clear()
        found = _interned.setdefault(key, build())
    return found


def _clause(operator_text: str, key: str, values: tuple[str, ...], variables: bool) -> ConditionTest:
    operator = parse_operator(operator_text)
    if operator is None:
        # AWS refuses such a policy; if one reaches us anyway, the unknown condition
        # cannot be satisfied, so the statement must never apply.
        return _never
    identity = ("clause", operator.base, operator.if_exists, operator.set_operator, key.lower(), values,
                variables and operator.family in VARIABLE_FAMILIES)
    return _intern(identity, lambda: compile_clause(operator, key, values, variables))


class StatementGuard:
    """Everything about a statement except its Action and Effect: Resource/NotResource and
    Condition. Interned, so statements (of any policy) with the same resources and
    conditions share one guard, and a request tests it once (memoised in ``memo``)."""

    __slots__ = ("resources", "not_resources", "conditions", "gate")

    def __init__(
        self,
        resources: _ResourceSet | None,
        not_resources: _ResourceSet | None,
        conditions: tuple[ConditionTest, ...],
    ) -> None:
        self.resources = resources
        self.not_resources = not_resources
        self.conditions = conditions
        # (lower-cased key, values) of a plain StringEquals clause: the guard can pass only
        # when the request's single value for that key is one of the values (see plan()).
        self.gate: tuple[str, frozenset[str]] | None = next(
            (g for c in conditions if (g := getattr(c, "equals_gate", None)) is not None), None
        )

    def test(self, resource: str, context: Context, memo: dict) -> bool:  # type: ignore[type-arg]
        """Whether the statement applies, given that its action matches.

        ``memo`` maps shared pieces (resource sets, clauses) to their result for this one
        request; the caller must use a fresh dict per request (resource + context).
        """
        conditions = self.conditions
        for clause in conditions:  # cheapest refusal first: a clause already known false
            if memo.get(clause) is False:
                return False
        matcher = self.resources
        if matcher is not None:
            if not matcher.any:
                hit = memo.get(matcher)
                if hit is None:
                    hit = memo[matcher] = matcher.matches(resource, context)
                if not hit:
                    return False
        else:
            matcher = self.not_resources
            if matcher is not None:
                hit = memo.get(matcher)
                if hit is None:
                    hit = memo[matcher] = matcher.matches(resource, context)
                if hit:
                    return False
        for clause in conditions:
            hit = memo.get(clause)
            if hit is None:
                hit = memo[clause] = bool(clause(context))
            if not hit:
                return False
        return True


def _guard(
    resources: _ResourceSet | None, not_resources: _ResourceSet | None, conditions: tuple[ConditionTest, ...]
) -> StatementGuard:
    # The pieces are interned already, so identity (their default hash/eq) is the key.
    return _intern(("guard", resources, not_resources, conditions),
                   lambda: StatementGuard(resources, not_resources, conditions))


@dataclass(slots=True)
class CompiledStatement:
    """One statement ready for evaluation. ``None`` matchers mean "element absent"."""

    policy_id: str
    index: int
    sid: str | None
    line: int
    allow: bool
    actions: _ActionSet | None
    not_actions: _ActionSet | None
    resources: _ResourceSet | None
    not_resources: _ResourceSet | None
    conditions: tuple[ConditionTest, ...]
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    guard: StatementGuard = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    # source ("identity", "boundary", ...) -> the evaluator's MatchedStatement, built once
    reported: dict = field(default_factory=dict, repr=False)  # type: ignore[type-arg]

    def matches_action(self, action_lower: str) -> bool:
        if self.actions is not None:
            return self.actions.matches(action_lower)
        if self.not_actions is not None:
            return not self.not_actions.matches(action_lower)
        return False  # a statement without Action/NotAction grants nothing

    def matches_resource(self, resource: str, context: Context) -> bool:
        if self.resources is not None:
            return self.resources.matches(resource, context)
        if self.not_resources is not None:
            return not self.not_resources.matches(resource, context)
        return True  # trust policies have no Resource: the role itself is the resource

    def matches_conditions(self, context: Context) -> bool:
        for test in self.conditions:
            if not test(context):
                return False
        return True

    def __post_init__(self) -> None:
        if self.guard is None:
            self.guard = _guard(self.resources, self.not_resources, self.conditions)

    def applies(
        self, action_lower: str, resource: str, context: Context, memo: dict | None = None  # type: ignore[type-arg]
    ) -> bool:
        """Action, then Resource, then Condition (cheapest first; the result is the same).

        Pass the same ``memo`` dict for every statement of one request to share the work
        on identical resources and conditions; never reuse it for another request.
        """
        if not self.matches_action(action_lower):
            return False
        return self.guard.test(resource, context, {} if memo is None else memo)


def compile_statement(statement: Statement, policy_id: str, variables: bool) -> CompiledStatement | None:
    """Compile a statement; None for one without a valid Effect (it can never apply)."""
    if statement.effect is None or statement.effect.value not in ("Allow", "Deny"):
        return None
    conditions = [
        _clause(clause.operator.value, clause.key.value, tuple(v.value for v in clause.values), variables)
        for clause in statement.condition or ()
    ]

    def values(items: tuple | None) -> tuple[str, ...] | None:  # type: ignore[type-arg]
        return None if items is None else tuple(item.value for item in items)

    action = values(statement.action)
    not_action = values(statement.not_action)
    resource = values(statement.resource)
    not_resource = values(statement.not_resource)
    return CompiledStatement(
        policy_id=policy_id,
        index=statement.index,
        sid=statement.sid.value if statement.sid else None,
        line=statement.line,
        allow=statement.effect.value == "Allow",
        actions=_action_set(action) if action is not None else None,
        not_actions=_action_set(not_action) if not_action is not None and action is None else None,
        resources=_resource_set(resource, variables) if resource is not None else None,
        not_resources=_resource_set(not_resource, variables)
        if not_resource is not None and resource is None
        else None,
        conditions=tuple(conditions),
        principal=principal_spec(statement.principal) if statement.principal else None,
        not_principal=principal_spec(statement.not_principal) if statement.not_principal else None,
    )


def _never(_context: Context) -> bool:
    return False


Group = tuple[StatementGuard, tuple[CompiledStatement, ...]]  # statements in document order


class Plan:
    """A policy's statements for one action, as (guard, statements) groups: the statements
    apply exactly when the guard passes.

    ``groups`` must always be tested. ``gates`` holds the guards with a StringEquals gate,
    per condition key: ``(key, {value: groups}, all those groups)``; for a request whose
    context has a single value for the key only ``buckets[text of the value]`` can pass, a
    missing key passes none, and a multivalued one needs every group tested.
    """

    __slots__ = ("groups", "gates", "empty")

    def __init__(self, groups: tuple[Group, ...]) -> None:
        plain: list[Group] = []
        by_key: dict[str, tuple[dict[str, list[Group]], list[Group]]] = {}
        for group in groups:
            gate = group[0].gate
            if gate is None or len(groups) == 1:  # an index of one group saves nothing
                plain.append(group)
                continue
            key, values = gate
            buckets, every = by_key.setdefault(key, ({}, []))
            every.append(group)
            for value in values:
                buckets.setdefault(value, []).append(group)
        self.groups: tuple[Group, ...] = tuple(plain)
        self.gates: tuple[tuple[str, dict[str, tuple[Group, ...]], tuple[Group, ...]], ...] = tuple(
            (key, {value: tuple(found) for value, found in buckets.items()}, tuple(every))
            for key, (buckets, every) in by_key.items()
        )
        self.empty = not groups


@dataclass(slots=True)
class CompiledPolicy:
    """A policy's statements plus an index from action to the statements that may match.

    Statements listing exact actions are filed under each action; wildcard actions with
    a literal service prefix ("iam:Get*") under the service; everything else ("*",
    "*:Get*", NotAction) is always a candidate. Looking up candidates is therefore one
    or two dict probes, and statements about other actions cost nothing.
    """

    policy_id: str
    version: str
    statements: tuple[CompiledStatement, ...]
    document: PolicyDocument | None = None
    _by_action: dict[str, list[CompiledStatement]] = field(default_factory=dict, repr=False)
    _by_service: dict[str, list[CompiledStatement]] = field(default_factory=dict, repr=False)
    _always: list[CompiledStatement] = field(default_factory=list, repr=False)
    _memo: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict, repr=False)
    _plans: dict[str, Plan] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for statement in self.statements:
            target = statement.actions
            if target is None:
                self._always.append(statement)
                continue
            services: set[str] = set()
            always = False
            for pattern in target.wildcards:
                service, sep, _name = pattern.partition(":")
                if not sep or "*" in service or "?" in service:
                    always = True  # "*", "*:Get*", "i?m:*": cannot be filed under one service
                else:
                    services.add(service)
            if always:
                self._always.append(statement)
                continue
            for action in target.exact:
                self._by_action.setdefault(action, []).append(statement)
            for service in services:
                self._by_service.setdefault(service, []).append(statement)

    def candidates(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction may match, in document order (memoised)."""
        found = self._memo.get(action_lower)
        if found is None:
            service = action_lower.split(":", 1)[0]
            merged = {id(s): s for s in self._always}
            for s in self._by_action.get(action_lower, ()):
                merged[id(s)] = s
            for s in self._by_service.get(service, ()):
                merged[id(s)] = s
            found = tuple(sorted(merged.values(), key=lambda s: s.index))
            if len(self._memo) > 2048:  # bound memory under action-name fuzzing
                self._memo.clear()
            self._memo[action_lower] = found
        return found

    def plan(self, action_lower: str) -> Plan:
        """The statements whose Action/NotAction matches, grouped by shared guard (memoised).

        Action matching depends on nothing but the action, so it is done once here; the
        per-request work is one guard test per distinct (Resource, Condition) pair, and
        none at all for guards whose StringEquals gate cannot match the request.
        """
        found = self._plans.get(action_lower)
        if found is None:
            groups: dict[StatementGuard, list[CompiledStatement]] = {}
            for statement in self.candidates(action_lower):
                if statement.matches_action(action_lower):
                    groups.setdefault(statement.guard, []).append(statement)
            found = Plan(tuple((guard, tuple(statements)) for guard, statements in groups.items()))
            if len(self._plans) > 2048:  # bound memory under action-name fuzzing
                self._plans.clear()
            self._plans[action_lower] = found
        return found


# ---------------------------------------------------------------- cache

_CACHE_SIZE = 2048
_cache: OrderedDict[tuple[str, str], CompiledPolicy] = OrderedDict()
_lock = threading.Lock()


def compile_document(document: PolicyDocument, policy_id: str, version: str = "") -> CompiledPolicy:
    """Compile an already-parsed document (uncached)."""
    variables = document.supports_variables
    statements = tuple(
        compiled
        for statement in document.statements
        if (compiled := compile_statement(statement, policy_id, variables)) is not None
    )
    return CompiledPolicy(policy_id, version, statements, document)


def compile_policy(document: str | PolicyDocument, policy_id: str, version: str = "") -> CompiledPolicy:
    """Compile a policy (JSON text or parsed document), cached by (policy_id, version).

    Policy versions are immutable, so a cached entry never goes stale; call
    ``invalidate(policy_id)`` when an unversioned (inline) policy is rewritten.
    Raises PolicyCompileError when text is not a JSON policy object.
    """
    key = (policy_id, version)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    if isinstance(document, str):
        result = parse_policy(document)
        if result.document is None:
            raise PolicyCompileError(f"policy {policy_id!r} is not a valid policy document", result.findings)
        parsed = result.document
    else:
        parsed = document
    compiled = compile_document(parsed, policy_id, version)
    with _lock:
        _cache[key] = compiled
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def invalidate(policy_id: str) -> int:
    """Drop every cached version of a policy; returns how many entries were dropped."""
    with _lock:
        stale = [key for key in _cache if key[0] == policy_id]
        for key in stale:
            del _cache[key]
    return len(stale)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def cache_info() -> dict[str, int]:
    with _lock:
        return {"size": len(_cache), "max_size": _CACHE_SIZE}
