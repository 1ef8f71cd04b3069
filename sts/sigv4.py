"""AWS Signature Version 4: parse a signed request and check its signature (no Django, no database)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH_HEADER = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
_SPACES = re.compile(r"\s+")


class SignatureError(Exception):
    """The request is not a well-formed SigV4 request; `code` is IAM's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedRequest:
    """The parts of a request that SigV4 covers, as received."""

    method: str
    raw_path: str
    query_string: str
    headers: dict[str, str]  # lower-case names
    body_sha256: str


@dataclass(frozen=True)
class Credential:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    request_time: datetime
    security_token: str | None
    presigned: bool = False  # signed in the query string (a presigned URL), not the Authorization header

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(request: SignedRequest, *, now: datetime, max_skew: timedelta,
                        services: frozenset[str]) -> Credential:
    header = request.headers.get("authorization", "")
    match = _AUTH_HEADER.match(header.strip())
    if not match:
        raise SignatureError("IncompleteSignature", "Authorization header requires Credential, SignedHeaders and "
                             "Signature parameters, signed with AWS4-HMAC-SHA256.")
    parts = match.group("credential").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError("IncompleteSignature", "Credential must have the form "
                             "<access key id>/<yyyymmdd>/<region>/<service>/aws4_request.")
    access_key_id, date, region, service, _ = parts
    if service not in services:
        raise SignatureError("SignatureDoesNotMatch", f"Credential should be scoped to a valid service: "
                             f"{' or '.join(sorted(services))}, not '{service}'.")
    signed = tuple(match.group("signed").split(";"))
    if "host" not in signed:
        raise SignatureError("IncompleteSignature", "SignedHeaders must include host.")
    amz_date = request.headers.get("x-amz-date", "")
    try:
        request_time = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError("IncompleteSignature", "The request must carry an X-Amz-Date header in the "
                             "form YYYYMMDDTHHMMSSZ.") from None
    if amz_date[:8] != date:
        raise SignatureError("SignatureDoesNotMatch", "Credential date does not match the date of X-Amz-Date.")
    if abs(now - request_time) > max_skew:
        minutes = int(max_skew.total_seconds() // 60)
        raise SignatureError("RequestExpired", f"Signature expired: {amz_date} is more than {minutes} "
                             f"minutes away from the server's time {now:%Y%m%dT%H%M%SZ}. Check your clock.")
    return Credential(access_key_id=access_key_id, date=date, region=region, service=service,
                      signed_headers=signed, signature=match.group("signature"), amz_date=amz_date,
                      request_time=request_time, security_token=request.headers.get("x-amz-security-token"))


_PRESIGN_REQUIRED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                     "X-Amz-Signature")
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600  # seven days, as AWS


def is_presigned(request: SignedRequest) -> bool:
    return "X-Amz-Signature=" in request.query_string


def parse_presigned(request: SignedRequest, *, now: datetime, max_skew: timedelta,
                    services: frozenset[str] | None) -> Credential:
    """A presigned URL's credential (query-string SigV4 with X-Amz-Expires), checked for form and expiry."""
    params = dict(parse_qsl(request.query_string, keep_blank_values=True))
    missing = [name for name in _PRESIGN_REQUIRED if not params.get(name)]
    if missing:
        raise SignatureError("IncompleteSignature", f"A presigned request needs {', '.join(missing)} in its "
                             "query string.")
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise SignatureError("IncompleteSignature", f"X-Amz-Algorithm must be {ALGORITHM}.")
    parts = params["X-Amz-Credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError("IncompleteSignature", "X-Amz-Credential must have the form "
                             "<access key id>/<yyyymmdd>/<region>/<service>/aws4_request.")
    access_key_id, date, region, service, _ = parts
    if services is not None and service not in services:
        raise SignatureError("SignatureDoesNotMatch", f"Credential should be scoped to a valid service: "
                             f"{' or '.join(sorted(services))}, not '{service}'.")
    signature = params["X-Amz-Signature"]
    if not re.fullmatch(r"[0-9a-f]{64}", signature):
        raise SignatureError("IncompleteSignature", "X-Amz-Signature must be 64 hexadecimal characters.")
    signed = tuple(params["X-Amz-SignedHeaders"].split(";"))
    if "host" not in signed:
        raise SignatureError("IncompleteSignature", "X-Amz-SignedHeaders must include host.")
    amz_date = params["X-Amz-Date"]
    try:
        request_time = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(params["X-Amz-Expires"])
    except ValueError:
        raise SignatureError("IncompleteSignature", "X-Amz-Date must be YYYYMMDDTHHMMSSZ and X-Amz-Expires a "
                             "number of seconds.") from None
    if amz_date[:8] != date:
        raise SignatureError("SignatureDoesNotMatch", "Credential date does not match the date of X-Amz-Date.")
    if not 1 <= expires <= MAX_PRESIGN_EXPIRES:
        raise SignatureError("AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and "
                             f"{MAX_PRESIGN_EXPIRES} seconds (seven days).")
    if request_time - now > max_skew:
        raise SignatureError("SignatureDoesNotMatch", f"Signature not yet current: {amz_date} is later than the "
                             f"server's time {now:%Y%m%dT%H%M%SZ}. Check your clock.")
    if now > request_time + timedelta(seconds=expires):
        raise SignatureError("RequestExpired", f"Request has expired: the URL was signed at {amz_date} for "
                             f"{expires} seconds.")
    return Credential(access_key_id=access_key_id, date=date, region=region, service=service,
                      signed_headers=signed, signature=signature, amz_date=amz_date, request_time=request_time,
                      security_token=params.get("X-Amz-Security-Token"), presigned=True)


def _without_signature(query_string: str) -> str:
    return "&".join(pair for pair in query_string.split("&") if pair and not pair.startswith("X-Amz-Signature="))


def canonical_queries(query_string: str) -> list[str]:
    """The canonical query string: decoded and encoded again (the SigV4 rule), and, for signers that sort the
    query exactly as sent (botocore does), the sent pairs sorted as they are."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    encoded = sorted((quote(key, safe="-_.~"), quote(value, safe="-_.~")) for key, value in pairs)
    strict = "&".join(f"{key}={value}" for key, value in encoded)
    sent = sorted(tuple(pair.partition("=")[::2]) for pair in query_string.split("&") if pair)
    as_sent = "&".join(f"{key}={value}" for key, value in sent)
    return [strict] if as_sent == strict else [strict, as_sent]


def _canonical_headers(request: SignedRequest, signed: tuple[str, ...]) -> str:
    lines = []
    for name in signed:
        value = request.headers.get(name)
        if value is None:
            raise SignatureError("SignatureDoesNotMatch", f"The signed header {name} is missing from the request.")
        lines.append(f"{name}:{_SPACES.sub(' ', value.strip())}\n")
    return "".join(lines)


def canonical_uris(raw_path: str) -> list[str]:
    """The canonical URI as the common signers compute it: botocore encodes the sent path once more, curl does not."""
    path = raw_path or "/"
    once = quote(path, safe="/~")
    return [once] if once == path else [once, path]


def string_to_sign(request: SignedRequest, credential: Credential, canonical_uri: str, canonical_query: str,
                   payload_hash: str | None = None) -> str:
    payload_hash = payload_hash or request.headers.get("x-amz-content-sha256") or request.body_sha256
    canonical_request = "\n".join([
        request.method.upper(),
        canonical_uri,
        canonical_query,
        _canonical_headers(request, credential.signed_headers),
        ";".join(credential.signed_headers),
        payload_hash,
    ])
    return "\n".join([ALGORITHM, credential.amz_date, credential.scope,
                      hashlib.sha256(canonical_request.encode()).hexdigest()])


def signing_key(secret_access_key: str, credential: Credential) -> bytes:
    key = hmac.new(f"AWS4{secret_access_key}".encode(), credential.date.encode(), hashlib.sha256).digest()
    for part in (credential.region, credential.service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature_matches(request: SignedRequest, credential: Credential, secret_access_key: str) -> bool:
    """Constant-time check of the signature under each accepted canonical URI."""
    content_hash = request.headers.get("x-amz-content-sha256")
    # The body is always signed: UNSIGNED-PAYLOAD would let a captured signature carry another body.
    if content_hash and not hmac.compare_digest(content_hash, request.body_sha256):
        return False
    key = signing_key(secret_access_key, credential)
    query_string = _without_signature(request.query_string) if credential.presigned else request.query_string
    # A presigned URL may leave its payload unsigned (S3's presigned URLs do), as AWS allows.
    payloads = [None, "UNSIGNED-PAYLOAD"] if credential.presigned else [None]
    matched = False
    for uri in canonical_uris(request.raw_path):
        for query in canonical_queries(query_string):
            for payload in payloads:
                to_sign = string_to_sign(request, credential, uri, query, payload)
                expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
                matched |= hmac.compare_digest(expected, credential.signature)
    return matched
