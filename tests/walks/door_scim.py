"""The SCIM door in the walks: every route of iam_console.scim's URL map, each method its view answers, with the
path, query and body parameters an identity provider sends.

A walk identity reaches SCIM only through a bearer token it issued itself (sso-directory:CreateBearerToken): the
root user can, a user with no policy and another account's administrator cannot, so their requests carry no
token and every one is refused with 401 — SCIM's "access denied" for a caller the door does not know."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlencode

from django.test import Client
from django.urls import URLPattern, URLResolver

from directory.models import AccessKey
from iam_console.callers import Caller
from iam_console.errors import IAMError
from iam_console.scim import urls as scim_urls
from identitystore.services import groups, users
from identitystore.services.scim_tokens import issue_scim_token
from tests.walks.doors import NON_ASCII_DIGITS, NUL, Answer, Credentials, Door, Identity, Operation, register

BASE = "/scim/v2/"
METHODS = ("get", "post", "put", "patch", "delete")
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _routes() -> Iterator[tuple[str, URLPattern]]:
    for entry in scim_urls.urlpatterns:
        if isinstance(entry, URLPattern):
            yield str(entry.pattern), entry
        elif isinstance(entry, URLResolver):  # pragma: no cover - the door's map is flat
            raise AssertionError("the SCIM door's URL map is flat")


def _template(route: str) -> tuple[str, tuple[str, ...]]:
    import re

    names = tuple(re.findall(r"\(\?P<(\w+)>", route))
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    return BASE + text.replace("^", "").replace("$", "").replace("/?", ""), names


@register
class SCIMDoor(Door):
    name = "scim"
    packages = ("iam_console.scim",)

    def __init__(self) -> None:
        super().__init__()
        self._bearer: str | None = None
        self._ids: dict[str, str] = {}

    def operations(self) -> list[Operation]:
        found = []
        for route, pattern in _routes():
            template, path = _template(route)
            view = pattern.callback.view_class
            resource = template.split("/")[3]
            for method in METHODS:
                if not hasattr(view, method):
                    continue
                query = ("filter", "startIndex", "count") if method == "get" and not path else ()
                body = ("userName", "displayName", "externalId") if method in ("post", "put") else \
                    ("value",) if method == "patch" else ()
                found.append(Operation(door=self.name, name=f"{method.upper()} {template}",
                                       parameters=path + query + body,
                                       detail={"template": template, "method": method, "path": path,
                                               "query": query, "body": body, "resource": resource}))
        return found

    def begin(self, caller: Identity) -> None:
        """Issue the caller's own bearer token, if its policies let it, and give the store a user and a group."""
        self._bearer, self._ids = None, {}
        key = AccessKey.objects.select_related("user").filter(access_key_id=caller.access_key_id).first()
        if key is None:
            return
        principal = Caller(principal=key.user)
        try:
            issued = issue_scim_token(caller=principal)
        except IAMError:
            return
        self._bearer = issued.bearer
        store = issued.token.store_id
        user = users.create_user(caller=principal, identity_store_id=store, user_name="walker@example.com")
        group = groups.create_group(caller=principal, identity_store_id=store, display_name="Walkers")
        self._ids = {"user_id": user.user_id, "group_id": group.group_id, "name": "User",
                     "schema_id": USER_SCHEMA}

    # --- arguments -------------------------------------------------------------------------------------
    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, object]:
        detail = operation.detail
        missing = f"{'0' * 10}-00000000-0000-0000-0000-000000000000"
        path = {name: self._ids.get(name, missing) for name in detail["path"]}
        query = {"filter": f'userName eq "{samples.get("user", "walker")}"'} if detail["query"] else {}
        return {"path": path, "query": query, "body": self._body(operation, {})}

    def _body(self, operation: Operation, overrides: Mapping[str, str]) -> object:
        method, resource = operation.detail["method"], operation.detail["resource"]
        if method == "patch":
            value = overrides.get("value", "Walked")
            path = "displayName"
            return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "path": path, "value": value}]}
        if method not in ("post", "put"):
            return None
        if resource == "Groups":
            return {"schemas": [GROUP_SCHEMA], "displayName": overrides.get("displayName", "Walked group"),
                    **({"externalId": overrides["externalId"]} if "externalId" in overrides else {})}
        return {"schemas": [USER_SCHEMA], "userName": overrides.get("userName", "walked@example.com"),
                "displayName": overrides.get("displayName", "Walked"),
                **({"externalId": overrides["externalId"]} if "externalId" in overrides else {})}

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
        for name in operation.detail["body"]:
            for value in values:
                yield f"body {name}={value!r}", {**base, "body": self._body(operation, {name: value})}

    # --- calls -----------------------------------------------------------------------------------------
    def call(self, operation: Operation, arguments: Mapping[str, object], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        detail = operation.detail
        path = detail["template"]
        for name, value in arguments["path"].items():
            path = path.replace("{" + name + "}", quote(str(value), safe=":"))
        if arguments["query"]:
            path += "?" + urlencode(arguments["query"])
        headers = {}
        if credentials is Credentials.SIGNED and self._bearer:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self._bearer}"
        elif credentials is Credentials.WRONG_SECRET:
            headers["HTTP_AUTHORIZATION"] = "Bearer scim-00000000-0000-0000-0000-000000000000.wrong"
        elif credentials is Credentials.WRONG_SCOPE and caller is not None:
            headers["HTTP_AUTHORIZATION"] = (f"AWS4-HMAC-SHA256 Credential={caller.access_key_id}/20260101/"
                                             "us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
        body = arguments["body"]
        response = self.client(("scim",), Client).generic(
            detail["method"].upper(), path, data=json.dumps(body) if body is not None else "",
            content_type="application/scim+json", **headers)
        return _answer(response)

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        # 401, or once the client has presented enough wrong tokens, 429: it backs off before any token is read.
        return answer.status in (401, 429) and answer.well_formed

    def is_access_denied(self, answer: Answer) -> bool:
        return answer.status in (401, 403) and answer.well_formed


def _answer(response) -> Answer:
    if response.status_code == 204 or (response.status_code < 400 and not response.content):
        return Answer(response.status_code, None)
    try:
        body = json.loads(response.content)
    except ValueError:
        return Answer(response.status_code, None, "", well_formed=False)
    if response.status_code >= 400:
        good = isinstance(body, dict) and body.get("schemas") == ["urn:ietf:params:scim:api:messages:2.0:Error"] \
            and body.get("status") == str(response.status_code) and isinstance(body.get("detail"), str) \
            and response.get("Content-Type", "").startswith("application/scim+json")
        return Answer(response.status_code, body.get("scimType") if isinstance(body, dict) else None,
                      str(body.get("detail", "")) if isinstance(body, dict) else "", well_formed=good)
    return Answer(response.status_code, None)
