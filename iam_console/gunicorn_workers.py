"""gunicorn workers whose own refusals (a request line or headers past its limits) answer in the shape of the door
the request was for: the API's JSON error under /api/, the Query API's XML error at `/`, the console's page elsewhere;
and which pass on the one header name with an underscore that a served protocol needs (the portal API's
`x-amz-sso_bearer_token`).

gunicorn refuses such a request before any application code sees it, and by then it has read the request line; so
each worker peeks (without consuming) at the first bytes of the request before gunicorn parses it.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import uuid
from xml.sax.saxutils import escape

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker
from gunicorn.workers.sync import SyncWorker as GunicornSyncWorker

_HEAD_BYTES = 256
_PEEK_WAIT_SECONDS = 1.0
# The Query API answers for IAM unless told otherwise; its namespace is botocore's (iam_console.query).
_QUERY_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
_REFUSALS = (
    (LimitRequestLine, 414, "URI Too Long", "RequestURITooLong",
     "The URL is longer than the server accepts (8,190 bytes with the request line): send long parameters in the "
     "body of a POST."),
    (LimitRequestHeaders, 431, "Request Header Fields Too Large", "RequestHeaderFieldsTooLarge",
     "The request's headers are larger than the server accepts."),
)


def _json_error(code: str, message: str, request_id: str) -> tuple[bytes, str]:
    body = {"error": {"code": code, "message": message, "request_id": request_id}}
    return json.dumps(body).encode(), "application/json"


def _xml_error(code: str, message: str, request_id: str) -> tuple[bytes, str]:
    body = (f'<ErrorResponse xmlns="{_QUERY_NAMESPACE}"><Error><Type>Sender</Type><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
    return body.encode(), "text/xml"


def door_of(head: bytes):
    """How the door the request line is for writes an error; None for the console (gunicorn's page will do)."""
    parts = head.split(b" ", 2)
    target = parts[1] if len(parts) > 1 else b""
    if target.startswith(b"/api/"):
        return _json_error
    if target == b"/" or target.startswith(b"/?"):
        return _xml_error
    return None


class _DoorShapedRefusals:
    _seen = threading.local()  # the head of the request this thread is handling

    def _peek(self, sock: socket.socket) -> None:
        """The first bytes the client has sent, left for gunicorn to read. A client that sends nothing for a
        second gets gunicorn's own refusals, should it later send something refused."""
        self._seen.head = b""
        try:
            if select.select([sock], [], [], _PEEK_WAIT_SECONDS)[0]:
                self._seen.head = sock.recv(_HEAD_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (OSError, ValueError, AttributeError):
            pass

    def handle_error(self, req, client, addr, exc) -> None:
        refusal = next((item for item in _REFUSALS if isinstance(exc, item[0])), None)
        door = door_of(getattr(self._seen, "head", b""))
        if refusal is None or door is None:
            super().handle_error(req, client, addr, exc)  # type: ignore[misc]
            return
        _, status, reason, code, message = refusal
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)  # type: ignore[attr-defined]
        request_id = str(uuid.uuid4())
        body, content_type = door(code, message, request_id)
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nx-amzn-RequestId: {request_id}\r\n\r\n").encode()
        try:
            client.sendall(head + body)
        except OSError:
            pass  # the client has gone


# botocore sends the portal API's access token as `x-amz-sso_bearer_token`. gunicorn drops every header name with an
# underscore (`header_map = "drop"`), since `X_Forwarded_For` and `X-Forwarded-For` would both become
# HTTP_X_FORWARDED_FOR. This one name alone is kept; the look-alike with hyphens is dropped instead, so that its WSGI
# key, HTTP_X_AMZ_SSO_BEARER_TOKEN, has exactly one source. Every other name with an underscore is still dropped.
SSO_BEARER_HEADER = "X-AMZ-SSO_BEARER_TOKEN"
_SSO_BEARER_LOOKALIKE = "X-AMZ-SSO-BEARER-TOKEN"


class PortalTokenRequest(Request):
    """gunicorn's request, with the portal API's bearer-token header kept (and only it)."""

    def _apply_header_policy(self, name, value, *args, **kwargs):
        if name == SSO_BEARER_HEADER and not kwargs.get("from_trailer"):
            return name, value
        if name == _SSO_BEARER_LOOKALIKE:
            return None
        return super()._apply_header_policy(name, value, *args, **kwargs)


class _PortalTokenHeader:
    def init_process(self) -> None:
        # The parser of this worker process builds its requests from the class above.
        RequestParser.mesg_class = PortalTokenRequest
        super().init_process()  # type: ignore[misc]


class SyncWorker(_PortalTokenHeader, _DoorShapedRefusals, GunicornSyncWorker):
    """One request at a time (GUNICORN_THREADS=1)."""

    def handle(self, listener, client, addr):
        self._peek(client)
        return super().handle(listener, client, addr)


class ThreadWorker(_PortalTokenHeader, _DoorShapedRefusals, GunicornThreadWorker):
    """Several requests at once, one per thread (GUNICORN_THREADS>1)."""

    def handle(self, conn):
        self._peek(conn.sock)
        return super().handle(conn)
