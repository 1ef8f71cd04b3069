"""The REST API in the walks: every route of the URL map under /api/, each method its view answers, and the
parameters its OpenAPI schema documents (path, query and body)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlencode

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.support.signing import SignedClient
from tests.test_url_security import PUBLIC_ROUTE_NAMES, SELF_SERVICE_ROUTE_NAMES, _fill_regex_groups
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

METHODS = ("get", "post", "put", "patch", "delete")
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")
# A path parameter named `arn` is the provider's ARN of the route it is in.
_ARN_KIND = {"oidc-providers": "oidc_arn", "saml-providers": "saml_arn"}


def url_patterns(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, URLPattern, str]]:
    """(route, pattern, namespaced name) for every route of the URL map."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, f"{namespace}:{entry.name}".strip(":") if entry.name else ""


class _Placeholders(dict):
    """Samples that fill every parameter of a route with `{name}`, as the OpenAPI schema writes paths."""

    def get(self, key, default=None):
        return "{" + key + "}"


def _template(route: str) -> str:
    """`^users/(?P<user_name>…)/$` and `users/<str:user_name>/` alike as /api/v1/users/{user_name}/."""
    text = _fill_regex_groups(route, _Placeholders())
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    text = text.replace("^", "").replace("$", "").replace("\\", "").replace("(?<!/)", "").replace("/?", "/")
    return "/" + text


@functools.cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@register
class RESTDoor(APIDoor):
    name = "rest"
    packages = ("iam_console.rest",)

    def operations(self) -> list[Operation]:
        schema, found, seen = _schema(), [], set()
        for route, pattern, _ in url_patterns():
            if not route.lstrip("^").startswith("api/") or getattr(pattern.callback, "slash_twin", False):
                continue
            view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            template = _template(route)
            if template in seen:
                continue
            seen.add(template)
            documented = schema["paths"].get(template, {})
            for method in METHODS:
                if view is None or not hasattr(view, method):
                    continue
                found.append(self._operation(pattern.name or "", template, method, documented.get(method, {})))
        return found

    def _operation(self, route_name: str, template: str, method: str, documented: dict) -> Operation:
        schema = _schema()
        path_parameters = tuple(re.findall(r"\{(\w+)\}", template))
        query = tuple(parameter["name"] for parameter in documented.get("parameters", [])
                      if parameter.get("in") == "query")
        body_schema = documented.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        body = _resolve(schema, body_schema) if body_schema else {}
        public = route_name in PUBLIC_ROUTE_NAMES or route_name in {"api-not-found"}
        return Operation(door=self.name, name=f"{method.upper()} {template}",
                         parameters=path_parameters + query + tuple(body.get("properties", {})),
                         public=public, self_service=route_name in SELF_SERVICE_ROUTE_NAMES,
                         detail={"template": template, "method": method, "path": path_parameters, "query": query,
                                 "body": body, "route": route_name})

    # --- arguments -------------------------------------------------------------------------------------
    def _value(self, operation: Operation, name: str, samples: Mapping[str, str]) -> str | None:
        if name == "arn":
            kind = next((k for part, k in _ARN_KIND.items() if f"/{part}/" in operation.detail["template"]), None)
            if kind is not None:
                return samples[kind]
        return sample(name, dict(samples))

    def _body(self, operation: Operation, node: dict, samples: Mapping[str, str], depth: int = 0) -> object:
        schema = _schema()
        node = _resolve(schema, node)
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            required = set(node.get("required", []))
            out = {}
            for name, prop in node.get("properties", {}).items():
                if prop.get("readOnly"):
                    continue
                if name in required or (depth == 0 and self._value(operation, name, samples) is not None):
                    out[name] = self._field(operation, name, prop, samples, depth)
            return out
        return None

    def _field(self, operation: Operation, name: str, prop: dict, samples: Mapping[str, str], depth: int) -> object:
        prop = _resolve(_schema(), prop)
        kind = prop.get("type")
        value = self._value(operation, name, samples)
        if kind == "array":
            item = _resolve(_schema(), prop.get("items", {}))
            if item.get("type") == "object" or "properties" in item:
                return [self._body(operation, item, samples, depth + 1)]
            return [value if value is not None else "walk"]
        if kind == "object" or "properties" in prop:
            return self._body(operation, prop, samples, depth + 1) or {}
        if kind == "integer":
            return int(value) if value and value.isdigit() else max(prop.get("minimum", 1), 1)
        if kind == "boolean":
            return False
        if "enum" in prop:
            return prop["enum"][0]
        return value if value is not None else "walk" + "x" * max(0, prop.get("minLength", 0) - 4)

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, object]:
        detail = operation.detail
        path = {name: self._value(operation, name, samples) or "walk" for name in detail["path"]}
        query = {name: value for name in detail["query"] if (value := self._value(operation, name, samples))}
        body = self._body(operation, detail["body"], samples) if detail["body"] else None
        return {"path": path, "query": query, "body": body}

    def hostile_arguments(self, operation: Operation, samples: Mapping[str, str]
                          ) -> Iterator[tuple[str, dict[str, object]]]:
        base = self.arguments(operation, samples)
        values = (NUL, *NON_ASCII_DIGITS)
        for name in operation.detail["path"]:
            for value in values:
                yield f"path {name}={value!r}", {**base, "path": {**base["path"], name: value}}
        for name in operation.detail["query"]:
            for value in values:
                yield f"query {name}={value!r}", {**base, "query": {**base["query"], name: value}}
        for name, prop in operation.detail["body"].get("properties", {}).items():
            prop = _resolve(_schema(), prop)
            for value in values:
                hostile: object = [value] if prop.get("type") == "array" else value
                yield f"body {name}={value!r}", {**base, "body": {**(base["body"] or {}), name: hostile}}

    # --- calls -----------------------------------------------------------------------------------------
    def call(self, operation: Operation, arguments: Mapping[str, object], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        detail = operation.detail
        path = detail["template"]
        for name, value in arguments["path"].items():
            path = path.replace("{" + name + "}", quote(str(value), safe=":/@=+,"))
        if arguments["query"]:
            path += "?" + urlencode(arguments["query"])
        method = detail["method"].upper()
        body = arguments["body"]
        if caller is None or credentials is Credentials.UNSIGNED:
            data = json.dumps(body) if body is not None else ""
            response = self.client(("anonymous",), Client).generic(method, path, data=data,
                                                                   content_type="application/json")
        else:
            secret = "w" * 40 if credentials is Credentials.WRONG_SECRET else caller.secret_access_key
            service = "s3" if credentials is Credentials.WRONG_SCOPE else "iam"
            client = self.client((caller.access_key_id, secret, service),
                                 lambda: SignedClient(caller.access_key_id, secret, service=service))
            response = client.request(method, path, body if body is not None or method in ("POST", "PUT", "PATCH")
                                      else None)
        return _answer(response)


def _answer(response) -> Answer:
    if not response.get("Content-Type", "").startswith("application/json"):
        # Only successes may be something else than JSON (204, a CSV report, the docs page).
        return Answer(response.status_code, None, response.content[:200].decode(errors="replace"),
                      well_formed=response.status_code < 400)
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return Answer(response.status_code, None, "", well_formed=False)
    error = body.get("error") if isinstance(body, dict) else None
    if response.status_code >= 400:
        good = isinstance(error, dict) and bool(error.get("code")) and isinstance(error.get("message"), str)
        return Answer(response.status_code, error.get("code") if isinstance(error, dict) else None,
                      str(error.get("message", "")) if isinstance(error, dict) else "", well_formed=good)
    return Answer(response.status_code, None)
