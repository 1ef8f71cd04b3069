"""Decision values and the statement scan that every evaluation shares: requests, matched statements, verdicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .compiler import CompiledPolicy, CompiledStatement
from .conditions import _MULTI
from .variables import context_string

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"
DecisionValue = Literal["allowed", "explicitDeny", "implicitDeny"]

# AWS STS API Reference, GetCallerIdentity: "No permissions are required to perform this
# operation. If an administrator attaches a policy to your identity that explicitly
# denies access to the sts:GetCallerIdentity action, you can still perform this operation."
UNDENIABLE_ACTIONS = frozenset({"sts:getcalleridentity"})


@dataclass(frozen=True, slots=True)
class Request:
    """What is being authorized. Context keys are lower-cased once here, because
    condition keys are case-insensitive (IAM User Guide: Condition element)."""

    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    _action_lower: str = field(init=False, repr=False, compare=False)
    _context_lower: Mapping[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_action_lower", self.action.lower())
        object.__setattr__(self, "_context_lower", {str(k).lower(): v for k, v in self.context.items()})

    @property
    def action_lower(self) -> str:
        return self._action_lower

    @property
    def normalized_context(self) -> Mapping[str, Any]:
        return self._context_lower


RequestContext = Request  # the name used in the design notes


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that contributed to a decision."""

    policy_id: str
    sid: str | None
    statement_index: int
    line: int
    effect: str  # "Allow" | "Deny"
    source: str  # "identity" | "boundary" | "session" | "resource" | "scp" | "rcp"
    # For "scp" / "rcp": the organization level the policy is attached to, e.g. ("ou", "ou-ab12-34cd56ef").
    level: tuple[str, str] | None = None


@dataclass(slots=True)  # not frozen: a frozen __init__ costs a third of a fast decision; never mutate one
class Decision:
    """The verdict, the statements that produced it, and which policy type (and, for the
    organization's guardrails, which level) decided it and why."""

    decision: DecisionValue
    matched_statements: tuple[MatchedStatement, ...] = ()
    reason: str = ""
    # "identity" | "boundary" | "session" | "resource" | "scp" | "rcp"; None when no policy decided
    # (an undeniable action, the root user).
    policy_type: str | None = None
    level: tuple[str, str] | None = None  # ("root" | "ou" | "account", id) when an SCP or RCP decided

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def _matched(statement: CompiledStatement, source: str, level: tuple[str, str] | None = None) -> MatchedStatement:
    key = source if level is None else (source, level)
    found = statement.reported.get(key)
    if found is None:
        found = MatchedStatement(
            statement.policy_id,
            statement.sid,
            statement.index,
            statement.line,
            "Allow" if statement.allow else "Deny",
            source,
            level,
        )
        if len(statement.reported) > 1024:  # one entry per (source, level): bounded, however large the organization
            statement.reported.clear()
        statement.reported[key] = found
    return found


def _index(statement: CompiledStatement) -> int:
    return statement.index


def _scan(
    policies: Iterable[CompiledPolicy],
    request: Request,
    source: str,
    denies: list[MatchedStatement],
    memo: dict,  # type: ignore[type-arg]
    level: tuple[str, str] | None = None,
) -> list[MatchedStatement]:
    """Collect the Deny statements that apply into ``denies``; return the applying Allows.

    ``memo`` is this request's table of already-tested shared guards, resource matchers and
    condition clauses (see StatementGuard.test): identical ones across statements and
    policies are evaluated once.
    """
    allows: list[MatchedStatement] = []
    action = request._action_lower
    resource = request.resource
    context = request._context_lower
    for policy in policies:
        plan = policy._plans.get(action)
        if plan is None:
            plan = policy.plan(action)
        if plan.empty:
            continue
        todo = plan.groups
        if plan.gates:
            todo = [*todo]
            for key, buckets, every in plan.gates:
                raw = context.get(key)
                if raw is None:
                    continue  # StringEquals on a missing key is false
                if raw.__class__ is not str:
                    if isinstance(raw, _MULTI):
                        todo.extend(every)
                        continue
                    raw = context_string(raw)
                todo.extend(buckets.get(raw, ()))
        hits = None
        merged = None
        for guard, statements in todo:
            hit = memo.get(guard)
            if hit is None:
                hit = memo[guard] = guard.test(resource, context, memo)
            if hit:
                if hits is None:
                    hits = statements
                elif merged is None:
                    merged = [*hits, *statements]
                else:
                    merged.extend(statements)
        if hits is None:
            continue
        if merged is not None:  # several groups passed: back to document order
            merged.sort(key=_index)
            hits = merged
        for statement in hits:
            (allows if statement.allow else denies).append(_matched(statement, source, level))
    return allows
