"""Fixtures for the SCIM door: a bearer token an administrator issued, and clients that present it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from identitystore.services.scim_tokens import issue_scim_token

SCIM = "/scim/v2"
SCIM_JSON = "application/scim+json"


class ScimClient:
    """Requests to the SCIM door as an identity provider sends them: JSON bodies, its bearer token."""

    def __init__(self, bearer: str | None) -> None:
        self.client = Client()
        self.bearer = bearer

    def request(self, method: str, path: str, body: object = None, *, raw: bytes | None = None, **headers):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.bearer}"} if self.bearer else {}
        extra.update(headers)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        url = path if path.startswith("/") else f"{SCIM}/{path}"
        return self.client.generic(method, url, data=data or b"", content_type=SCIM_JSON, **extra)

    def get(self, path: str, **params):
        from urllib.parse import urlencode

        query = f"?{urlencode(params)}" if params else ""
        return self.request("GET", f"{path}{query}")

    def post(self, path: str, body: object):
        return self.request("POST", path, body)

    def put(self, path: str, body: object):
        return self.request("PUT", path, body)

    def patch(self, path: str, body: object):
        return self.request("PATCH", path, body)

    def delete(self, path: str):
        return self.request("DELETE", path)


@pytest.fixture
def scim_token(root_caller):
    return issue_scim_token(caller=root_caller)


@pytest.fixture
def scim(scim_token):
    return ScimClient(scim_token.bearer)


def okta_user(user_name: str = "isabella@example.com", external_id: str = "00u1abcd", **overrides) -> dict:
    """Okta's create request (Okta's SCIM 2.0 reference: "Create the user")."""
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Isabella", "familyName": "Rossi"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Isabella Rossi",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    body.update(overrides)
    return body


def entra_user(user_name: str = "Test_User_ab6490ee@testuser.com", external_id: str = "0a21f0f2-8d2a-4f8e") -> dict:
    """Entra ID's create request (Microsoft's "Tutorial: Develop a SCIM endpoint", Create User)."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": external_id,
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Finance"},
    }
