"""The REST-JSON door in the walks: every route of botocore's models that has a handler.

The sign-in services' operations take no signature: SSO OIDC's answer anyone (a client secret or device code is
their credential) and the portal API's act only for the person whose access token they carry, so none is walked
for permissions; hostile input in every member, and calls without a valid token, are. Access Analyzer's are signed
with SigV4 and walked as every signed door's are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from django.test import Client

from iam_console.restjson import registry, routes
from iam_console.restjson.handlers import HANDLERS
from tests.support.signing import SignedClient
from tests.walks.door_awsjson import AUTHENTICATION_CODES, _fits, _required
from tests.walks.doors import NON_ASCII_DIGITS, NUL, Answer, Credentials, Door, Identity, Operation, register
from tests.walks.entities import sample

TOKEN_HEADER = "x-amz-sso_bearer_token"


@register
class RestJsonDoor(Door):
    name = "restjson"
    packages = ("iam_console.restjson",)

    def operations(self) -> list[Operation]:
        found = []
        for route in routes.routes():
            signing_name = routes.SERVICES[route.service].signing_name
            if signing_name is None and (route.service, route.operation) not in HANDLERS:
                continue
            if signing_name is not None and registry.lookup(route.service, route.operation) is None:
                continue
            shape = routes.operation_model(route.service, route.operation).input_shape
            members = tuple(shape.members) if shape is not None else ()
            found.append(Operation(door=self.name, name=f"{route.method} {route.template}", parameters=members,
                                   public=route.service == "sso-oidc", self_service=route.service == "sso",
                                   detail={"route": route, "signing_name": signing_name}))
        return found

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, Any]:
        route = operation.detail["route"]
        if operation.detail["signing_name"] is not None:
            shape = routes.operation_model(route.service, route.operation).input_shape
            if shape is None:
                return {}
            arguments = _required(shape, samples, 0)
            for name, member in shape.members.items():  # members naming an entity are sent even when optional
                found = sample(name, dict(samples)) if member.type_name == "string" else None
                if name not in arguments and found is not None and _fits(member, found):
                    arguments[name] = found
            return arguments
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
        signing_name = operation.detail["signing_name"]
        shape = routes.operation_model(route.service, route.operation).input_shape
        query, headers, body, labels = {}, {}, {}, {}
        for name, value in arguments.items():
            member = shape.members.get(name) if shape is not None else None
            location = member.serialization.get("location") if member is not None else None
            where = member.serialization.get("name", name) if member is not None else name
            if location == "uri":
                labels[where] = value if isinstance(value, str) else json.dumps(value)
            elif location == "querystring":
                query[where] = value if isinstance(value, str) else json.dumps(value)
            elif location == "header":
                if credentials is Credentials.SIGNED and isinstance(value, str) and "\x00" not in value:
                    headers[where] = value
            else:
                body[name] = value
        path = route.template
        for where, value in labels.items():
            path = path.replace(f"{{{where}}}", quote(value or "walk", safe="-._~"))
        path = f"{path}?{urlencode(query)}" if query else path
        payload = json.dumps(body).encode()
        client = self.client(("restjson",), Client)
        if signing_name is not None and caller is not None and credentials is not Credentials.UNSIGNED:
            secret = "w" * 40 if credentials is Credentials.WRONG_SECRET else caller.secret_access_key
            scope = "s3" if credentials is Credentials.WRONG_SCOPE else signing_name
            signer = SignedClient(caller.access_key_id, secret, service=scope)
            signed = signer.signed_headers(route.method, path, payload, "application/json")
            headers.update({name: value for name, value in signed.items() if name.lower() not in {"content-type"}})
            headers["host"] = signer.host  # botocore signs the URL's host without adding a Host header
        response = client.generic(route.method, path, payload, content_type="application/json", headers=headers)
        try:
            data = json.loads(response.content or b"{}")
        except ValueError:
            return Answer(response.status_code, None, well_formed=False)
        code = response.get("x-amzn-ErrorType")
        well_formed = response.status_code < 400 or (code is not None and data.get("__type") == code)
        return Answer(response.status_code, code, str(data.get("message", "")), well_formed=well_formed)

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        return ((answer.status == 401 and answer.code == "UnauthorizedException")
                or (answer.status == 403 and answer.code in AUTHENTICATION_CODES | {"ExpiredTokenException"}))

    def is_access_denied(self, answer: Answer) -> bool:
        return answer.status == 403 and answer.code in ("ForbiddenException", "AccessDeniedException")
