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
from policies.language import ALLOWED, Decision, Request, evaluate


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


# Until every front door's tests grant policies explicitly, non-root principals keep the directory's first
# rule set: self-service on their own user only. `decide()` above is the policy engine's verdict.
_SELF_SERVICE_ACTIONS = frozenset({
    "iam:getuser", "iam:changepassword", "iam:getloginprofile", "iam:createaccesskey", "iam:updateaccesskey",
    "iam:deleteaccesskey", "iam:listaccesskeys", "iam:getaccesskeylastused", "iam:listusertags",
    "iam:listgroupsforuser",
})
_ACCOUNT_WIDE_READS = frozenset({"iam:getaccountpasswordpolicy"})


def authorize(principal: Principal, action: str, resource: str, context: Mapping[str, Any]) -> None:
    """Allow or raise AccessDenied."""
    if principal.is_root:
        return
    lowered = action.lower()
    if (lowered in _SELF_SERVICE_ACTIONS and resource == principal.arn) or lowered in _ACCOUNT_WIDE_READS:
        return
    raise AccessDenied(f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} "
                       f"because no identity-based policy allows the {action} action")


def authorize_caller(caller: Caller, action: str, resource: str, extra_context: Mapping[str, Any] | None = None) -> None:
    """authorize() for a Caller: builds the request context from how the caller reached us."""
    authorize(caller.principal, action, resource, caller.condition_context(extra_context))


def caller_may(caller: Caller, action: str, resource: str, extra_context: Mapping[str, Any] | None = None) -> bool:
    """Whether authorize() would allow: for showing or hiding console controls, never instead of authorize()."""
    return decide(caller.principal, action, resource, caller.condition_context(extra_context)).allowed
