"""Who acts and how they reached us: the Principal protocol, the Caller (the request context their policies
test), and turning an HTTP request into a Caller. The frame's own type: every layer passes Callers around."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


class NoAccount(RuntimeError):
    """Something acted without an account: the system principal names one explicitly, or it acts for none."""


@runtime_checkable
class Principal(Protocol):
    """Who acts: the root user, an IAM user, a role session, or the system itself (Celery jobs)."""

    @property
    def arn(self) -> str: ...

    @property
    def account_id(self) -> str | None:
        """The 12-digit account it acts in: the tenancy of every lookup and list (None: the system, for none)."""

    @property
    def unique_id(self) -> str: ...

    @property
    def principal_name(self) -> str: ...

    @property
    def is_root(self) -> bool: ...

    def policy_set(self) -> Any:
        """The policies that decide for it (a policies.loading.PolicySet); never asked of a root principal."""


@dataclass(frozen=True)
class SystemPrincipal:
    """The directory acting on its own behalf (scheduled jobs, bootstrap). It acts within an account only when
    one is named: a job that concerns every account loops over them, one system caller each."""

    account_id: str | None = None
    arn: str = "arn:aws:iam::system"
    unique_id: str = "SYSTEM"
    principal_name: str = "system"
    is_root: bool = True

    def policy_set(self) -> None:
        return None  # root: allowed everything, so no policy is ever asked for


@dataclass(frozen=True)
class Caller:
    """A principal plus how it reached us: the request context that policies test."""

    principal: Principal
    via: str = "api"  # "console", "api", "service" (decided for another service) or "system"
    door: str = ""  # the API door it came through, as the door labels its requests ("query"; "" for REST)
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
    def system(cls, account_id: str | None = None) -> Caller:
        """The directory itself; within `account_id` when it acts for one."""
        return cls(principal=SystemPrincipal(account_id=account_id), via="system")

    @property
    def account_id(self) -> str:
        """The account every lookup, list and quota of this caller's request is scoped to: its principal's."""
        account = getattr(self.principal, "account_id", None)
        if not account:
            raise NoAccount(f"{self.principal.arn} acts in no account: name the account it acts for.")
        return account

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
        account = getattr(principal, "account_id", None)
        if account:
            context["aws:PrincipalAccount"] = account
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


MFA_SESSION_KEY = "iam_mfa_authenticated_at"
# After "Switch role": the role session the browser acts as (its access key id only; no secret is kept).
ROLE_SESSION_KEY = "iam_role_session"
# Set on the request by the console session rules (sts.console_sessions): the session's restriction, "" if none.
SESSION_SCOPE_ATTR = "iam_session_scope"
# A console caller whose session rules never ran is refused everything (no such scope has escape hatches).
UNRESOLVED_SCOPE = "unresolved"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind IAM_TRUSTED_PROXIES reverse proxies the address the outermost
    trusted proxy saw. X-Forwarded-For is otherwise ignored: whoever connects writes it, and would choose their
    own aws:SourceIp and audit trail."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.IAM_TRUSTED_PROXIES
    if not proxies or remote is None:
        return remote
    # Each trusted proxy appends the address it received from: read from the right, skip the proxies' own hops.
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    chain = [*hops, remote]
    index = len(chain) - 1 - proxies
    candidate = chain[max(index, 0)]
    return candidate if _is_ip(candidate) else remote


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def caller_from_request(request: HttpRequest, *, via: str, principal: object | None = None) -> Caller:
    """`principal` is who authenticated (DRF's request.user); by default the console session's user."""
    principal = principal or getattr(request, "iam_principal", None) or request.user
    mfa_at = None
    session = getattr(request, "session", None)
    if via == "console" and session is not None and session.get(MFA_SESSION_KEY):
        mfa_at = datetime.fromisoformat(session[MFA_SESSION_KEY])
    # Session credentials from GetSessionToken carry their own MFA sign-in.
    mfa_at = mfa_at or getattr(principal, "mfa_authenticated_at", None)
    return Caller(
        principal=principal,
        via=via,
        door=getattr(request, "iam_metrics_door", "") or "",
        source_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:1024],
        secure_transport=request.is_secure(),
        access_key_id=getattr(request, "iam_access_key_id", "") or "",
        mfa_authenticated_at=mfa_at,
        session_scope=getattr(request, SESSION_SCOPE_ATTR, UNRESOLVED_SCOPE) if via == "console" else "",
        **({"request_id": request.iam_request_id} if getattr(request, "iam_request_id", None) else {}),
    )
