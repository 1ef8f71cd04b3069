"""The one authorization chokepoint: authorize(principal, action, resource, context).

Every service calls it before it acts, and every console view and REST endpoint reaches it through a
service. Deny by default: a principal is allowed only what its IAM policies allow (AWS's evaluation logic);
the root user is allowed everything.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from django.utils import timezone

from iam_console.errors import AccessDenied
from iam_console.operations import running_operation
from policies import session_scope
from policies.language import ALLOWED, EXPLICIT_DENY, Decision, Request, evaluate


@runtime_checkable
class Principal(Protocol):
    """Who acts: the root user, an IAM user, a role session, or the system itself (Celery jobs)."""

    @property
    def arn(self) -> str: ...

    @property
    def unique_id(self) -> str: ...

    @property
    def principal_name(self) -> str: ...

    @property
    def is_root(self) -> bool: ...


@dataclass(frozen=True)
class SystemPrincipal:
    """The directory acting on its own behalf (scheduled jobs, bootstrap)."""

    arn: str = "arn:aws:iam::system"
    unique_id: str = "SYSTEM"
    principal_name: str = "system"
    is_root: bool = True


@dataclass(frozen=True)
class Caller:
    """A principal plus how it reached us: the request context that policies test."""

    principal: Principal
    via: str = "api"  # "console", "api" or "system"
    source_ip: str | None = None
    user_agent: str = ""
    secure_transport: bool = False
    access_key_id: str = ""
    mfa_authenticated_at: datetime | None = None
    # A console session held back by a sign-in rule (policies.session_scope): "" when unrestricted.
    session_scope: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    request_time: datetime = field(default_factory=timezone.now)

    @classmethod
    def system(cls) -> Caller:
        return cls(principal=SystemPrincipal(), via="system")

    def condition_context(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The global condition keys of this request (AWS's names)."""
        principal = self.principal
        context: dict[str, Any] = {
            "aws:PrincipalArn": principal.arn,
            "aws:userid": principal.unique_id,
            "aws:username": principal.principal_name,
            "aws:CurrentTime": self.request_time,
            "aws:EpochTime": int(self.request_time.timestamp()),
            "aws:SecureTransport": self.secure_transport,
            "aws:UserAgent": self.user_agent,
        }
        if self.source_ip:
            context["aws:SourceIp"] = self.source_ip
        # Requests signed with a long-term access key carry no MFA key at all, as in AWS.
        if self.via == "console" or self.mfa_authenticated_at is not None:
            context["aws:MultiFactorAuthPresent"] = self.mfa_authenticated_at is not None
        if self.mfa_authenticated_at is not None:
            context["aws:MultiFactorAuthAge"] = int((self.request_time - self.mfa_authenticated_at).total_seconds())
        own_keys = getattr(principal, "condition_keys", None)
        if callable(own_keys):  # role sessions: aws:PrincipalArn is the role, aws:TokenIssueTime, no aws:username
            for key, value in own_keys(self.request_time).items():
                if value is None:
                    context.pop(key, None)
                else:
                    context[key] = value
        if extra:
            context.update(extra)
        return context


def policy_set_for(principal: Principal):
    """The policies that decide for a principal. Role sessions bring their own (`policy_set()`)."""
    from directory.models import User
    from policies.loading import PolicySet, user_policy_set

    if isinstance(principal, User):
        return user_policy_set(principal)
    own = getattr(principal, "policy_set", None)
    return own() if callable(own) else PolicySet()


def decide(principal: Principal, action: str, resource: str, context: Mapping[str, Any]) -> Decision:
    """The decision and the statements that made it, without raising (simulators, "can I?" checks)."""
    if principal.is_root:
        return Decision(ALLOWED, (), "the root user is allowed everything")
    policy_set = policy_set_for(principal)
    return evaluate(Request(action, resource, context), policy_set.identity,
                    boundary_policies=policy_set.boundary or None, session_policies=policy_set.session or None)


def authorize(principal: Principal, action: str, resource: str, context: Mapping[str, Any]) -> None:
    """Allow or raise AccessDenied, by AWS's evaluation logic over the principal's own IAM policies."""
    decision = decide(principal, action, resource, context)
    if decision.allowed:
        return
    kind = "User" if not principal.arn.startswith("arn:aws:sts") else "Session"
    if decision.decision == EXPLICIT_DENY:
        why = "with an explicit deny in an identity-based policy"
    elif "boundary" in decision.reason:
        why = f"because no permissions boundary allows the {action} action"
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
    check_session_scope(caller, action, resource)
    authorize(caller.principal, action, resource, caller.condition_context(extra_context))
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
