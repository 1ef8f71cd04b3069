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


def string_to_sign(request: SignedRequest, credential: Credential, canonical_uri: str, canonical_query: str) -> str:
    payload_hash = request.headers.get("x-amz-content-sha256") or request.body_sha256
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
    matched = False
    for uri in canonical_uris(request.raw_path):
        for query in canonical_queries(request.query_string):
            to_sign = string_to_sign(request, credential, uri, query)
            expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            matched |= hmac.compare_digest(expected, credential.signature)
    return matched
