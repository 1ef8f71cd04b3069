"""What a console session may still do while a sign-in rule holds it back: a password to change, MFA to enrol.

A restricted session is narrowed here, at the authorization chokepoint, so every door (console pages, the REST
API called with the session cookie, any later door) refuses the same things. Inside its escape hatches the
caller's own policies still decide: a restriction only ever takes permissions away.
"""

from __future__ import annotations

PASSWORD_CHANGE = "password-change"
MFA_ENROLMENT = "mfa-enrolment"

# Which resources an escape hatch reaches: the caller's own user, any virtual MFA device (the service keeps it
# to the caller's own), or an account-wide setting ("*").
_SELF, _MFA_DEVICE, _ACCOUNT = "self", "mfa-device", "account"

ESCAPE_HATCHES: dict[str, dict[str, str]] = {
    PASSWORD_CHANGE: {
        "iam:ChangePassword": _SELF,
        "iam:GetAccountPasswordPolicy": _ACCOUNT,
    },
    MFA_ENROLMENT: {
        "iam:ChangePassword": _SELF,
        "iam:GetAccountPasswordPolicy": _ACCOUNT,
        "iam:GetUser": _SELF,
        "iam:ListMFADevices": _SELF,
        "iam:EnableMFADevice": _SELF,
        "iam:CreateVirtualMFADevice": _MFA_DEVICE,
        "iam:DeleteVirtualMFADevice": _MFA_DEVICE,
    },
}

_WHY = {
    PASSWORD_CHANGE: "because this console session must change its password first",
    MFA_ENROLMENT: "because this console session must enrol an MFA device first",
}


def permits(scope: str, *, principal_arn: str, action: str, resource: str) -> bool:
    """Whether a session restricted to `scope` may attempt `action` on `resource` at all."""
    hatches = ESCAPE_HATCHES.get(scope)
    if hatches is None:
        return False  # an unknown restriction allows nothing: fail closed
    reach = hatches.get(action)
    if reach == _SELF:
        return resource == principal_arn
    if reach == _ACCOUNT:
        return resource == "*"
    if reach == _MFA_DEVICE:
        return resource.startswith(_account_prefix(principal_arn) + "mfa/")
    return False


def refusal_reason(scope: str) -> str:
    return _WHY.get(scope, "because this console session is restricted")


def _account_prefix(principal_arn: str) -> str:
    # arn:aws:iam::123456789012:user/... -> arn:aws:iam::123456789012:
    parts = principal_arn.split(":", 5)
    return ":".join(parts[:5]) + ":" if len(parts) == 6 else "\0"
