"""Who calls the unsigned federation operations: nobody, until a token or assertion names someone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AnonymousPrincipal:
    """The caller of an unsigned request (AssumeRoleWithWebIdentity, AssumeRoleWithSAML). It has no policies."""

    arn: str = "anonymous"
    unique_id: str = ""
    principal_name: str = "anonymous"
    is_root: bool = False
    account_id: str | None = None  # an unsigned request acts in no account until its role is found


ANONYMOUS = AnonymousPrincipal()


@dataclass(frozen=True)
class FederatedIdentity:
    """A person or workload authenticated by an identity provider: what a trust policy is evaluated for.

    `arn` is the provider's ARN, which `Principal: {"Federated": ...}` names; `unique_id` and `principal_name`
    name the identity itself (the token's subject, the assertion's NameID) for audit.
    """

    arn: str
    unique_id: str
    principal_name: str
    principal_type: str  # AWS's userIdentity type: WebIdentityUser or SAMLUser
    is_root: bool = False

    @property
    def account_id(self) -> str:
        """The provider's account: the one whose roles it may be trusted by."""
        return self.arn.split(":")[4]

    @property
    def display_name(self) -> str:
        """How audit names the identity: the provider ARN and the subject."""
        return f"{self.arn}:{self.principal_name}"

    def condition_keys(self, request_time: datetime) -> dict[str, Any]:
        # Federated callers have no IAM user name and no principal ARN of their own in the request context.
        return {"aws:PrincipalArn": None, "aws:username": None, "aws:userid": None, "aws:PrincipalAccount": None,
                "aws:PrincipalType": self.principal_type, "aws:FederatedProvider": self.arn}
