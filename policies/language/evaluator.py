"""Authorization decisions: AWS's policy evaluation logic over compiled policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .arn import ACCOUNT_ID, parse_arn
from .compiler import CompiledPolicy, CompiledStatement, PrincipalSpec, principal_spec
from .conditions import _MULTI
from .model import Statement
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
    source: str  # "identity" | "boundary" | "session" | "resource"


@dataclass(frozen=True, slots=True)
class Decision:
    decision: DecisionValue
    matched_statements: tuple[MatchedStatement, ...] = ()
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def _matched(statement: CompiledStatement, source: str) -> MatchedStatement:
    found = statement.reported.get(source)
    if found is None:
        found = MatchedStatement(
            statement.policy_id,
            statement.sid,
            statement.index,
            statement.line,
            "Allow" if statement.allow else "Deny",
            source,
        )
        statement.reported[source] = found
    return found


def _index(statement: CompiledStatement) -> int:
    return statement.index


def _scan(
    policies: Iterable[CompiledPolicy],
    request: Request,
    source: str,
    denies: list[MatchedStatement],
    memo: dict,  # type: ignore[type-arg]
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
            (allows if statement.allow else denies).append(_matched(statement, source))
    return allows


def evaluate(
    request: Request,
    identity_policies: Sequence[CompiledPolicy],
    boundary_policies: Sequence[CompiledPolicy] | None = None,
    session_policies: Sequence[CompiledPolicy] | None = None,
) -> Decision:
    """Decide a request the way AWS does for a principal in its own account.

    IAM User Guide: "Policy evaluation logic" — an explicit Deny in any applicable policy
    wins; otherwise an Allow is needed from the identity-based policies (pass the user's
    managed, inline and group policies together), AND from the permissions boundary
    when one is set, AND from the session policies when the session has any. Anything
    else is an implicit deny. ``None`` or an empty list means "no boundary" / "no
    session policy" (a boundary is always exactly one managed policy).
    sts:GetCallerIdentity is always allowed, whatever the policies say.
    """
    if request._action_lower in UNDENIABLE_ACTIONS:
        return Decision(ALLOWED, (), f"{request.action} needs no permission and cannot be denied")
    denies: list[MatchedStatement] = []
    memo: dict = {}  # type: ignore[type-arg]  # one request: shared pieces are tested once
    identity_allows = _scan(identity_policies, request, "identity", denies, memo)
    boundary_allows = _scan(boundary_policies, request, "boundary", denies, memo) if boundary_policies else None
    session_allows = _scan(session_policies, request, "session", denies, memo) if session_policies else None
    if denies:
        return Decision(EXPLICIT_DENY, tuple(denies), "explicitly denied")
    if not identity_allows:
        return Decision(IMPLICIT_DENY, (), "no identity-based policy allows the action")
    if boundary_allows is not None and not boundary_allows:
        return Decision(IMPLICIT_DENY, (), "the permissions boundary does not allow the action")
    if session_allows is not None and not session_allows:
        return Decision(IMPLICIT_DENY, (), "the session policy does not allow the action")
    return Decision(ALLOWED, tuple(identity_allows), "allowed")


def could_allow(
    action: str,
    identity_policies: Sequence[CompiledPolicy],
    boundary_policies: Sequence[CompiledPolicy] | None = None,
    session_policies: Sequence[CompiledPolicy] | None = None,
) -> bool:
    """Whether some request for ``action`` might be allowed, whatever its resource and context: an Allow
    statement names the action in the identity policies, and in the boundary and session policies when there
    are any. False means that every request for the action is denied, so a service may refuse it before it
    reads the request's other input (as AWS refuses a caller who may not act before it examines a document).
    """
    action_lower = action.lower()
    if action_lower in UNDENIABLE_ACTIONS:
        return True

    def names(policies: Sequence[CompiledPolicy]) -> bool:
        return any(statement.allow and statement.matches_action(action_lower)
                   for policy in policies for statement in policy.candidates(action_lower))

    return (names(identity_policies) and (not boundary_policies or names(boundary_policies))
            and (not session_policies or names(session_policies)))


# ---------------------------------------------------------------- principals

PrincipalMatchKind = Literal["wildcard", "exact", "account"]


def _account_of(arn: str) -> str | None:
    parsed = parse_arn(arn)
    return parsed.account if parsed else None


def _session_role(arn: str) -> tuple[str, str] | None:
    """(account, role name) for an sts assumed-role session ARN."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "sts" or not parsed.resource.startswith("assumed-role/"):
        return None
    parts = parsed.resource.split("/")
    return (parsed.account, parts[1]) if len(parts) >= 3 else None


def _match_aws_value(value: str, principal_arn: str, account_id: str | None) -> PrincipalMatchKind | None:
    # IAM User Guide: AWS JSON policy elements: Principal — "AWS account principals":
    # an account ID or its root ARN trusts the account, which then delegates to its
    # principals through their identity-based policies.
    if ACCOUNT_ID.match(value):
        return "account" if account_id == value else None
    parsed = parse_arn(value)
    if parsed is None:
        return None
    if parsed.service == "iam" and parsed.resource == "root":
        return "account" if account_id == parsed.account else None
    if value == principal_arn:
        return "exact"
    # "Role sessions": a role ARN in Principal also matches sessions of that role.
    session = _session_role(principal_arn)
    if session and parsed.service == "iam" and parsed.resource.startswith("role/"):
        role_name = parsed.resource.rsplit("/", 1)[-1]
        if (parsed.account, role_name) == session:
            return "exact"
    return None


def principal_match(
    spec: PrincipalSpec, principal_arn: str, account_id: str | None = None
) -> PrincipalMatchKind | None:
    """How a principal matches a Principal element: "wildcard", "exact", "account", or None.

    ``principal_arn`` is the caller's ARN (user, role, assumed-role session, root), or a
    service principal name ("ec2.amazonaws.com") / identity-provider ARN for service
    and federated callers. ``account_id`` defaults to the account inside the ARN.
    """
    if spec.wildcard:
        return "wildcard"
    if account_id is None:
        account_id = _account_of(principal_arn)
    best: PrincipalMatchKind | None = None
    for value in spec.aws:
        kind = _match_aws_value(value, principal_arn, account_id)
        if kind == "exact":
            return "exact"
        best = best or kind
    if (
        principal_arn in spec.service
        or principal_arn in spec.federated
        or principal_arn in spec.canonical_user
    ):
        return "exact"
    return best


def _spec_of(statement: CompiledStatement | Statement) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
    if isinstance(statement, CompiledStatement):
        return statement.principal, statement.not_principal
    return (
        principal_spec(statement.principal) if statement.principal else None,
        principal_spec(statement.not_principal) if statement.not_principal else None,
    )


def principal_matches(
    statement: CompiledStatement | Statement, principal_arn: str, account_id: str | None = None
) -> bool:
    """Whether a statement's Principal (or NotPrincipal) applies to this principal."""
    return _principal_kind(statement, principal_arn, account_id) is not None


def _principal_kind(
    statement: CompiledStatement | Statement, principal_arn: str, account_id: str | None
) -> PrincipalMatchKind | None:
    principal, not_principal = _spec_of(statement)
    if principal is not None:
        return principal_match(principal, principal_arn, account_id)
    if not_principal is not None:
        # NotPrincipal applies to every principal except those listed.
        return None if principal_match(not_principal, principal_arn, account_id) else "wildcard"
    return None  # a resource-policy statement without a principal applies to no one


@dataclass(frozen=True, slots=True)
class ResourcePolicyDecision:
    decision: DecisionValue
    matched_statements: tuple[MatchedStatement, ...] = ()
    via_account_root: bool = False  # allowed only because the caller's account is trusted

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def evaluate_resource_policy(
    policy: CompiledPolicy, request: Request, principal_arn: str, account_id: str | None = None
) -> ResourcePolicyDecision:
    """Evaluate a resource-based policy (e.g. a role trust policy) for one caller.

    When the only Allow comes through the account (an account ID or
    arn:aws:iam::<account>:root), ``via_account_root`` is True: AWS then also requires
    the caller's own identity-based policies to allow the action (IAM User Guide:
    "Cross-account policy evaluation logic"; "Principal — AWS account principals").
    """
    action = request._action_lower
    context = request._context_lower
    allows: list[tuple[MatchedStatement, PrincipalMatchKind]] = []
    denies: list[MatchedStatement] = []
    memo: dict = {}  # type: ignore[type-arg]
    for statement in policy.candidates(action):
        kind = _principal_kind(statement, principal_arn, account_id)
        if kind is None or not statement.applies(action, request.resource, context, memo):
            continue
        if statement.allow:
            allows.append((_matched(statement, "resource"), kind))
        else:
            denies.append(_matched(statement, "resource"))
    if denies:
        return ResourcePolicyDecision(EXPLICIT_DENY, tuple(denies))
    if not allows:
        return ResourcePolicyDecision(IMPLICIT_DENY)
    via_root = all(kind == "account" for _m, kind in allows)
    return ResourcePolicyDecision(ALLOWED, tuple(m for m, _k in allows), via_root)
