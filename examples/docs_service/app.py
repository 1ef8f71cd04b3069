"""An example document store that lets the IAM directory decide who may read and write which document.

Run it with any WSGI server, e.g. `python -m examples.docs_service.app` (wsgiref, port 8081), with
IAM_DIRECTORY_URL, IAM_SERVICE_ACCESS_KEY_ID and IAM_SERVICE_SECRET_ACCESS_KEY naming the directory and the
service's own credentials (a user allowed iam:AuthorizeRequest on arn:aws:iam::<account>:service/docs). Callers
sign their requests with SigV4 for the signing name `docs`, with their directory access key or role session.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from urllib.parse import unquote

from iam_directory_client import DirectoryClient, SignatureVerifyingMiddleware

SERVICE = "docs"
CATALOGUE = os.path.join(os.path.dirname(__file__), "catalogue.json")


def document_arn(owner: str, name: str) -> str:
    return f"arn:aws:docs:::document/{owner}/{name}"


def route(environ: dict) -> tuple[str, str] | None:
    """The action and resource of a request: what the directory decides."""
    parts = [unquote(part) for part in environ.get("PATH_INFO", "").strip("/").split("/")]
    if len(parts) == 3 and parts[0] == "documents":
        action = {"GET": "docs:GetDocument", "PUT": "docs:PutDocument",
                  "DELETE": "docs:DeleteDocument"}.get(environ["REQUEST_METHOD"])
        if action:
            return action, document_arn(parts[1], parts[2])
    if len(parts) == 2 and parts[0] == "documents" and environ["REQUEST_METHOD"] == "GET":
        return "docs:ListDocuments", document_arn(parts[1], "*")
    return None  # unknown routes are only verified, then answered 404 by the application


class DocumentStore:
    """The service's own logic: it never checks permissions itself, the middleware has done so."""

    def __init__(self) -> None:
        self.documents: dict[tuple[str, str], bytes] = {}
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        parts = [unquote(part) for part in environ.get("PATH_INFO", "").strip("/").split("/")]
        method = environ["REQUEST_METHOD"]
        principal = environ["iam.principal"]
        if len(parts) == 3 and parts[0] == "documents":
            key = (parts[1], parts[2])
            if method == "PUT":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                with self.lock:
                    self.documents[key] = environ["wsgi.input"].read(length)
                return respond(start_response, "201 Created", {"document": f"{key[0]}/{key[1]}"})
            if method == "DELETE":
                with self.lock:
                    self.documents.pop(key, None)
                return respond(start_response, "204 No Content", None)
            with self.lock:
                body = self.documents.get(key)
            if body is None:
                return respond(start_response, "404 Not Found", {"error": "no such document"})
            start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                      ("X-Read-By", principal.arn)])
            return [body]
        if len(parts) == 2 and parts[0] == "documents":
            with self.lock:
                names = sorted(name for owner, name in self.documents if owner == parts[1])
            return respond(start_response, "200 OK", {"documents": names, "caller": principal.arn})
        return respond(start_response, "404 Not Found", {"error": "unknown route"})


def respond(start_response: Callable, status: str, body: object) -> list[bytes]:
    data = json.dumps(body).encode() if body is not None else b""
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def make_app(client: DirectoryClient) -> Callable:
    return SignatureVerifyingMiddleware(DocumentStore(), client, SERVICE, resolve=route)


def main() -> None:
    from wsgiref.simple_server import make_server

    client = DirectoryClient(os.environ["IAM_DIRECTORY_URL"], os.environ["IAM_SERVICE_ACCESS_KEY_ID"],
                             os.environ["IAM_SERVICE_SECRET_ACCESS_KEY"])
    port = int(os.environ.get("PORT", "8081"))
    print(f"docs service on http://127.0.0.1:{port}/documents/<owner>/<name>")
    make_server("127.0.0.1", port, make_app(client)).serve_forever()


if __name__ == "__main__":
    main()
