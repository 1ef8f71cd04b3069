"""The role session as a principal: who acts when a request is signed with session credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from directory.models import RoleTag
from directory.policy_sets import read_generation, role_policy_set, user_policy_set
from policies.language import compile_policy
from policies.loading import PolicySet, PolicySource
from sts.models import RoleSession, UserSession


class RoleSessionPrincipal:
    """A principal (iam_console.callers.Principal) backed by a RoleSession loaded with its role.

    Its permissions are the role's policies, capped by the role's permissions boundary and by the session
    policies given to AssumeRole. Each authorization re-checks that the session is still live, so a revocation
    that commits while a request is in flight stops that request's next decision.
    """

    is_root = False
    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, session: RoleSession) -> None:
        self.session = session
        self.role = session.role
        self._principal_tags: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"<RoleSessionPrincipal {self.arn}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RoleSessionPrincipal) and other.session.pk == self.session.pk

    def __hash__(self) -> int:
        return hash(("role-session", self.session.pk))

    # --- Principal protocol ---
    @property
    def arn(self) -> str:
        return self.session.assumed_role_arn

    @property
    def unique_id(self) -> str:
        return self.session.assumed_role_id

    @property
    def account_id(self) -> str:
        """A role session acts in its role's account, whichever account its caller came from."""
        return self.role.account_id

    @property
    def principal_name(self) -> str:
        return self.session.session_name

    @property
    def pk(self) -> int:
        return self.session.pk

    @property
    def access_key_id(self) -> str:
        return self.session.access_key_id

    @property
    def expiration(self) -> datetime:
        return self.session.expiration

    def is_live(self) -> bool:
        """Not expired and not revoked, as the database says now (one query joining session and role)."""
        return RoleSession.objects.filter(
            pk=self.session.pk, revoked=False,
        ).exclude(role__sessions_revoked_before__gt=self.session.issued_at).exists()

    def policy_set(self) -> PolicySet:
        if not self.is_live():
            return PolicySet()  # an empty set allows nothing: the session ended while the request ran
        policy_set = role_policy_set(self.role, read_generation(self.session))
        for index, document in enumerate(self.session.session_policies):
            key = f"session:{self.session.access_key_id}:{index}"
            policy_set.session.append(compile_policy(document, key, "1"))
            policy_set.sources[key] = PolicySource(key=key, name=f"session policy {index + 1}", kind="session")
        return policy_set

    def condition_keys(self, request_time: datetime) -> dict[str, Any]:
        """The request context of a role session, as AWS builds it (None removes a key)."""
        session = self.session
        keys: dict[str, Any] = {
            "aws:PrincipalArn": self.role.arn,  # AWS gives the role's ARN here, not the session's
            "aws:username": None,  # only IAM users have one: ${aws:username} must never match a session name
            "aws:TokenIssueTime": session.issued_at,
            "aws:MultiFactorAuthPresent": session.mfa_authenticated_at is not None,
            "aws:MultiFactorAuthAge": (int((request_time - session.mfa_authenticated_at).total_seconds())
                                       if session.mfa_authenticated_at else None),
            "aws:SourceIdentity": session.source_identity or None,
            "aws:PrincipalType": "AssumedRole",
            "aws:FederatedProvider": session.federated_provider or None,
        }
        for key, value in self.principal_tags().items():
            keys[f"aws:PrincipalTag/{key}"] = value
        return keys

    def principal_tags(self) -> dict[str, str]:
        """The role's tags, overridden by the session's tags (loaded once per request)."""
        if self._principal_tags is None:
            tags = dict(RoleTag.objects.filter(role_id=self.role.pk).values_list("key", "value"))
            tags.update(self.session.session_tags or {})
            self._principal_tags = tags
        return self._principal_tags

    def seconds_left(self) -> int:
        return max(0, int((self.session.expiration - timezone.now()).total_seconds()))


# What session credentials from GetSessionToken may do without MFA: no IAM action, and of STS only these (AWS's
# rule, so that a leaked key cannot mint MFA-less sessions that manage the directory).
_WITHOUT_MFA_STS_ACTIONS = frozenset({"sts:assumerole", "sts:getcalleridentity"})


class UserSessionPrincipal:
    """A principal backed by a UserSession: the IAM user itself, with the session's MFA state and issue time."""

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, session: UserSession) -> None:
        self.session = session
        self.user = session.user

    def __repr__(self) -> str:
        return f"<UserSessionPrincipal {self.arn}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UserSessionPrincipal) and other.session.pk == self.session.pk

    def __hash__(self) -> int:
        return hash(("user-session", self.session.pk))

    @property
    def arn(self) -> str:
        return self.user.arn

    @property
    def unique_id(self) -> str:
        return self.user.unique_id

    @property
    def account_id(self) -> str:
        return self.user.account_id

    @property
    def principal_name(self) -> str:
        return self.user.principal_name

    @property
    def user_name(self) -> str:
        return self.user.user_name

    @property
    def is_root(self) -> bool:
        return self.user.is_root

    @property
    def pk(self) -> int:
        return self.user.pk

    @property
    def access_key_id(self) -> str:
        return self.session.access_key_id

    @property
    def mfa_authenticated_at(self) -> datetime | None:
        return self.session.mfa_authenticated_at

    def refuses(self, action: str) -> bool:
        """Actions these credentials may never perform, whatever the policies say."""
        if self.session.mfa_authenticated_at is not None:
            return False
        action = action.lower()
        return action.startswith("iam:") or (action.startswith("sts:") and action not in _WITHOUT_MFA_STS_ACTIONS)

    def is_live(self) -> bool:
        return UserSession.objects.filter(pk=self.session.pk, revoked=False).exists()

    def policy_set(self) -> PolicySet:
        if not self.is_live():
            return PolicySet()
        return user_policy_set(self.user)

    def condition_keys(self, request_time: datetime) -> dict[str, Any]:
        session = self.session
        mfa_at = session.mfa_authenticated_at
        return {"aws:TokenIssueTime": session.issued_at, "aws:MultiFactorAuthPresent": mfa_at is not None,
                "aws:MultiFactorAuthAge": int((request_time - mfa_at).total_seconds()) if mfa_at else None}
