"""What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share: the role, the trust decision, the session."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import timezone

from directory.models import Role
from iam_console.callers import Caller
from iam_console.errors import AccessDenied, ValidationError
from iam_console.validation import validate_tags
from sts.federation.principals import FederatedIdentity
from sts.services import (
    _ROLE_ARN,
    DEFAULT_DURATION,
    MIN_DURATION,
    PACKED_BUDGET,
    SESSION_TAGS_MAX,
    AssumedRole,
    PackedPolicyTooLarge,
    _check_inputs,
    _constraint,
    _session_policies,
    _trust_allows,
    issue_session,
)


@dataclass(frozen=True)
class FederatedAssumedRole:
    """The result of a federated role assumption: the session plus who the provider said the caller is."""

    assumed: AssumedRole
    identity: FederatedIdentity
    audience: str
    provider: str  # AWS's Provider: the token's issuer, or the SAML provider's ARN
    extra: dict[str, Any]  # SAML: Issuer, NameQualifier, SubjectType

    @property
    def audit_actor(self) -> str:
        return self.identity.display_name

    @property
    def audit_account(self) -> str:
        """The account the identity came into: its role's (an unsigned request has no account of its own)."""
        return self.assumed.session.role.account_id

    def audit_elements(self) -> dict:
        return {**self.assumed.audit_elements(), "subject": self.identity.principal_name,
                "audience": self.audience, "provider": self.provider}


def check_inputs(role_arn: object, role_session_name: object, duration_seconds: object) -> None:
    _check_inputs(role_arn, role_session_name, duration_seconds, None, None, None, None)


def _role_arn_parts(role_arn: str) -> re.Match:
    match = _ROLE_ARN.fullmatch(role_arn)
    if match is None:
        raise ValidationError(f"{role_arn[:80]} is invalid: expected arn:aws:iam::<account>:role/<path><name>")
    return match


def role_account(role_arn: str) -> str:
    """The account a role ARN names: where the role, and the identity provider that may be trusted, must be."""
    return _role_arn_parts(role_arn)["account"]


def role_for(role_arn: str, action: str) -> Role:
    """The role an ARN names, in the account it names. An unknown role is refused like an untrusting one, so roles
    cannot be discovered."""
    match = _role_arn_parts(role_arn)
    role = None
    if match["partition"] == settings.IAM_PARTITION:
        role = Role.objects.filter(account_id=match["account"], role_name_key=match["name"].lower(),
                                   path=match["path"]).first()
    if role is None:
        raise AccessDenied(f"Not authorized to perform {action}")
    return role


def session_tags_from_claim(value: object) -> tuple[dict[str, str], list[str]]:
    """AWS's tags claim: {"principal_tags": {"key": ["value"]}, "transitive_tag_keys": [...]} -> tags, transitive."""
    if value is None:
        return {}, []
    principal_tags = value.get("principal_tags") if isinstance(value, dict) else None
    if not isinstance(principal_tags, dict):
        raise ValidationError("The session tags claim must be an object with principal_tags.")
    tags = []
    for key, values in principal_tags.items():
        tag_value = values[0] if isinstance(values, list) and len(values) == 1 else values
        tags.append({"key": key, "value": tag_value})
    tag_map = validate_tags(tags)
    transitive = value.get("transitive_tag_keys") or []
    if not isinstance(transitive, list) or any(key not in tag_map for key in transitive):
        raise ValidationError("transitive_tag_keys must name tags of the session tags claim.")
    return tag_map, list(transitive)


def assume(*, caller: Caller, identity: FederatedIdentity, role: Role, action: str, role_session_name: str,
           duration_seconds: int | None, policy: str | None, policy_arns: list[str] | None,
           condition_keys: dict[str, Any], tags: dict[str, str], source_identity: str = "",
           max_duration: int | None = None, transitive_tag_keys: list[str] = ()) -> AssumedRole:
    """Evaluate the role's trust policy for the federated identity, then issue the session."""
    if len(tags) > SESSION_TAGS_MAX:
        raise _constraint(f"{len(tags)} tags", "tags", f"Member must have length less than or equal to "
                                                       f"{SESSION_TAGS_MAX}")
    federated = replace(caller, principal=identity)
    extra: dict[str, Any] = {**condition_keys, "sts:RoleSessionName": role_session_name}
    if tags:
        extra.update({f"aws:RequestTag/{key}": value for key, value in tags.items()})
        extra["aws:TagKeys"] = list(tags)
    if source_identity:
        extra["sts:SourceIdentity"] = source_identity
    context = federated.condition_context(extra)

    def require(needed: str) -> None:
        decision = _trust_allows(role, needed, federated, identity.arn, context)
        # Trusting the account (arn:aws:iam::<acct>:root) never admits a federated identity: only a Federated
        # principal naming the provider (or "*") does.
        if not decision.allowed or decision.via_account_root:
            raise AccessDenied(f"Not authorized to perform {needed}")

    require(action)
    if tags:
        require("sts:TagSession")
    if source_identity:
        require("sts:SetSourceIdentity")

    duration = DEFAULT_DURATION if duration_seconds is None else duration_seconds
    if duration > role.max_session_duration:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    if max_duration is not None:  # SAML's SessionDuration attribute caps it further
        duration = min(duration, max(MIN_DURATION, max_duration))

    documents, packed = _session_policies(role.account_id, policy, policy_arns)
    packed += sum(len(key) + len(value) for key, value in tags.items())
    packed_percent = math.ceil(packed * 100 / PACKED_BUDGET) if packed else 0
    if packed_percent > 100:
        raise PackedPolicyTooLarge(f"Packed policy consumes {packed_percent}% of allotted space, please use smaller "
                                   "policy for request.")
    return issue_session(role=role, session_name=role_session_name, issued_at=timezone.now(), duration=duration,
                         caller_arn=identity.display_name, source_identity=source_identity,
                         session_policies=documents, session_tags=tags, transitive_tag_keys=transitive_tag_keys,
                         federated_provider=identity.arn,
                         packed_policy_size=packed_percent)
