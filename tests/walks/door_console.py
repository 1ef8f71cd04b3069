"""The browser console in the walks: every page of its URL map, read (GET) and sent (POST), with the fields of
every form each page offers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404

from tests.test_url_security import PORTAL_SIGN_IN, PUBLIC_ROUTE_NAMES, Route
from tests.walks.door_rest import url_patterns
from tests.walks.doors import NON_ASCII_DIGITS, NUL, Answer, Credentials, Door, Identity, Operation, register
from tests.walks.entities import PLAUSIBLE

# Pages about the signed-in user's own session and credentials: open to a caller with no policy.
SELF_SERVICE = {"console:dashboard", "console:my-credentials", "console:my-mfa", "console:mfa-enrol",
                "console:change-password", "console:switch-role", "console:switch-role-back",
                "console:switch-role-credentials", "console:sign-in-mfa", "console:sign-out", "console:search"}
# Forms whose submission would end the walking session itself.
SESSION_ENDING = {"console:sign-out", "console:switch-role-back"}
# Path parameters of console routes, and the kind of entity each names (`name` is a user's or a group's, by route).
_PATH_KINDS = {"user_name": "user", "group_name": "group", "role_name": "role", "policy_arn": "policy_arn",
               "policy_name": "inline_policy", "service_prefix": "service", "arn": "oidc_arn", "account": "account"}
_ERROR_CODE = re.compile(r'<div class="alert error" role="alert">\s*<p><strong>(\w+)</strong>')
_SCOPED = ("AWS4-HMAC-SHA256 Credential=AKIAAAAAAAAAAAAAAAAA/20240101/us-east-1/{}/aws4_request, "
           "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)


class _Forms(HTMLParser):
    """The POST forms of a page, (action, {field: default value}), and its links to its own sections (?tab=…)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.sections: list[str] = []
        self._current: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href", "").startswith("?") and values["href"] not in self.sections:
            self.sections.append(values["href"])
        if tag == "form" and values.get("method", "get").lower() == "post":
            self._current = {}
            self.forms.append((values.get("action", ""), self._current))
        elif self._current is None or not values.get("name"):
            return
        elif tag == "input" and values.get("type") not in ("submit", "button", "file"):
            if values.get("type") in ("checkbox", "radio") and "checked" not in values:
                self._current.setdefault(values["name"], "")
            else:
                self._current[values["name"]] = values.get("value", "")
        elif tag == "button" and values.get("type", "submit") == "submit":
            self._current.setdefault(values["name"], values.get("value", ""))  # the first button's, as if pressed
        elif tag == "select":
            self._select = values["name"]
            self._current[self._select] = ""
        elif tag == "option" and self._select and not self._current.get(self._select):
            self._current[self._select] = values.get("value", "")
        elif tag == "textarea":
            self._textarea = values["name"]
            self._current[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._textarea:
            self._current[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@register
class ConsoleDoor(Door):
    name = "console"
    packages = ("iam_console.console",)

    def __init__(self) -> None:
        super().__init__()
        self._sessions: dict[Identity, Client] = {}
        self._walker: Client | None = None
        self._seen_forms: set[tuple[str, tuple[str, ...]]] = set()

    def operations(self) -> list[Operation]:
        found = []
        for template, pattern, name in url_patterns():
            view = getattr(pattern.callback, "view_class", None)
            if not name.startswith("console:") or view is None:
                continue
            route = Route(template, name)
            public = route.name in PUBLIC_ROUTE_NAMES
            for method in ("GET", "POST"):
                if not hasattr(view, method.lower()):
                    continue
                found.append(Operation(door=self.name, name=f"{method} {route.name}",
                                       parameters=tuple(a or b for a, b in re.findall(
                                           r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", template)),
                                       public=public, self_service=route.name in SELF_SERVICE,
                                       detail={"route": route, "method": method}))
        return found

    def _path(self, operation: Operation, samples: Mapping[str, str]) -> str:
        route = operation.detail["route"]
        kinds = dict(_PATH_KINDS, name="user" if route.name.startswith("console:user-") else "group")
        values = {name: samples[kind] for name, kind in kinds.items()}
        return route.fill(values)

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, str]:
        fields = {name: value for name, value in PLAUSIBLE.items() if len(value) < 200}
        fields.update({"user_name": samples["user"], "group_name": samples["group"], "role_name": samples["role"],
                       "policy_arn": samples["policy_arn"], "access_key_id": samples["access_key"],
                       "serial_number": samples["mfa_serial"], "confirm_name": samples["user"],
                       "account": samples["account"],
                       "action": "delete", "policy_document": PLAUSIBLE["policydocument"]})
        return {"__path__": self._path(operation, samples), **fields}

    def hostile_arguments(self, operation: Operation, samples: Mapping[str, str]
                          ) -> Iterator[tuple[str, dict[str, str]]]:
        """A page's query string made hostile; then each form the page offers (wherever it posts to), sent back
        with one field at a time made hostile. Forms are found by reading the pages, as a browser finds them."""
        path = self._path(operation, samples)
        if operation.detail["method"] == "GET":
            for value in (NUL, *NON_ASCII_DIGITS):
                yield f"?q={value!r}", {"__path__": f"{path}?q={value}&marker={value}"}
        for action, fields in self._forms_of(path):
            target = action or path
            seen = (urlsplit(target).path, tuple(sorted(fields)))
            if _route_name(target) in SESSION_ENDING or seen in self._seen_forms:
                continue  # the sign-out form would end the walk; a form on many pages is walked once
            self._seen_forms.add(seen)
            for name in fields:
                if name == "csrfmiddlewaretoken":
                    continue
                for value in (NUL, *NON_ASCII_DIGITS):
                    yield f"form {seen[0]} {name}={value!r}", {"__path__": target, "__method__": "POST", **fields,
                                                                name: value}

    def _forms_of(self, path: str) -> list[tuple[str, dict[str, str]]]:
        """The forms of a page and of its sections (its tabs), as the walking session sees them."""
        assert self._walker is not None, "begin() opens the session the forms are read with"
        page = _Forms()
        page.feed(self._walker.get(path).content.decode(errors="replace"))
        forms = list(page.forms)
        for section in page.sections:
            inner = _Forms()
            inner.feed(self._walker.get(urlsplit(path).path + section).content.decode(errors="replace"))
            forms += [(action or urlsplit(path).path, fields) for action, fields in inner.forms]
        return forms

    def begin(self, caller: Identity) -> None:
        """Sign `caller` in (outside the walk's rolled-back requests, which would take the session with them)."""
        client = Client()
        response = client.post("/sign-in/", {"account": caller.account, "user_name": caller.user_name,
                                             "password": caller.password})
        assert response.status_code == 302, f"{caller.user_name} could not sign in: {response.status_code}"
        self._sessions = {caller: client}
        self._walker = client
        self._seen_forms = set()

    def _client(self, caller: Identity) -> Client:
        assert caller in self._sessions, "begin(caller) signs the caller in first"
        return self._sessions[caller]

    def call(self, operation: Operation, arguments: Mapping[str, str], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        fields = dict(arguments)
        path = fields.pop("__path__")
        method = fields.pop("__method__", operation.detail["method"])
        extra = {}
        if caller is not None and credentials is Credentials.SIGNED:
            client = self._client(caller)
        else:
            client = self.client(("anonymous",), Client)
            if credentials in (Credentials.WRONG_SCOPE, Credentials.WRONG_SECRET):
                scope = "s3" if credentials is Credentials.WRONG_SCOPE else "iam"
                extra = {"HTTP_AUTHORIZATION": _SCOPED.format(scope), "HTTP_X_AMZ_DATE": "20240101T000000Z"}
        if method == "GET":
            response = client.get(path, **extra)
        else:
            response = client.post(path, fields, **extra)
        body = response.content.decode(errors="replace") if response.status_code != 302 else ""
        found = _ERROR_CODE.search(body)
        return Answer(response.status_code, found.group(1) if found else None, well_formed=True,
                      location=response.get("Location", ""))

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        # The access portal's pages send a browser without a portal session to the portal's own sign-in.
        signing_in = urlsplit(answer.location).path in ("/sign-in/", PORTAL_SIGN_IN)
        return (answer.status == 302 and signing_in) or answer.status in (401, 403)

    def is_access_denied(self, answer: Answer) -> bool:
        return answer.status == 403 and answer.code == "AccessDenied"


def _route_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name or ""

