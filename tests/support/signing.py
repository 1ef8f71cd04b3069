"""Sign requests with AWS Signature Version 4 exactly as AWS SDKs do (botocore's SigV4Auth)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client


@dataclass
class SignedClient:
    """A Django test client whose every request is signed with an access key, like a provisioning script."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    region: str = "us-east-1"
    service: str = "iam"
    host: str = "testserver"
    remote_addr: str = "127.0.0.1"

    def __post_init__(self) -> None:
        self.client = Client(REMOTE_ADDR=self.remote_addr)

    def signed_headers(self, method: str, path: str, body: bytes = b"", content_type: str | None = None) -> dict:
        headers = {"Content-Type": content_type} if content_type else {}
        request = AWSRequest(method=method, url=f"http://{self.host}{path}", data=body, headers=headers)
        credentials = Credentials(self.access_key_id, self.secret_access_key, self.session_token)
        SigV4Auth(credentials, self.service, self.region).add_auth(request)
        return dict(request.headers.items())

    def request(self, method: str, path: str, data: Any = None) -> Any:
        body = json.dumps(data).encode() if data is not None else b""
        content_type = "application/json" if data is not None else None
        headers = self.signed_headers(method, path, body, content_type)
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
                 if name.lower() not in {"content-type", "host"}}
        extra["HTTP_HOST"] = self.host  # botocore signs the URL's host without adding a Host header
        kwargs: dict[str, Any] = {"data": body, "content_type": content_type or "application/octet-stream"}
        return self.client.generic(method, path, **kwargs, **extra)

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, data: Any = None) -> Any:
        return self.request("POST", path, data if data is not None else {})

    def put(self, path: str, data: Any = None) -> Any:
        return self.request("PUT", path, data if data is not None else {})

    def patch(self, path: str, data: Any = None) -> Any:
        return self.request("PATCH", path, data if data is not None else {})

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)
