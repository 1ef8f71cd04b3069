"""Who signed a request: SigV4 verification against access keys and role sessions, for every door and service.

The REST API's authentication, the AWS Query API and other services' forwarded requests all come here, so an
inactive key, a revoked session or a bad signature is refused the same way whichever door it reaches. No secret
ever leaves this module: callers learn who signed, never with what.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import Account
from directory.credentials import derive_secret_access_key
from directory.models import Role, User
from directory.policy_sets import with_generation
from directory.services.access_keys import record_access_key_use
from directory.signing_keys import joined_by_key, key_with_user
from iam_console.errors import (
    ExpiredToken,
    IAMError,
    IncompleteSignature,
    InvalidClientTokenId,
    RequestExpired,
    SignatureDoesNotMatch,
)
from iam_console.identifiers import SESSION_KEY_PREFIX
from sts import sigv4
from sts.models import RoleSession, UserSession
from sts.principals import RoleSessionPrincipal, UserSessionPrincipal
from sts.secrets import derive_session_secret, token_matches

BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                 "Check your access key and signing method.")
UNKNOWN_KEY = "The security token included in the request is invalid."
_ERRORS: dict[str, type[IAMError]] = {"IncompleteSignature": IncompleteSignature,
                                      "SignatureDoesNotMatch": SignatureDoesNotMatch,
                                      "RequestExpired": RequestExpired,
                                      "AuthorizationQueryParametersError": IncompleteSignature}


@dataclass(frozen=True)
class SignedBy:
    """What a valid signature proved: the principal, and which key signed for which region and service."""

    principal: User | RoleSessionPrincipal | UserSessionPrincipal
    access_key_id: str
    region: str
    service: str
    request_time: datetime


def signature_error(error: sigv4.SignatureError) -> IAMError:
    return _ERRORS.get(error.code, SignatureDoesNotMatch)(error.message)


def authenticate_signed(signed: sigv4.SignedRequest, *, services: frozenset[str] | None) -> SignedBy:
    """The principal whose key or session signed `signed` (Authorization header or presigned URL).

    Raises an IAMError (IncompleteSignature, SignatureDoesNotMatch, RequestExpired, InvalidClientTokenId,
    ExpiredToken), as AWS does: InvalidClientTokenId for a key id that does not exist, SignatureDoesNotMatch for a
    wrong secret. Both cost the same work (an unknown key is checked against a decoy secret). A key's "last used"
    is recorded for the signing service and region.
    """
    try:
        return _authenticate(signed, services)
    except sigv4.SignatureError as error:  # malformed: a missing signed header, a bad credential scope…
        raise signature_error(error) from None


def _authenticate(signed: sigv4.SignedRequest, services: frozenset[str] | None) -> SignedBy:
    now = timezone.now()
    skew = timedelta(seconds=settings.IAM_SIGV4_MAX_CLOCK_SKEW_SECONDS)
    if sigv4.is_presigned(signed) and not signed.headers.get("authorization"):
        credential = sigv4.parse_presigned(signed, now=now, max_skew=skew, services=services)
    else:
        credential = sigv4.parse_authorization(signed, now=now, max_skew=skew, services=services or frozenset())
    if credential.access_key_id.startswith(SESSION_KEY_PREFIX):
        return _session_signed(signed, credential)
    key = key_with_user(credential.access_key_id)
    # Unknown keys are checked against a throwaway secret so both failures cost the same.
    secret = derive_secret_access_key(key.access_key_id, key.secret_nonce) if key else decoy_secret()
    matches = sigv4.signature_matches(signed, credential, secret)
    if key is None:
        raise InvalidClientTokenId(UNKNOWN_KEY)
    if not matches:
        raise SignatureDoesNotMatch(BAD_SIGNATURE)
    if not key.is_active:
        raise InvalidClientTokenId(f"The access key {key.access_key_id} is inactive: activate it or sign with "
                                   "another key.")
    _refuse_inactive_account(key.user.account)
    record_access_key_use(key, service=credential.service, region=credential.region)
    return SignedBy(key.user, key.access_key_id, credential.region, credential.service, credential.request_time)


def _session_signed(signed: sigv4.SignedRequest, credential: sigv4.Credential) -> SignedBy:
    """Session credentials (ASIA…): the signature, then the token, then expiry and revocation.

    One query joins the session and its role, so a revocation committed before this request is always seen.
    """
    from sts.services import INVALID_TOKEN_MESSAGE, check_session_live

    found = joined_by_key((RoleSession, Role, Account), ("role", "account"), "access_key_id",
                          credential.access_key_id)
    session = found[0] if found else None
    if session is None:
        user_session = with_generation(UserSession.all_objects.select_related("user__account")
                                       .filter(access_key_id=credential.access_key_id)).first()
        if user_session is not None:
            return _user_session_signed(signed, credential, user_session)
    secret = derive_session_secret(session.access_key_id, session.secret_nonce) if session else decoy_secret()
    matches = sigv4.signature_matches(signed, credential, secret)
    if session is None:
        raise InvalidClientTokenId(UNKNOWN_KEY)
    if not matches:
        raise SignatureDoesNotMatch(BAD_SIGNATURE)
    if not token_matches(credential.security_token, session.token_digest):
        raise InvalidClientTokenId(INVALID_TOKEN_MESSAGE)
    check_session_live(session)
    _refuse_inactive_account(session.role.account)
    return SignedBy(RoleSessionPrincipal(session), session.access_key_id, credential.region, credential.service,
                    credential.request_time)


def _user_session_signed(signed: sigv4.SignedRequest, credential: sigv4.Credential,
                         session: UserSession) -> SignedBy:
    """Session credentials from GetSessionToken: the same checks as a role session's."""
    from sts.services import EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE, REVOKED_MESSAGE

    secret = derive_session_secret(session.access_key_id, session.secret_nonce)
    if not sigv4.signature_matches(signed, credential, secret):
        raise SignatureDoesNotMatch(BAD_SIGNATURE)
    if not token_matches(credential.security_token, session.token_digest):
        raise InvalidClientTokenId(INVALID_TOKEN_MESSAGE)
    if session.is_expired or session.revoked:
        raise ExpiredToken(EXPIRED_MESSAGE if session.is_expired else REVOKED_MESSAGE)
    _refuse_inactive_account(session.user.account)
    session.user.policy_generation = session.policy_generation  # the user's policies are checked against it
    return SignedBy(UserSessionPrincipal(session), session.access_key_id, credential.region, credential.service,
                    credential.request_time)


def _refuse_inactive_account(account: Account) -> None:
    """The credentials of a suspended or closed account sign nothing (told as AWS tells an unusable key)."""
    if not account.is_active:
        raise InvalidClientTokenId(UNKNOWN_KEY)


def decoy_secret() -> str:
    return hmac.new(settings.IAM_CREDENTIAL_KEY.encode(), b"decoy", hashlib.sha256).hexdigest()[:40]


def forwarded_request(material: dict[str, Any]) -> sigv4.SignedRequest:
    """The signed parts of a request another service received, as it forwarded them (never its body)."""
    headers = {str(name).lower(): str(value) for name, value in (material.get("headers") or {}).items()}
    return sigv4.SignedRequest(method=str(material.get("method") or "GET").upper(),
                               raw_path=str(material.get("path") or "/"),
                               query_string=str(material.get("query") or ""), headers=headers,
                               body_sha256=str(material.get("payload_sha256") or hashlib.sha256(b"").hexdigest()))
