"""Authentication of REST API requests signed with AWS Signature Version 4 (access keys and session credentials)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.encoding import escape_uri_path
from rest_framework.authentication import BaseAuthentication
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication
from rest_framework.request import Request

from iam_console.callers import ROLE_SESSION_KEY
from iam_console.errors import IAMError
from sts import sigv4
from sts.verification import authenticate_signed

SIGNING_SERVICES = frozenset({"iam", "sts"})
# The service of a credential scope: `Credential=AKIA…/20240101/us-east-1/iam/aws4_request` in the Authorization
# header, or the same (URL-encoded) in a presigned URL's X-Amz-Credential.
_SCOPE = re.compile(r"Credential=[^/,\s&]+(?:/|%2F)\d{8}(?:/|%2F)[^/,\s&%]+(?:/|%2F)([^/,\s&%]+)(?:/|%2F)aws4_request",
                    re.IGNORECASE)


@dataclass(frozen=True)
class SignedIdentity:
    """What the signature proved: which key signed, for which region and service."""

    access_key_id: str
    region: str
    service: str


class SignatureAuthenticationFailed(Exception):
    """Raised inside DRF's authentication, turned into a 403 by iam_console.rest.base.exception_handler."""

    def __init__(self, error: IAMError) -> None:
        super().__init__(error.message)
        self.error = error


def signed_request_from(request: HttpRequest, sent_path: str | None = None) -> sigv4.SignedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    # The path as the client sent it, still percent-encoded (SigV4 encodes it once more): gunicorn gives RAW_URI,
    # other servers REQUEST_URI; failing both, the door's rebuilding of it (`sent_path`: a REST door knows how its
    # clients encode an ARN in a path label) or the decoded path encoded back as a client would have sent it.
    raw_uri = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or ""
    raw_path = raw_uri.split("?", 1)[0] or sent_path or escape_uri_path(request.path)
    return sigv4.SignedRequest(method=request.method or "GET", raw_path=raw_path,
                               query_string=request.META.get("QUERY_STRING", ""), headers=headers,
                               body_sha256=hashlib.sha256(request.body).hexdigest())


class SigV4Authentication(BaseAuthentication):
    """Accepts `Authorization: AWS4-HMAC-SHA256 …` (or a presigned URL); any other request is left to the next
    authenticator. The checks themselves live in sts.verification, shared by every door."""

    def authenticate(self, request: Request):
        django_request = request._request
        if not (django_request.headers.get("Authorization", "").startswith(sigv4.ALGORITHM)
                or "X-Amz-Signature=" in django_request.META.get("QUERY_STRING", "")):
            return None
        try:
            signed_by = authenticate_signed(signed_request_from(django_request), services=SIGNING_SERVICES)
        except IAMError as error:
            raise SignatureAuthenticationFailed(error) from None
        django_request.iam_access_key_id = signed_by.access_key_id  # type: ignore[attr-defined]
        return signed_by.principal, SignedIdentity(access_key_id=signed_by.access_key_id, region=signed_by.region,
                                                   service=signed_by.service)

    def authenticate_header(self, request: Request) -> str:
        return sigv4.ALGORITHM


def authenticate_signed_request(request: HttpRequest, *, services: frozenset[str] = SIGNING_SERVICES,
                                sent_path: str | None = None):
    """The principal who signed `request`, for doors outside DRF (the AWS Query, JSON and REST-JSON APIs), with a
    credential scope naming one of `services`; sets the request's access key id for the caller's context. Raises
    the IAM error the signature failed with."""
    signed_by = authenticate_signed(signed_request_from(request, sent_path), services=services)
    request.iam_access_key_id = signed_by.access_key_id  # type: ignore[attr-defined]
    return signed_by.principal, SignedIdentity(access_key_id=signed_by.access_key_id, region=signed_by.region,
                                               service=signed_by.service)


def is_signed(request: HttpRequest) -> bool:
    return (request.headers.get("Authorization", "").startswith(sigv4.ALGORITHM)
            or "X-Amz-Signature=" in request.META.get("QUERY_STRING", ""))


def signing_service(request: HttpRequest) -> str | None:
    """The service named in a signed request's credential scope, or None when unsigned or malformed."""
    header = request.headers.get("Authorization", "")
    source = header if header.startswith(sigv4.ALGORITHM) else request.META.get("QUERY_STRING", "")
    match = _SCOPE.search(source) if is_signed(request) else None
    return match.group(1).lower() if match else None


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
