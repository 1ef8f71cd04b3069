"""The principal a person of the identity store acts as in the access portal: allowed no IAM action at all (the
portal's own checks decide what they may do: their assignments), named by their identity-store ARN in audit."""

from __future__ import annotations

from dataclasses import dataclass

from identitystore.models import WorkforceUser
from policies.loading import PolicySet


@dataclass(frozen=True)
class PortalPerson:
    user_id: str
    user_name: str
    account_id: str  # the management account, where the identity store lives
    is_root: bool = False

    @classmethod
    def of(cls, user: WorkforceUser) -> PortalPerson:
        return cls(user_id=user.user_id, user_name=user.user_name, account_id=user.store.account_id)

    @property
    def arn(self) -> str:
        return f"arn:aws:identitystore:::user/{self.user_id}"

    @property
    def unique_id(self) -> str:
        return self.user_id

    @property
    def principal_name(self) -> str:
        return self.user_name

    def policy_set(self) -> PolicySet:
        return PolicySet()
