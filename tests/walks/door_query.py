"""The AWS Query API (IAM and STS) in the walks: every action of the registry, every member of its botocore shape."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from xml.etree import ElementTree

from botocore.model import Shape

from iam_console.query import registry
from iam_console.query.service_models import SERVICES, operation_model
from tests.query.conftest import QueryClient
from tests.walks.doors import (
    LONG_INDEX,
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

# Actions that need no policy: GetCallerIdentity, GetSessionToken and GetAccessKeyInfo (as in AWS; the last
# answers the one account whatever the key), ChangePassword (the password policy may grant it to every user).
SELF_SERVICE = {"sts:GetCallerIdentity", "sts:GetSessionToken", "sts:GetAccessKeyInfo", "iam:ChangePassword"}
MAX_DEPTH = 4


def flat_members(shape: Shape | None, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, Shape, bool]]:
    """(flat name, leaf shape, required) for every member, each list given one element: `Tags.member.1.Key`."""
    if shape is None or depth > MAX_DEPTH:
        return
    required = set(shape.required_members)
    for name, member in shape.members.items():
        flat = f"{prefix}{member.serialization.get('name', name)}"
        yield from _flat(member, flat, name in required, depth)


def _flat(shape: Shape, flat: str, required: bool, depth: int) -> Iterator[tuple[str, Shape, bool]]:
    kind = shape.type_name
    if kind == "structure":
        for inner, inner_shape, inner_required in flat_members(shape, f"{flat}.", depth + 1):
            yield inner, inner_shape, required and inner_required
    elif kind == "list":
        yield from _flat(shape.member, f"{flat}.member.1", required, depth + 1)
    elif kind == "map":
        yield f"{flat}.entry.1.key", shape.key, required
        yield from _flat(shape.value, f"{flat}.entry.1.value", required, depth + 1)
    else:
        yield flat, shape, required


def _leaf_name(flat: str) -> str:
    parts = [part for part in flat.split(".") if part not in ("member", "entry") and not part.isdigit()]
    return parts[-1] if parts[-1] not in ("key", "value") or len(parts) == 1 else parts[-2] + parts[-1]


def _default(shape: Shape) -> str:
    if shape.enum:
        return shape.enum[0]
    kind = shape.type_name
    if kind in ("integer", "long"):
        return str(max(shape.metadata.get("min", 1), 1))
    if kind in ("float", "double"):
        return "1"
    if kind == "boolean":
        return "false"
    if kind == "timestamp":
        return "2024-01-01T00:00:00Z"
    return "walk" + "x" * max(0, shape.metadata.get("min", 0) - 4)


@register
class QueryDoor(APIDoor):
    name = "query"
    packages = ("iam_console.query",)

    def operations(self) -> list[Operation]:
        found = []
        for service in SERVICES:
            for action in registry.implemented(service):
                model = operation_model(service, action)
                members = tuple(flat for flat, _, _ in flat_members(model.input_shape))
                full = f"{service}:{action}"
                found.append(Operation(door=self.name, name=full, parameters=members,
                                       public=not registry.lookup(service, action).signed,
                                       self_service=full in SELF_SERVICE,
                                       detail={"service": service, "action": action}))
        return found

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, str]:
        model = operation_model(operation.detail["service"], operation.detail["action"])
        arguments = {}
        for flat, shape, required in flat_members(model.input_shape):
            leaf = _leaf_name(flat)
            value = sample(leaf, dict(samples))
            top_level = flat.count(".") == 0
            if required or (top_level and value is not None):
                arguments[flat] = value if value is not None else _default(shape)
        return arguments

    def hostile_arguments(self, operation: Operation, samples: Mapping[str, str]
                          ) -> Iterator[tuple[str, dict[str, str]]]:
        base = self.arguments(operation, samples)
        model = operation_model(operation.detail["service"], operation.detail["action"])
        for flat, shape, _ in flat_members(model.input_shape):
            yield f"{flat}=NUL", {**base, flat: NUL}
            if shape.type_name in ("integer", "long", "float", "double"):
                for digit in NON_ASCII_DIGITS:
                    yield f"{flat}={digit!r}", {**base, flat: digit}
            if ".member.1" in flat or ".entry.1" in flat:
                for index in (*NON_ASCII_DIGITS, LONG_INDEX):
                    hostile = flat.replace(".member.1", f".member.{index}", 1).replace(".entry.1", f".entry.{index}", 1)
                    others = {name: value for name, value in base.items() if name != flat}
                    yield f"{flat} indexed {index[:8]!r}", {**others, hostile: sample(_leaf_name(flat), dict(
                        samples)) or _default(shape)}

    def call(self, operation: Operation, arguments: Mapping[str, str], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        service = operation.detail["service"]
        key_id = caller.access_key_id if caller else "AKIAAAAAAAAAAAAAAAAA"
        secret = caller.secret_access_key if caller else "x" * 40
        if credentials is Credentials.WRONG_SECRET:
            secret = "w" * 40
        signing_name = "s3" if credentials is Credentials.WRONG_SCOPE else service
        client = self.client((key_id, secret, signing_name),
                             lambda: QueryClient(key_id, secret, service=signing_name))
        version = "2011-06-15" if service == "sts" else "2010-05-08"
        sign = credentials is not Credentials.UNSIGNED and caller is not None
        response = client.call(operation.detail["action"], version=version, sign=sign, **arguments)
        return _answer(response)


def _answer(response) -> Answer:
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("text/xml"):
        return Answer(response.status_code, None, response.content[:200].decode(errors="replace"), well_formed=False)
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:
        return Answer(response.status_code, None, "", well_formed=False)
    namespace = root.tag.split("}")[0].strip("{")
    code = root.findtext(f"{{{namespace}}}Error/{{{namespace}}}Code")
    message = root.findtext(f"{{{namespace}}}Error/{{{namespace}}}Message") or ""
    is_error = root.tag.endswith("ErrorResponse")
    return Answer(response.status_code, code, message, well_formed=is_error == (response.status_code >= 400))
