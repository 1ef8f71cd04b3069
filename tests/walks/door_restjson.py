"""The REST-JSON door (SSO OIDC, the portal API) in the walks: every route of botocore's two models.

Its operations take no signature: SSO OIDC's answer anyone (a client secret or device code is their credential)
and the portal API's act only for the person whose access token they carry, so none is walked for permissions;
hostile input in every member, and calls without a valid token, are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from iam_console.restjson import routes
from iam_console.restjson.handlers import HANDLERS
from tests.walks.doors import NON_ASCII_DIGITS, NUL, Answer, Credentials, Door, Identity, Operation, register

TOKEN_HEADER = "x-amz-sso_bearer_token"


@register
class RestJsonDoor(Door):
    name = "restjson"
    packages = ("iam_console.restjson",)

    def operations(self) -> list[Operation]:
        found = []
        for route in routes.routes():
            if (route.service, route.operation) not in HANDLERS:
                continue
            members = routes.operation_model(route.service, route.operation).input_shape.members
            found.append(Operation(door=self.name, name=f"{route.method} {route.path}", parameters=tuple(members),
                                   public=route.service == "sso-oidc", self_service=route.service == "sso",
                                   detail={"route": route}))
        return found

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, Any]:
        values = {"accountId": "123456789012", "maxResults": 1, "scopes": ["sso:account:access"], "redirectUris": []}
        return {name: values.get(name, "walk") for name in operation.parameters}

    def hostile_arguments(self, operation: Operation, samples: Mapping[str, str]
                          ) -> Iterator[tuple[str, dict[str, Any]]]:
        base = self.arguments(operation, samples)
        for name in operation.parameters:
            yield f"{name}=NUL", {**base, name: NUL}
            yield f"{name}=[NUL]", {**base, name: [NUL]}
            yield f"{name}=2**70", {**base, name: 2 ** 70}
            for digit in NON_ASCII_DIGITS:
                yield f"{name}={digit!r}", {**base, name: digit}
        yield "a lone surrogate", {**base, "Odd": "\ud800"}

    def call(self, operation: Operation, arguments: Mapping[str, Any], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        route = operation.detail["route"]
        shape = routes.operation_model(route.service, route.operation).input_shape
        query, headers, body = {}, {}, {}
        for name, value in arguments.items():
            member = shape.members.get(name)
            location = member.serialization.get("location") if member is not None else None
            where = member.serialization.get("name", name) if member is not None else name
            if location == "querystring":
                query[where] = value if isinstance(value, str) else json.dumps(value)
            elif location == "header":
                if credentials is Credentials.SIGNED and isinstance(value, str) and "\x00" not in value:
                    headers[where] = value
            else:
                body[name] = value
        path = f"{route.path}?{urlencode(query)}" if query else route.path
        client = self.client(("restjson",), Client)
        response = client.generic(route.method, path, json.dumps(body), content_type="application/json",
                                  headers=headers)
        try:
            data = json.loads(response.content or b"{}")
        except ValueError:
            return Answer(response.status_code, None, well_formed=False)
        code = response.get("x-amzn-ErrorType")
        well_formed = response.status_code < 400 or (code is not None and data.get("__type") == code)
        return Answer(response.status_code, code, str(data.get("message", "")), well_formed=well_formed)

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        return answer.status == 401 and answer.code == "UnauthorizedException"

    def is_access_denied(self, answer: Answer) -> bool:
        return answer.status == 403 and answer.code == "ForbiddenException"
