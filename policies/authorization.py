"""The one authorization chokepoint: authorize(principal, action, resource, context).

Every service calls it before it acts, and every console view and REST endpoint reaches it through a
service. Deny by default: a principal is allowed only what its IAM policies allow (AWS's evaluation logic);
the root user is allowed everything. Principals are known only through the Principal protocol: each brings
its own policy set, so this module imports no entity model. (Caller, Principal and SystemPrincipal live in the
frame, iam_console.callers; they are re-exported here for the services that authorize.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from iam_console import metrics
from iam_console.callers import Caller, Principal, SystemPrincipal
from iam_console.decision_record import record_decision
from iam_console.errors import AccessDenied
from iam_console.operations import running_operation
from policies import session_scope
from policies.guardrail_loading import Guardrails, account_guardrails
from policies.language import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    Request,
    could_allow,
    evaluate,
    evaluate_guardrails,
)
from policies.language.guardrails import describe_level
from policies.loading import PolicySet

__all__ = ["Caller", "Principal", "SystemPrincipal", "attempt_refusal", "authorize", "authorize_caller",
           "authorize_unknown", "caller_may", "check_session_scope", "decide", "permission_checker",
           "policy_set_for"]


def policy_set_for(principal: Principal) -> PolicySet:
    """The policies that decide for a principal: each kind of principal brings its own (`policy_set()`).

    Inside an IAM operation, its caller's set is loaded once and kept for the operation's other checks."""
    running = running_operation()
    keep = running is not None and running.caller is not None and running.caller.principal is principal
    if keep and "policy_set" in running.loaded:
        return running.loaded["policy_set"]
    own = getattr(principal, "policy_set", None)
    policy_set = own() if callable(own) else None
    policy_set = policy_set if policy_set is not None else PolicySet()
    if keep:
        running.loaded["policy_set"] = policy_set
    return policy_set


def decide(principal: Principal, action: str, resource: str, context: Mapping[str, Any]) -> Decision:
    """The decision and the statements that made it, without raising (simulators, "can I?" checks).

    The organization's SCPs over the principal's account are part of its policy set: every level from the root
    down must allow, none may deny; the management account is exempt, a member account's root user is not."""
    refuses = getattr(principal, "refuses", None)
    if callable(refuses) and refuses(action):  # session credentials' own limits, before any policy or root
        return Decision(IMPLICIT_DENY, (), f"these session credentials may not perform {action} without MFA")
    policy_set = policy_set_for(principal)
    guardrails = policy_set.guardrails
    if guardrails is not None:
        context = organization_context(context, guardrails, resource)
    if principal.is_root:
        if guardrails is None or not guardrails.scps:
            return Decision(ALLOWED, (), "the root user is allowed everything")
        return evaluate_guardrails(Request(action, resource, context), scps=guardrails.scps)
    return evaluate(Request(action, resource, context), policy_set.identity,
                    boundary_policies=policy_set.boundary or None, session_policies=policy_set.session or None,
                    scps=guardrails.scps if guardrails is not None and guardrails.scps else None)


def organization_context(context: Mapping[str, Any], guardrails: Guardrails, resource: str) -> dict[str, Any]:
    """The organization's condition keys: the principal's (aws:PrincipalOrgID, aws:PrincipalOrgPaths) and the
    resource's (aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceOrgPaths, from the account in its ARN)."""
    keys = {**context, "aws:PrincipalOrgID": guardrails.organization_id,
            "aws:PrincipalOrgPaths": [guardrails.org_path]}
    parts = resource.split(":", 5)
    resource_account = parts[4] if len(parts) > 4 and len(parts[4]) == 12 and parts[4].isdigit() else None
    if resource_account is not None:
        keys["aws:ResourceAccount"] = resource_account
        theirs = guardrails if resource_account == guardrails.account_id else account_guardrails(resource_account)
        if theirs is not None:
            keys["aws:ResourceOrgID"] = theirs.organization_id
            keys["aws:ResourceOrgPaths"] = [theirs.org_path]
    return keys


def authorize(principal: Principal, action: str, resource: str, context: Mapping[str, Any]) -> None:
    """Allow or raise AccessDenied, by AWS's evaluation logic over the principal's own IAM policies."""
    decision = decide(principal, action, resource, context)
    metrics.decision(decision.decision)
    if decision.allowed:
        return
    kind = "User" if not principal.arn.startswith("arn:aws:sts") else "Session"
    if decision.policy_type == "scp":
        where = f" (at {describe_level(decision.level)})" if decision.level else ""
        why = ("with an explicit deny in a service control policy" if decision.decision == EXPLICIT_DENY
               else f"because no service control policy allows the {action} action") + where
    elif decision.decision == EXPLICIT_DENY:
        why = "with an explicit deny in an identity-based policy"
    elif "boundary" in decision.reason:
        why = f"because no permissions boundary allows the {action} action"
    elif "without MFA" in decision.reason:
        why = "because these session credentials were issued without MFA"
    elif "session" in decision.reason:
        why = f"because no session policy allows the {action} action"
    else:
        why = f"because no identity-based policy allows the {action} action"
    raise AccessDenied(f"{kind}: {principal.arn} is not authorized to perform: {action} on resource: {resource} {why}")


def authorize_caller(caller: Caller, action: str, resource: str, extra_context: Mapping[str, Any] | None = None) -> None:
    """authorize() for a Caller: builds the request context from how the caller reached us.

    A restricted console session (a password to change, MFA to enrol) is refused everything outside its escape
    hatches before its policies are consulted, whichever door it came through.
    """
    try:
        check_session_scope(caller, action, resource)
        authorize(caller.principal, action, resource, caller.condition_context(extra_context))
    except AccessDenied:
        record_decision(caller, action, False)
        raise
    record_decision(caller, action, True)
    running = running_operation()
    if running is not None and running.caller is caller:
        running.authorized = True


def authorize_unknown(resource: str) -> None:
    """Before an operation says an entity does not exist: may the caller act on it at all?

    Called where a lookup finds nothing, with the ARN the entity would have. A caller that the running operation
    has not yet allowed anything gets AccessDenied, exactly as for an entity that exists, so a caller who may
    not read cannot learn which names are taken.
    """
    running = running_operation()
    if running is None or running.authorized or running.caller is None:
        return
    authorize_caller(running.caller, running.action, resource)


def attempt_refusal(caller: Caller, action: str) -> AccessDenied | None:
    """AccessDenied when nothing the caller holds could allow `action` on any resource (no Allow statement names
    it, or its session credentials may not use it); None when some request for the action might be allowed.

    The operation frame asks this before an operation runs, so that such a caller is refused as AWS refuses it,
    before its input is examined (iam_console.operations)."""
    principal = caller.principal
    if principal is None or principal.is_root:
        return None
    refuses = getattr(principal, "refuses", None)
    if callable(refuses) and refuses(action):
        why = "because these session credentials were issued without MFA"
    else:
        policy_set = policy_set_for(principal)
        scps = policy_set.guardrails.scps if policy_set.guardrails is not None else ()
        blocked = next((level for level in scps if not could_allow(action, level.policies)), None)
        if blocked is not None:
            why = (f"because no service control policy allows the {action} action "
                   f"(at {describe_level(blocked.label)})")
        elif not could_allow(action, policy_set.identity):
            why = f"because no identity-based policy allows the {action} action"
        elif policy_set.boundary and not could_allow(action, policy_set.boundary):
            why = f"because no permissions boundary allows the {action} action"
        elif policy_set.session and not could_allow(action, policy_set.session):
            why = f"because no session policy allows the {action} action"
        else:
            return None
    metrics.decision(IMPLICIT_DENY)  # a refusal before the input is read is still a decision, and counted as one
    record_decision(caller, action, False)
    kind = "User" if not principal.arn.startswith("arn:aws:sts") else "Session"
    return AccessDenied(f"{kind}: {principal.arn} is not authorized to perform: {action} {why}")


def caller_may(caller: Caller, action: str, resource: str, extra_context: Mapping[str, Any] | None = None) -> bool:
    """Whether authorize() would allow: for showing or hiding console controls, never instead of authorize()."""
    if caller.session_scope and not _scope_permits(caller, action, resource):
        return False
    return decide(caller.principal, action, resource, caller.condition_context(extra_context)).allowed


def check_session_scope(caller: Caller, action: str, resource: str) -> None:
    """Refuse what a restricted console session may not attempt. For the few operations that need no permission
    (GetCallerIdentity) or decide by a resource policy alone (a trust policy naming the caller)."""
    if caller.session_scope and not _scope_permits(caller, action, resource):
        raise AccessDenied(f"User: {caller.principal.arn} is not authorized to perform: {action} on resource: "
                           f"{resource} {session_scope.refusal_reason(caller.session_scope)}")


def _scope_permits(caller: Caller, action: str, resource: str) -> bool:
    return session_scope.permits(caller.session_scope, principal_arn=caller.principal.arn, action=action,
                                 resource=resource)


def permission_checker(caller: Caller) -> Callable[[str, str], bool]:
    """caller_may() for any number of (action, resource) questions, the caller's policies loaded once: for deciding
    what a caller may be told (a batch asks the same few questions many times). Never instead of authorize()."""
    principal = caller.principal
    policy_set = None if principal.is_root else policy_set_for(principal)
    context = caller.condition_context(None)
    refuses = getattr(principal, "refuses", None)
    answers: dict[tuple[str, str], bool] = {}

    def may(action: str, resource: str) -> bool:
        key = (action, resource)
        if key not in answers:
            if (caller.session_scope and not _scope_permits(caller, action, resource)) or \
                    (callable(refuses) and refuses(action)):
                answers[key] = False
            elif policy_set is None:
                answers[key] = True
            else:
                answers[key] = evaluate(Request(action, resource, context), policy_set.identity,
                                        boundary_policies=policy_set.boundary or None,
                                        session_policies=policy_set.session or None).allowed
        return answers[key]

    return may


def caller_may_each(caller: Caller, checks: list[tuple[str, str]]) -> list[bool]:
    """caller_may() for several (action, resource) pairs, loading the caller's policies once (console menus)."""
    principal = caller.principal
    if principal.is_root:
        return [True] * len(checks)
    policy_set, context = policy_set_for(principal), caller.condition_context(None)
    return [evaluate(Request(action, resource, context), policy_set.identity,
                     boundary_policies=policy_set.boundary or None,
                     session_policies=policy_set.session or None).allowed
            for action, resource in checks]
