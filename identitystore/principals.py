"""The principal a SCIM bearer token acts as: the identity provider, allowed the identity store's actions on its
own store and nothing else (no IAM action, no other account)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from identitystore.models import IdentityStore, ScimToken
from policies.language import compile_policy
from policies.loading import PolicySet


@dataclass(frozen=True)
class ScimProvisioner:
    token_id: str
    store_id: str
    account_id: str
    is_root: bool = False
    # The store the token belongs to, read with the token: the services need not look it up again.
    identity_store: IdentityStore | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, token: ScimToken) -> ScimProvisioner:
        return cls(token_id=token.token_id, store_id=token.store_id, account_id=token.store.account_id,
                   identity_store=token.store)

    @property
    def arn(self) -> str:
        return f"arn:aws:identitystore::{self.account_id}:scim-token/{self.token_id}"

    @property
    def unique_id(self) -> str:
        return self.token_id

    @property
    def principal_name(self) -> str:
        return f"scim-{self.token_id}"

    def policy_set(self) -> PolicySet:
        document = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "identitystore:*",
            "Resource": [f"arn:aws:identitystore::{self.account_id}:identitystore/{self.store_id}",
                         "arn:aws:identitystore:::user/*", "arn:aws:identitystore:::group/*",
                         "arn:aws:identitystore:::membership/*"]}]})
        return PolicySet(identity=[compile_policy(document, f"scim-provisioner:{self.store_id}")])
