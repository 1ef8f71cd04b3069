"""SCIM bearer tokens: issued and revoked by an administrator (sso-directory:CreateBearerToken,
DeleteBearerToken, DescribeBearerTokens), shown once, kept as an HMAC digest under the credential key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from iam_console.operations import iam_operation
from identitystore.errors import Invalid, QuotaExceeded, ResourceNotFound
from identitystore.models import IdentityStore, ScimToken
from identitystore.services.store import identity_store_of
from policies.authorization import Caller, authorize_caller, authorize_unknown

SOURCE = "sso-directory.amazonaws.com"
# As in IAM Identity Center: two tokens at a time (one to rotate to), each valid for a year.
TOKENS_PER_STORE = 2
TOKEN_LIFETIME = timedelta(days=365)
_PREFIX = "scim-"


def token_digest(secret: str) -> str:
    return hmac.new(settings.IAM_CREDENTIAL_KEY.encode(), f"scim-bearer-token\x00{secret}".encode(),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `bearer` is shown this once and never again."""

    token: ScimToken
    bearer: str

    def audit_elements(self) -> dict:
        return {"BearerId": self.token.token_id, "ExpiresAt": self.token.expires_at.isoformat()}


def _store(caller: Caller, action: str) -> IdentityStore:
    store = identity_store_of(caller.account_id)
    resource = f"arn:aws:identitystore::{caller.account_id}:identitystore/"
    if store is None:
        authorize_unknown(resource + "*")
        raise ResourceNotFound("IDENTITY_STORE", "", "This account has no identity store: it belongs to the "
                                                     "management account.")
    authorize_caller(caller, action, store.arn)
    return store


@iam_operation("CreateBearerToken", event_source=SOURCE)
def issue_scim_token(*, caller: Caller) -> IssuedToken:
    store = _store(caller, "sso-directory:CreateBearerToken")
    IdentityStore.objects.select_for_update().filter(pk=store.pk).first()  # two issues at once keep the quota
    usable = ScimToken.objects.filter(store=store, revoked_at__isnull=True, expires_at__gt=timezone.now())
    if usable.count() >= TOKENS_PER_STORE:
        raise QuotaExceeded(f"An identity store holds at most {TOKENS_PER_STORE} SCIM tokens: revoke one first.")
    token_id = str(uuid.uuid4())
    secret = secrets.token_urlsafe(48)
    token = ScimToken.objects.create(store=store, token_id=token_id, digest=token_digest(secret),
                                     created_by=caller.principal.arn,
                                     expires_at=timezone.now() + TOKEN_LIFETIME)
    return IssuedToken(token=token, bearer=f"{_PREFIX}{token_id}.{secret}")


@iam_operation("DeleteBearerToken", event_source=SOURCE)
def revoke_scim_token(*, caller: Caller, bearer_id: str) -> ScimToken:
    """`bearer_id` is the token's public id (named so that the audit record keeps it: names with "token" are
    redacted as secrets)."""
    store = _store(caller, "sso-directory:DeleteBearerToken")
    if not isinstance(bearer_id, str) or len(bearer_id) > 36:
        raise Invalid("The token id is not valid.")
    token = ScimToken.objects.select_for_update().filter(store=store, token_id=bearer_id).first()
    if token is None:
        raise ResourceNotFound("SCIM_TOKEN", bearer_id, "SCIM token not found.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@dataclass(frozen=True)
class StoreTokens:
    store: IdentityStore
    tokens: list[ScimToken]


@iam_operation("DescribeBearerTokens", event_source=SOURCE)
def list_scim_tokens(*, caller: Caller) -> StoreTokens:
    """The store's tokens, and the store itself: its IdentityStoreId is what identitystore clients name."""
    store = _store(caller, "sso-directory:DescribeBearerTokens")
    return StoreTokens(store=store, tokens=list(ScimToken.objects.filter(store=store)))


# "Last used" is written at most this often, not on every request (a provisioning run sends thousands).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def token_for_bearer(bearer: str) -> ScimToken | None:
    """The usable token a bearer string presents, or None: an unknown id and a wrong secret look alike."""
    if not isinstance(bearer, str) or not bearer.startswith(_PREFIX) or len(bearer) > 200:
        return None
    token_id, _, secret = bearer[len(_PREFIX):].partition(".")
    token = ScimToken.objects.select_related("store").filter(token_id=token_id).first() if secret else None
    digest = token.digest if token is not None else "0" * 64
    matches = hmac.compare_digest(token_digest(secret), digest)
    if token is None or not matches or not token.is_usable:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
