"""The directory's authorization API as Python calls: verify a forwarded signature, decide a request."""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"
MAX_BATCH = 30


class DirectoryError(Exception):
    """The directory refused the service's own call (bad credentials, no iam:AuthorizeRequest, bad input) or
    could not be reached. `code` is IAM's error code; `status` the HTTP status (0: no answer)."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Principal:
    """Who signed the request, as a service needs to know them."""

    arn: str
    account: str
    type: str  # "user", "root" or "assumed-role"
    user_id: str
    user_name: str | None = None
    role_name: str | None = None
    role_session_name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Principal:
        return cls(arn=body["arn"], account=body["account"], type=body["type"], user_id=body.get("user_id", ""),
                   user_name=body.get("user_name"), role_name=body.get("role_name"),
                   role_session_name=body.get("role_session_name"), tags=dict(body.get("tags") or {}),
                   groups=tuple(body.get("groups") or ()))


@dataclass(frozen=True)
class Decision:
    """The directory's answer: allowed, explicitDeny or implicitDeny, and the statements that decided it."""

    decision: str
    matched_statements: tuple[Mapping[str, Any], ...] = ()
    principal: Principal | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Decision:
        principal = body.get("principal")
        return cls(decision=body["decision"], matched_statements=tuple(body.get("matched_statements") or ()),
                   principal=Principal.from_json(principal) if principal else None)


@dataclass(frozen=True)
class Verification:
    """The result of verifying one signed request: who signed it, or why it is refused."""

    verified: bool
    principal: Principal | None = None
    access_key_id: str | None = None
    decision: Decision | None = None
    error_code: str | None = None
    error_message: str | None = None
    latency_ms: float = 0.0

    @property
    def allowed(self) -> bool:
        return self.verified and (self.decision is None or self.decision.allowed)


class DirectoryClient:
    """Calls the directory's authorization API, signing each call with the service's own credentials.

    One persistent HTTP connection per thread. `decision_cache_seconds` > 0 keeps `decide()` answers that long:
    faster, but a revoked permission or session then keeps working for up to that many seconds. Verification is
    never cached: it needs the signing secret, which never leaves the directory.
    """

    def __init__(self, endpoint_url: str, access_key_id: str, secret_access_key: str, *,
                 session_token: str | None = None, region: str = "us-east-1", timeout: float = 5.0,
                 decision_cache_seconds: float = 0.0) -> None:
        parts = urlsplit(endpoint_url.rstrip("/"))
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"endpoint_url must be an http(s) URL, not {endpoint_url!r}")
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._base_path = parts.path
        self._credentials = Credentials(access_key_id, secret_access_key, session_token)
        self._region = region
        self._timeout = timeout
        self._local = threading.local()
        self._cache_seconds = decision_cache_seconds
        self._cache: dict[str, tuple[float, Decision]] = {}
        self._cache_lock = threading.Lock()

    # --- the API -------------------------------------------------------------------------------------
    def verify(self, *, service: str, method: str, path: str, query: str, headers: Mapping[str, str],
               body: bytes | None = None, payload_sha256: str | None = None, action: str | None = None,
               resource: str | None = None, context: Mapping[str, Any] | None = None,
               resource_policy: str | Mapping[str, Any] | None = None) -> Verification:
        """Verify a request signed for `service` (its SigV4 signing name); with `action`, decide it too."""
        started = time.perf_counter()
        if payload_sha256 is None:
            payload_sha256 = hashlib.sha256(body or b"").hexdigest()
        request: dict[str, Any] = {
            "service": service,
            "request": {"method": method, "path": path, "query": query,
                        "headers": {name.lower(): value for name, value in headers.items()},
                        "payload_sha256": payload_sha256},
        }
        if action:
            request["authorize"] = _decision_request(action, resource, context, resource_policy)
        answer = self._call("/api/v1/authorization/verify", request)
        latency = (time.perf_counter() - started) * 1000
        if not answer.get("verified"):
            error = answer.get("error") or {}
            return Verification(False, error_code=error.get("code"), error_message=error.get("message"),
                                latency_ms=latency)
        decision = answer.get("decision")
        return Verification(True, principal=Principal.from_json(answer["principal"]),
                            access_key_id=answer.get("access_key_id"),
                            decision=Decision.from_json(decision) if decision else None, latency_ms=latency)

    def decide(self, *, principal_arn: str, action: str, resource: str = "*",
               context: Mapping[str, Any] | None = None,
               resource_policy: str | Mapping[str, Any] | None = None) -> Decision:
        request = {"principal_arn": principal_arn, **_decision_request(action, resource, context, resource_policy)}
        key = json.dumps(request, sort_keys=True, default=str) if self._cache_seconds > 0 else ""
        if key:
            with self._cache_lock:
                cached = self._cache.get(key)
            if cached and cached[0] > time.monotonic():
                return cached[1]
        decision = Decision.from_json(self._call("/api/v1/authorization/decide", request))
        if key:
            with self._cache_lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = (time.monotonic() + self._cache_seconds, decision)
        return decision

    def decide_batch(self, requests: Iterable[Mapping[str, Any]]) -> list[Decision]:
        """Up to 30 decisions in one call (e.g. filtering a list), each a dict of decide()'s arguments."""
        items = [{"principal_arn": item["principal_arn"],
                  **_decision_request(item["action"], item.get("resource", "*"), item.get("context"),
                                      item.get("resource_policy"))} for item in requests]
        if len(items) > MAX_BATCH:
            raise ValueError(f"a batch holds at most {MAX_BATCH} requests, not {len(items)}")
        answer = self._call("/api/v1/authorization/decide-batch", {"requests": items})
        return [Decision.from_json(result) for result in answer["results"]]

    # --- transport -----------------------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            connection = kind(self._netloc, timeout=self._timeout)
            self._local.connection = connection
        return connection

    def _call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        url = f"{self._scheme}://{self._netloc}{self._base_path}{path}"
        signed = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
        SigV4Auth(self._credentials, "iam", self._region).add_auth(signed)
        headers = dict(signed.headers.items())
        for attempt in (1, 2):  # a kept-alive connection the server closed is opened again, once
            connection = self._connection()
            try:
                connection.request("POST", f"{self._base_path}{path}", body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise DirectoryError("ServiceUnavailable", f"the directory could not be reached: {error}") \
                        from error
        try:
            answer = json.loads(data or b"{}")
        except ValueError:
            answer = {}
        if response.status >= 400:
            error = answer.get("error") or {}
            raise DirectoryError(error.get("code", "ServiceFailure"),
                                 error.get("message", f"HTTP {response.status}"), response.status)
        return answer


def _decision_request(action: str, resource: str | None, context: Mapping[str, Any] | None,
                      resource_policy: str | Mapping[str, Any] | None) -> dict[str, Any]:
    request: dict[str, Any] = {"action": action, "resource": resource or "*", "context": dict(context or {})}
    if resource_policy is not None:
        request["resource_policy"] = (resource_policy if isinstance(resource_policy, str)
                                      else json.dumps(resource_policy))
    return request
