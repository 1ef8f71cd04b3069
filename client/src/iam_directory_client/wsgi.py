"""A WSGI middleware and a handler decorator that verify and decide each request in one directory call."""

from __future__ import annotations

import functools
import hashlib
import http
import io
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from iam_directory_client.client import DirectoryClient, DirectoryError, Verification

PRINCIPAL_KEY = "iam.principal"
VERIFICATION_KEY = "iam.verification"

# What a route asks: (action, resource) or (action, resource, context); None means "verify the signature only".
RouteDecision = tuple[str, str] | tuple[str, str, Mapping[str, Any]] | None
Resolver = Callable[[dict], RouteDecision]


def _signed_material(environ: dict) -> tuple[str, str, str, dict[str, str], bytes]:
    """Method, raw path, query, headers and body of a WSGI request, as the signer saw them."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)  # the application still reads the body
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    path = raw.split("?", 1)[0] if raw else quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
               if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return environ.get("REQUEST_METHOD", "GET"), path or "/", environ.get("QUERY_STRING", ""), headers, body


def is_signed(environ: Mapping[str, Any]) -> bool:
    return (environ.get("HTTP_AUTHORIZATION", "").startswith("AWS4-HMAC-SHA256")
            or "X-Amz-Signature=" in environ.get("QUERY_STRING", ""))


def verify_environ(client: DirectoryClient, service: str, environ: dict,
                   decision: RouteDecision = None) -> Verification:
    method, path, query, headers, body = _signed_material(environ)
    kwargs: dict[str, Any] = {}
    if decision is not None:
        kwargs = {"action": decision[0], "resource": decision[1],
                  "context": decision[2] if len(decision) > 2 else None}  # type: ignore[misc]
    return client.verify(service=service, method=method, path=path, query=query, headers=headers,
                         payload_sha256=hashlib.sha256(body).hexdigest(), **kwargs)


def error_body(code: str, message: str, request_id: str) -> bytes:
    """AWS's error document, so SDK clients of the service parse it as they parse AWS's own."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()


def refusal(verification: Verification | None, *, action: str | None = None,
            resource: str | None = None) -> tuple[int, str, str]:
    """HTTP status, error code and message for a request that must not go through."""
    if verification is None:
        return 403, "MissingAuthenticationToken", "Request is missing Authentication Token"
    if not verification.verified:
        code = verification.error_code or "SignatureDoesNotMatch"
        return 403, code, verification.error_message or "The request signature could not be verified."
    arn = verification.principal.arn if verification.principal else "anonymous"
    return 403, "AccessDenied", f"User: {arn} is not authorized to perform: {action} on resource: {resource}"


def _deny(start_response: Callable, status: int, code: str, message: str, timing: float | None) -> list[bytes]:
    request_id = str(uuid.uuid4())
    body = error_body(code, message, request_id)
    headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body))), ("x-amzn-RequestId", request_id)]
    if timing is not None:
        headers.append(("Server-Timing", f"iam;dur={timing:.2f}"))
    start_response(f"{status} {http.HTTPStatus(status).phrase}", headers)
    return [body]


def _with_timing(start_response: Callable, timing: float) -> Callable:
    """Report the directory call's latency to the caller and to monitoring (`Server-Timing: iam;dur=…`)."""

    def start(status: str, headers: list, exc_info: Any = None) -> Any:
        return start_response(status, [*headers, ("Server-Timing", f"iam;dur={timing:.2f}")], exc_info)

    return start


class SignatureVerifyingMiddleware:
    """Verify every request's SigV4 signature with the directory; with `resolve`, decide it in the same call.

    `resolve(environ)` names the action and resource of a request (or None to only verify). Refused requests get
    403 with AWS's error document; accepted ones reach the application with `environ["iam.principal"]`.
    """

    def __init__(self, app: Callable, client: DirectoryClient, service: str, resolve: Resolver | None = None):
        self.app = app
        self.client = client
        self.service = service
        self.resolve = resolve

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not is_signed(environ):
            return _deny(start_response, *refusal(None), None)
        decision = self.resolve(environ) if self.resolve else None
        try:
            verification = verify_environ(self.client, self.service, environ, decision)
        except DirectoryError as error:
            return _deny(start_response, 503 if error.status in {0, 503} else 500, "ServiceUnavailable",
                         "The authorization service is unavailable; try again.", None)
        environ[VERIFICATION_KEY] = verification
        if not verification.allowed:
            action, resource = (decision[0], decision[1]) if decision else (None, None)
            return _deny(start_response, *refusal(verification, action=action, resource=resource),
                         verification.latency_ms)
        environ[PRINCIPAL_KEY] = verification.principal
        return self.app(environ, _with_timing(start_response, verification.latency_ms))


def require(action: str, *, resource: str | Callable[..., str] = "*", client: DirectoryClient | Callable[[], DirectoryClient],
            service: str, context: Callable[..., Mapping[str, Any]] | None = None) -> Callable:
    """Decorate a WSGI handler `(environ, start_response)` or a Django view `(request, *args, **kwargs)` so that
    it runs only for callers whose signature verifies and whose policies allow `action` on `resource`.

    `resource` and `context` may be callables taking the same arguments as the handler. One directory call per
    request verifies and decides together. The handler finds the principal in `environ["iam.principal"]`
    (Django: `request.iam_principal`).
    """

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            django_request = args[0] if args and hasattr(args[0], "META") else None
            environ = django_request.META if django_request is not None else args[0]
            the_client = client() if callable(client) and not isinstance(client, DirectoryClient) else client
            arn = resource(*args, **kwargs) if callable(resource) else resource
            extra = context(*args, **kwargs) if context else {}
            if django_request is not None:
                # Django has read the body already; give the verifier the bytes it holds.
                environ = {**environ, "wsgi.input": io.BytesIO(django_request.body),
                           "CONTENT_LENGTH": str(len(django_request.body))}
            verification = None
            if is_signed(environ):
                try:
                    verification = verify_environ(the_client, service, environ, (action, arn, extra))
                except DirectoryError:
                    return _refuse(django_request, args, 503, "ServiceUnavailable",
                                   "The authorization service is unavailable; try again.")
            if verification is None or not verification.allowed:
                return _refuse(django_request, args, *refusal(verification, action=action, resource=arn))
            if django_request is not None:
                django_request.iam_principal = verification.principal
                response = handler(*args, **kwargs)
                response["Server-Timing"] = f"iam;dur={verification.latency_ms:.2f}"
                return response
            environ[PRINCIPAL_KEY] = verification.principal
            environ[VERIFICATION_KEY] = verification
            return handler(environ, _with_timing(args[1], verification.latency_ms))

        return wrapped

    return decorate


def _refuse(django_request: Any, args: tuple, status: int, code: str, message: str) -> Any:
    if django_request is None:
        return _deny(args[1], status, code, message, None)
    from django.http import HttpResponse  # only when the decorated view is a Django view

    request_id = str(uuid.uuid4())
    response = HttpResponse(error_body(code, message, request_id), status=status, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    return response
