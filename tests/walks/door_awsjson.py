"""The AWS JSON 1.1 door in the walks: every operation of its registry, every member of its botocore shape."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.model import Shape

from iam_console.awsjson import registry
from iam_console.awsjson.service_models import SERVICES, operation_model
from tests.awsjson.conftest import JsonClient
from tests.walks.doors import (
    NON_ASCII_DIGITS,
    NUL,
    Answer,
    APIDoor,
    Credentials,
    Identity,
    Operation,
    register,
)
from tests.walks.entities import sample

MAX_DEPTH = 4
# Values tried, in order, for a string member with a pattern: the first the pattern and lengths accept is sent.
CANDIDATES = ("walk", "r-walk", "ou-walk-walkwalk", "p-walkwalk", "o-walkwalkwa", "car-" + "a" * 32, "123456789012",
              "walk@example.com", "arn:aws:organizations::123456789012:root/o-walkwalkwa/r-walk",
              "SERVICE_CONTROL_POLICY", "/", "*", "us-east-1",
              # identitystore: a store id, a user, group or membership id, an extension's name.
              "d-0123456789", "0123456789-01234567-89ab-cdef-0123-456789abcdef", "aws:identitystore:enterprise",
              # sso-admin: an instance, a permission set, an AWS managed policy, a request id.
              "arn:aws:sso:::instance/ssoins-walkwalkwalkwalk",
              "arn:aws:sso:::permissionSet/ssoins-walkwalkwalkwalk/ps-walkwalkwalkwalk",
              "arn:aws:iam::aws:policy/walk", "00000000-0000-4000-8000-000000000000",
              # accessanalyzer: the user or role a policy is generated for.
              "arn:aws:iam::123456789012:user/walk")
AUTHENTICATION_CODES = frozenset({"MissingAuthenticationTokenException", "UnrecognizedClientException",
                                  "InvalidSignatureException", "IncompleteSignatureException"})


def _fits(shape: Shape, value: str) -> bool:
    if getattr(shape, "enum", None) and value not in shape.enum:
        return False
    meta = shape.metadata
    if not meta.get("min", 0) <= len(value) <= meta.get("max", 1 << 30):
        return False
    pattern = meta.get("pattern")
    try:
        return pattern is None or re.fullmatch(pattern, value, re.ASCII | re.DOTALL) is not None
    except re.error:
        return True


def _default(shape: Shape, depth: int = 0) -> Any:
    kind = shape.type_name
    if getattr(shape, "enum", None):
        return shape.enum[0]
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("float", "double"):
        return 1
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return 1704067200
    if kind == "structure":
        return _required(shape, {}, depth + 1)
    if kind == "list":
        return [_default(shape.member, depth + 1)]
    if kind == "map":
        return {"walk": _default(shape.value, depth + 1)}
    for candidate in CANDIDATES:
        if _fits(shape, candidate):
            return candidate
    return "walk" + "x" * max(0, shape.metadata.get("min", 0) - 4)


def _value(name: str, shape: Shape, samples: Mapping[str, str], depth: int) -> Any:
    # A nested structure is filled without samples: its members name no entity of the walk.
    found = sample(name, dict(samples)) if shape.type_name == "string" and samples else None
    return found if found is not None and _fits(shape, found) else _default(shape, depth)


def _required(shape: Shape, samples: Mapping[str, str], depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        return {}
    required = set(shape.required_members)
    return {name: _value(name, member, samples, depth) for name, member in shape.members.items() if name in required}


def _leaves(shape: Shape | None) -> Iterator[tuple[str, Shape]]:
    """(top-level member, its shape) for every member: hostile values go in at the top of the body."""
    if shape is not None:
        yield from shape.members.items()


@register
class AwsJsonDoor(APIDoor):
    name = "json"
    packages = ("iam_console.awsjson",)

    def operations(self) -> list[Operation]:
        found = []
        for service in SERVICES.values():
            for name in registry.implemented(service.name):
                shape = operation_model(service.name, name).input_shape
                members = tuple(member for member, _ in _leaves(shape))
                found.append(Operation(door=self.name, name=f"{service.name}:{name}", parameters=members,
                                       detail={"service": service.name, "operation": name,
                                               "prefix": service.target_prefix,
                                               "signing_name": service.signing_name}))
        return found

    def _shape(self, operation: Operation) -> Shape | None:
        return operation_model(operation.detail["service"], operation.detail["operation"]).input_shape

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, Any]:
        shape = self._shape(operation)
        if shape is None:
            return {}
        arguments = _required(shape, samples, 0)
        for name, member in shape.members.items():  # members naming an entity are sent even when optional
            found = sample(name, dict(samples)) if member.type_name == "string" else None
            if name not in arguments and found is not None and _fits(member, found):
                arguments[name] = found
        return arguments

    def hostile_arguments(self, operation: Operation, samples: Mapping[str, str]
                          ) -> Iterator[tuple[str, dict[str, Any]]]:
        base = self.arguments(operation, samples)
        for name, shape in _leaves(self._shape(operation)):
            yield f"{name}=NUL", {**base, name: NUL}
            yield f"{name}=[NUL]", {**base, name: [NUL]}
            yield f"{name}={{NUL: NUL}}", {**base, name: {NUL: NUL}}
            yield f"{name}=2**70", {**base, name: 2 ** 70}
            for digit in NON_ASCII_DIGITS:
                yield f"{name}={digit!r}", {**base, name: digit}
        # The body itself: a member name no shape has, nesting deeper than any shape, a lone surrogate.
        yield "a NUL member name", {**base, NUL: NUL}
        yield "deep nesting", {**base, "Deep": json.loads("[" * 500 + "]" * 500)}
        yield "a lone surrogate", {**base, "Odd": "\ud800"}

    def call(self, operation: Operation, arguments: Mapping[str, Any], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        key_id = caller.access_key_id if caller else "AKIAAAAAAAAAAAAAAAAA"
        secret = caller.secret_access_key if caller else "x" * 40
        if credentials is Credentials.WRONG_SECRET:
            secret = "w" * 40
        signing_name = "s3" if credentials is Credentials.WRONG_SCOPE else operation.detail["signing_name"]
        client = self.client(("json", key_id, secret, signing_name), lambda: JsonClient(
            key_id, secret, service=signing_name, prefix=operation.detail["prefix"]))
        body = json.dumps(dict(arguments)).encode()
        sign = credentials is not Credentials.UNSIGNED and caller is not None
        response = client.call("", body=body, sign=sign,
                               target=f"{operation.detail['prefix']}.{operation.detail['operation']}")
        return _answer(response)

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        return answer.status == 400 and answer.code in AUTHENTICATION_CODES

    def is_access_denied(self, answer: Answer) -> bool:
        return answer.status in (400, 403) and answer.code == "AccessDeniedException"


def _answer(response) -> Answer:
    if not response.get("Content-Type", "").startswith("application/x-amz-json-1.1"):
        return Answer(response.status_code, None, response.content[:200].decode(errors="replace"), well_formed=False)
    try:
        body = json.loads(response.content)
    except ValueError:
        return Answer(response.status_code, None, "", well_formed=False)
    code = body.get("__type") if isinstance(body, dict) else None
    is_error = code is not None and response.get("x-amzn-ErrorType") == code and "message" in body
    return Answer(response.status_code, code, body.get("message", "") if is_error else "",
                  well_formed=is_error == (response.status_code >= 400))
