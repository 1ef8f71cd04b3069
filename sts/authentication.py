"""Authentication of REST API requests signed with AWS Signature Version 4 (access keys and session credentials)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from rest_framework.authentication import BaseAuthentication
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication
from rest_framework.request import Request

from directory.credentials import derive_secret_access_key
from directory.models import AccessKey
from directory.services.access_keys import record_access_key_use
from iam_console.callers import ROLE_SESSION_KEY
from iam_console.errors import (
    IAMError,
    IncompleteSignature,
    InvalidClientTokenId,
    RequestExpired,
    SignatureDoesNotMatch,
)
from iam_console.identifiers import SESSION_KEY_PREFIX
from sts import sigv4
from sts.models import RoleSession
from sts.secrets import derive_session_secret, token_matches

SIGNING_SERVICES = frozenset({"iam", "sts"})
_BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                  "Check your access key and signing method.")
_ERRORS: dict[str, type[IAMError]] = {"IncompleteSignature": IncompleteSignature,
                                      "SignatureDoesNotMatch": SignatureDoesNotMatch,
                                      "RequestExpired": RequestExpired}
_UNKNOWN_KEY = "The security token included in the request is invalid."


@dataclass(frozen=True)
class SignedIdentity:
    """What the signature proved: which key signed, for which region and service."""

    access_key_id: str
    region: str
    service: str


class SignatureAuthenticationFailed(Exception):
    """Raised inside DRF's authentication, turned into a 401 by iam_console.rest.base.exception_handler."""

    def __init__(self, error: IAMError) -> None:
        super().__init__(error.message)
        self.error = error


def signed_request_from(request: HttpRequest) -> sigv4.SignedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    # The path as the client sent it, still percent-encoded (SigV4 encodes it once more): gunicorn gives RAW_URI,
    # other servers REQUEST_URI; failing both, the decoded path encoded back as a client would have sent it.
    raw_uri = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or ""
    raw_path = raw_uri.split("?", 1)[0] or escape_uri_path(request.path)
    return sigv4.SignedRequest(method=request.method or "GET", raw_path=raw_path,
                               query_string=request.META.get("QUERY_STRING", ""), headers=headers,
                               body_sha256=hashlib.sha256(request.body).hexdigest())


class SigV4Authentication(BaseAuthentication):
    """Accepts `Authorization: AWS4-HMAC-SHA256 …`; any other request is left to the next authenticator.

    Failures answer as AWS does: InvalidClientTokenId for a key id that does not exist, SignatureDoesNotMatch
    for a wrong secret, RequestExpired for a stale X-Amz-Date. Both key checks do the same work (an unknown key
    is checked against a decoy secret), so timing adds nothing to what the code already says.
    """

    def authenticate(self, request: Request):
        django_request = request._request
        if not django_request.headers.get("Authorization", "").startswith(sigv4.ALGORITHM):
            return None
        try:
            return self._authenticate(django_request)
        except sigv4.SignatureError as error:
            raise SignatureAuthenticationFailed(_ERRORS[error.code](error.message)) from None

    def _authenticate(self, request: HttpRequest):
        signed = signed_request_from(request)
        credential = sigv4.parse_authorization(
            signed, now=timezone.now(), max_skew=timedelta(seconds=settings.IAM_SIGV4_MAX_CLOCK_SKEW_SECONDS),
            services=SIGNING_SERVICES)
        if credential.access_key_id.startswith(SESSION_KEY_PREFIX):
            return self._authenticate_session(request, signed, credential)
        key = AccessKey.objects.select_related("user").filter(access_key_id=credential.access_key_id).first()
        # Unknown keys are checked against a throwaway secret so both failures cost the same.
        secret = derive_secret_access_key(key.access_key_id, key.secret_nonce) if key else _decoy_secret()
        matches = sigv4.signature_matches(signed, credential, secret)
        if key is None:
            raise SignatureAuthenticationFailed(InvalidClientTokenId(_UNKNOWN_KEY))
        if not matches:
            raise SignatureAuthenticationFailed(SignatureDoesNotMatch(_BAD_SIGNATURE))
        if not key.is_active:
            raise SignatureAuthenticationFailed(InvalidClientTokenId(
                f"The access key {key.access_key_id} is inactive: activate it or sign with another key."))
        record_access_key_use(key, service=credential.service, region=credential.region)
        request.iam_access_key_id = key.access_key_id  # type: ignore[attr-defined]
        return key.user, SignedIdentity(access_key_id=key.access_key_id, region=credential.region,
                                        service=credential.service)

    def _authenticate_session(self, request: HttpRequest, signed: sigv4.SignedRequest, credential: sigv4.Credential):
        """Session credentials (ASIA…): the signature, then the token, then expiry and revocation.

        One query joins the session and its role, so a revocation committed before this request is always seen.
        """
        from sts.principals import RoleSessionPrincipal
        from sts.services import INVALID_TOKEN_MESSAGE, check_session_live

        session = (RoleSession.all_objects.select_related("role")
                   .filter(access_key_id=credential.access_key_id).first())
        secret = derive_session_secret(session.access_key_id, session.secret_nonce) if session else _decoy_secret()
        matches = sigv4.signature_matches(signed, credential, secret)
        if session is None:
            raise SignatureAuthenticationFailed(InvalidClientTokenId(_UNKNOWN_KEY))
        if not matches:
            raise SignatureAuthenticationFailed(SignatureDoesNotMatch(_BAD_SIGNATURE))
        if not token_matches(credential.security_token, session.token_digest):
            raise SignatureAuthenticationFailed(InvalidClientTokenId(INVALID_TOKEN_MESSAGE))
        try:
            check_session_live(session)
        except IAMError as error:
            raise SignatureAuthenticationFailed(error) from None
        request.iam_access_key_id = session.access_key_id  # type: ignore[attr-defined]
        return RoleSessionPrincipal(session), SignedIdentity(access_key_id=session.access_key_id,
                                                             region=credential.region, service=credential.service)

    def authenticate_header(self, request: Request) -> str:
        return sigv4.ALGORITHM


def _decoy_secret() -> str:
    return hmac.new(settings.IAM_CREDENTIAL_KEY.encode(), b"decoy", hashlib.sha256).hexdigest()[:40]


class SessionAuthentication(DRFSessionAuthentication):
    """The console's session cookie, with CSRF enforced on every unsafe method (DRF's behaviour).

    After "Switch role" the console acts as the role session, and so do its own calls to the API (the policy
    editor's live validation, for one). Answering 401 (not 403) to a caller with no credentials needs an
    authenticate header.
    """

    def authenticate(self, request: Request):
        result = super().authenticate(request)
        state = request._request.session.get(ROLE_SESSION_KEY) if result is not None else None
        if not state:
            return result
        from sts.services import session_principal  # the services build on this module's models

        try:
            return session_principal(state["access_key_id"]), None
        except IAMError:
            return result  # the role session has ended: the console drops back to the user on its next page

    def authenticate_header(self, request: Request) -> str:
        return sigv4.ALGORITHM
