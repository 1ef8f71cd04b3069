"""The organization's guardrails: service control policies and resource control policies, level by level."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .compiler import CompiledPolicy
from .decisions import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    UNDENIABLE_ACTIONS,
    Decision,
    MatchedStatement,
    Request,
    _matched,
    _scan,
)
from .principals import principal_match

LEVEL_KINDS = ("root", "ou", "account")
_KIND_NAMES = {"root": "root", "ou": "OU", "account": "account"}
_TYPE_NAMES = {
    "scp": "service control policy",
    "rcp": "resource control policy",
    "identity": "identity-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "resource": "resource-based policy",
}


@dataclass(frozen=True, slots=True)
class GuardrailLevel:
    """One level of an organization path (the root, an OU, or the account) and the SCPs or RCPs
    attached to it, e.g. ``GuardrailLevel("ou", "ou-ab12-34cd56ef", (full_access, deny_regions))``.

    A path is a sequence of levels from the root down to the account. AWS Organizations User
    Guide, "SCP evaluation": an action is allowed only if, at every level, at least one
    attached policy allows it, and no policy anywhere on the path denies it.
    """

    kind: str
    id: str
    policies: tuple[CompiledPolicy, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in LEVEL_KINDS:
            raise ValueError(f"a guardrail level is one of {LEVEL_KINDS}, not {self.kind!r}")
        if not isinstance(self.policies, tuple):
            object.__setattr__(self, "policies", tuple(self.policies))

    @property
    def label(self) -> tuple[str, str]:
        return (self.kind, self.id)

    def describe(self) -> str:
        """ "root r-ab12", "OU ou-ab12-34cd56ef", "account 111122223333"."""
        return f"{_KIND_NAMES[self.kind]} {self.id}"


def describe_level(label: tuple[str, str]) -> str:
    return f"{_KIND_NAMES.get(label[0], label[0])} {label[1]}"


def _scan_rcp(
    policies: Iterable[CompiledPolicy],
    request: Request,
    denies: list[MatchedStatement],
    memo: dict,  # type: ignore[type-arg]
    level: tuple[str, str],
    principal_arn: str | None,
) -> list[MatchedStatement]:
    """Like the identity scan, but a statement applies only to the principals its Principal names."""
    allows: list[MatchedStatement] = []
    action = request.action_lower
    context = request.normalized_context
    for policy in policies:
        for statement in policy.candidates(action):
            spec = statement.principal
            if spec is not None and principal_arn is not None and not spec.wildcard:
                if principal_match(spec, principal_arn) is None:
                    continue
            if statement.not_principal is not None and principal_arn is not None:
                if principal_match(statement.not_principal, principal_arn) is not None:
                    continue
            if not statement.applies(action, request.resource, context, memo):
                continue
            (allows if statement.allow else denies).append(_matched(statement, "rcp", level))
    return allows


def scan_guardrails(
    request: Request,
    scps: Sequence[GuardrailLevel] | None,
    rcps: Sequence[GuardrailLevel] | None,
    denies: list[MatchedStatement],
    memo: dict,  # type: ignore[type-arg]
    principal_arn: str | None = None,
) -> Decision | None:
    """Collect guardrail Denies into ``denies``; return the implicit deny of the first level (RCPs
    of the resource's account first, then SCPs of the principal's account, each from the root
    down) where no attached policy allows the request, or None when every level allows it."""
    refusal: Decision | None = None
    for kind, path in (("rcp", rcps), ("scp", scps)):
        for level in path or ():
            label = level.label
            if kind == "scp":
                allows = _scan(level.policies, request, "scp", denies, memo, label)
            else:
                allows = _scan_rcp(level.policies, request, denies, memo, label, principal_arn)
            if not allows and refusal is None:
                refusal = Decision(
                    IMPLICIT_DENY,
                    (),
                    f"no {_TYPE_NAMES[kind]} at {level.describe()} allows {request.action}",
                    kind,
                    label,
                )
    return refusal


def explicit_deny(denies: list[MatchedStatement]) -> Decision:
    """The explicit deny, reported for the first denying statement: its policy type and level."""
    first = denies[0]
    if first.level is not None:
        reason = (
            f"explicitly denied by {_TYPE_NAMES[first.source]} {first.policy_id} at {describe_level(first.level)}"
        )
    else:
        reason = "explicitly denied"
    return Decision(EXPLICIT_DENY, tuple(denies), reason, first.source, first.level)


def evaluate_guardrails(
    request: Request,
    *,
    scps: Sequence[GuardrailLevel] | None = None,
    rcps: Sequence[GuardrailLevel] | None = None,
    principal_arn: str | None = None,
) -> Decision:
    """The guardrails alone: "allowed" means the SCPs and RCPs let the request through (they never
    grant). This is how a member account's root user is decided: its identity side allows
    everything, so only the guardrails (and resource policies of other accounts) restrict it.
    """
    if request.action_lower in UNDENIABLE_ACTIONS:
        return Decision(ALLOWED, (), f"{request.action} needs no permission and cannot be denied")
    denies: list[MatchedStatement] = []
    memo: dict = {}  # type: ignore[type-arg]
    refusal = scan_guardrails(request, scps, rcps, denies, memo, principal_arn)
    if denies:
        return explicit_deny(denies)
    if refusal is not None:
        return refusal
    return Decision(ALLOWED, (), "the guardrails allow the action")
