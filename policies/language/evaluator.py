"""Authorization decisions: AWS's policy evaluation logic over compiled policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .compiler import CompiledPolicy
from .decisions import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    UNDENIABLE_ACTIONS,
    Decision,
    DecisionValue,
    MatchedStatement,
    Request,
    RequestContext,
    _matched,
    _scan,
)
from .guardrails import GuardrailLevel, evaluate_guardrails, explicit_deny, scan_guardrails
from .principals import PrincipalMatchKind, _account_of, _principal_kind, principal_match, principal_matches

# Names other modules import from here; their homes are decisions, guardrails and principals.
__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "UNDENIABLE_ACTIONS",
    "Decision",
    "DecisionValue",
    "GuardrailLevel",
    "MatchedStatement",
    "Request",
    "RequestContext",
    "ResourcePolicyDecision",
    "evaluate",
    "evaluate_access",
    "evaluate_guardrails",
    "evaluate_resource_policy",
    "principal_match",
    "principal_matches",
]


def evaluate(
    request: Request,
    identity_policies: Sequence[CompiledPolicy],
    boundary_policies: Sequence[CompiledPolicy] | None = None,
    session_policies: Sequence[CompiledPolicy] | None = None,
    *,
    scps: Sequence[GuardrailLevel] | None = None,
    rcps: Sequence[GuardrailLevel] | None = None,
    principal_arn: str | None = None,
) -> Decision:
    """Decide a request the way AWS does for a principal's identity side.

    IAM User Guide: "Policy evaluation logic" — an explicit Deny in any applicable policy
    wins; then the organization's guardrails: the resource control policies of the
    resource's account (``rcps``) and the service control policies of the principal's
    account (``scps``), each a path of levels from the root down to the account, every
    level needing an Allow (see ``guardrails``); then an Allow is needed from the
    identity-based policies (pass the user's managed, inline and group policies
    together), AND from the permissions boundary when one is set, AND from the session
    policies when the session has any. Anything else is an implicit deny. ``None`` or an
    empty list means "no boundary" / "no session policy" / "no guardrail" (the
    management account, or an account outside any organization). ``principal_arn`` is
    the caller, matched against the Principal of RCP statements (``"*"`` in valid RCPs).
    sts:GetCallerIdentity is always allowed, whatever the policies say.
    """
    if request._action_lower in UNDENIABLE_ACTIONS:
        return Decision(ALLOWED, (), f"{request.action} needs no permission and cannot be denied")
    denies: list[MatchedStatement] = []
    memo: dict = {}  # type: ignore[type-arg]  # one request: shared pieces are tested once
    identity_allows = _scan(identity_policies, request, "identity", denies, memo)
    boundary_allows = _scan(boundary_policies, request, "boundary", denies, memo) if boundary_policies else None
    session_allows = _scan(session_policies, request, "session", denies, memo) if session_policies else None
    refusal = None
    if scps or rcps:
        refusal = scan_guardrails(request, scps, rcps, denies, memo, principal_arn)
    if denies:
        return explicit_deny(denies)
    if refusal is not None:
        return refusal
    if not identity_allows:
        return Decision(IMPLICIT_DENY, (), "no identity-based policy allows the action", "identity")
    if boundary_allows is not None and not boundary_allows:
        return Decision(IMPLICIT_DENY, (), "the permissions boundary does not allow the action", "boundary")
    if session_allows is not None and not session_allows:
        return Decision(IMPLICIT_DENY, (), "the session policy does not allow the action", "session")
    return Decision(ALLOWED, tuple(identity_allows), "allowed", "identity")


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


def evaluate_access(
    request: Request,
    *,
    principal_arn: str,
    principal_account: str | None = None,
    resource_account: str | None = None,
    identity_policies: Sequence[CompiledPolicy] = (),
    boundary_policies: Sequence[CompiledPolicy] | None = None,
    session_policies: Sequence[CompiledPolicy] | None = None,
    resource_policy: CompiledPolicy | None = None,
    resource_policy_required: bool = False,
    scps: Sequence[GuardrailLevel] | None = None,
    rcps: Sequence[GuardrailLevel] | None = None,
    root: bool = False,
) -> Decision:
    """The whole of AWS's evaluation for one request: identity side, resource policy, guardrails,
    within one account or across two.

    IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation logic":
    an explicit Deny anywhere wins; then every level of the RCP path (resource's account) and
    of the SCP path (principal's account) must allow. Across accounts (``resource_account``
    differs from ``principal_account``, which defaults to the account in ``principal_arn``)
    both the identity side and the resource-based policy must allow. Within one account a
    resource-based policy that names the principal (its ARN, or ``"*"``) is enough on its
    own; one that trusts only the account delegates to the identity side, as does having no
    resource policy, unless ``resource_policy_required`` (role trust policies, KMS key
    policies), when the resource policy must allow as well. ``root`` evaluates the account's
    root user: its identity side allows everything, so only guardrails and other accounts'
    resource policies restrict it.
    """
    if principal_account is None:
        principal_account = _account_of(principal_arn)
    if root:
        identity = evaluate_guardrails(request, scps=scps, rcps=rcps, principal_arn=principal_arn)
    else:
        identity = evaluate(request, identity_policies, boundary_policies, session_policies,
                            scps=scps, rcps=rcps, principal_arn=principal_arn)
    resource = (evaluate_resource_policy(resource_policy, request, principal_arn, principal_account)
                if resource_policy is not None else None)
    if identity.decision == EXPLICIT_DENY:
        if resource is not None and resource.decision == EXPLICIT_DENY:
            return Decision(EXPLICIT_DENY, identity.matched_statements + resource.matched_statements,
                            identity.reason, identity.policy_type, identity.level)
        return identity
    if resource is not None and resource.decision == EXPLICIT_DENY:
        return Decision(EXPLICIT_DENY, resource.matched_statements, "explicitly denied by the resource-based policy",
                        "resource")
    if not identity.allowed and identity.policy_type in ("scp", "rcp"):
        return identity  # guardrails cap every grant, a resource policy's included
    resource_allows = resource is not None and resource.allowed
    cross_account = (resource_account is not None and principal_account is not None
                     and resource_account != principal_account)
    if cross_account or resource_policy_required:
        if not resource_allows:
            where = f"of account {resource_account} " if cross_account else ""
            return Decision(IMPLICIT_DENY, (), f"the resource-based policy {where}does not allow the principal",
                            "resource")
        if not cross_account and not resource.via_account_root:  # type: ignore[union-attr]
            return Decision(ALLOWED, resource.matched_statements, "allowed by the resource-based policy",  # type: ignore[union-attr]
                            "resource")
        if not identity.allowed:
            return identity
        return Decision(ALLOWED, identity.matched_statements + resource.matched_statements,  # type: ignore[union-attr]
                        "allowed by the identity side and the resource-based policy", "identity")
    if resource_allows and not resource.via_account_root:  # type: ignore[union-attr]
        return Decision(ALLOWED, resource.matched_statements, "allowed by the resource-based policy",  # type: ignore[union-attr]
                        "resource")
    return identity
