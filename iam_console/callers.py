"""Turning an HTTP request into a Caller: who acts, and the request context their policies test."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest

from policies.authorization import Caller

MFA_SESSION_KEY = "iam_mfa_authenticated_at"
# After "Switch role": the role session the browser acts as (its access key id only; no secret is kept).
ROLE_SESSION_KEY = "iam_role_session"
# Set on the request by the console session rules (sts.console_sessions): the session's restriction, "" if none.
SESSION_SCOPE_ATTR = "iam_session_scope"
# A console caller whose session rules never ran is refused everything (no such scope has escape hatches).
UNRESOLVED_SCOPE = "unresolved"


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever connects and would let a caller choose aws:SourceIp.
    return request.META.get("REMOTE_ADDR") or None


def caller_from_request(request: HttpRequest, *, via: str, principal: object | None = None) -> Caller:
    """`principal` is who authenticated (DRF's request.user); by default the console session's user."""
    principal = principal or getattr(request, "iam_principal", None) or request.user
    mfa_at = None
    session = getattr(request, "session", None)
    if via == "console" and session is not None and session.get(MFA_SESSION_KEY):
        mfa_at = datetime.fromisoformat(session[MFA_SESSION_KEY])
    return Caller(
        principal=principal,
        via=via,
        source_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:1024],
        secure_transport=request.is_secure(),
        access_key_id=getattr(request, "iam_access_key_id", "") or "",
        mfa_authenticated_at=mfa_at,
        session_scope=getattr(request, SESSION_SCOPE_ATTR, UNRESOLVED_SCOPE) if via == "console" else "",
    )
