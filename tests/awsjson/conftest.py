"""Fixtures for the JSON 1.1 door: boto3 clients against a live server, and a signed test client."""

from __future__ import annotations

import json

import pytest

from tests.query.conftest import client_for
from tests.support.signing import SignedClient

CONTENT_TYPE = "application/x-amz-json-1.1"
ORGANIZATIONS_TARGET = "AWSOrganizationsV20161128"


class JsonClient:
    """The JSON door through Django's test client: bodies and headers as botocore sends them, signed as it signs."""

    def __init__(self, access_key_id: str | None, secret_access_key: str | None, *, service: str = "organizations",
                 prefix: str = ORGANIZATIONS_TARGET, session_token: str | None = None) -> None:
        self.prefix = prefix
        self.signer = SignedClient(access_key_id or "", secret_access_key or "", session_token=session_token,
                                   service=service)

    def call(self, operation: str, params: dict | None = None, *, sign: bool = True, body: bytes | None = None,
             target: str | None = None):
        payload = json.dumps(params or {}).encode() if body is None else body
        headers = {"X-Amz-Target": target if target is not None else f"{self.prefix}.{operation}"}
        if sign:
            signed = self.signer.signed_headers("POST", "/", payload, CONTENT_TYPE)
            headers = {**signed, **headers}
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
                 if name.lower() not in {"content-type", "host"}}
        extra["HTTP_HOST"] = self.signer.host
        return self.signer.client.generic("POST", "/", data=payload, content_type=CONTENT_TYPE, **extra)


def json_error(response) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a JSON error answer, checked against its x-amzn-ErrorType header."""
    body = json.loads(response.content)
    assert response["x-amzn-ErrorType"] == body["__type"]
    return response.status_code, body["__type"], body["message"]


@pytest.fixture
def organizations_api(root_credentials) -> JsonClient:
    """The Organizations API as the management account's root user, through the test client."""
    return JsonClient(root_credentials.access_key_id, root_credentials.secret_access_key)


@pytest.fixture
def organizations(transactional_db, live_server, root_credentials):
    """boto3's Organizations client against a live server, signed with the management account root's key."""
    return client_for(live_server, "organizations", root_credentials.access_key_id,
                      root_credentials.secret_access_key)
