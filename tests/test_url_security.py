"""Every route refuses an anonymous caller and a signed caller with no permission: the whole URLconf, walked.

Routes added later are covered with no change here; only the explicit allow-list below is public.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

pytestmark = pytest.mark.django_db

# Public by design: health, the API's schema and docs, signing in, and static assets.
PUBLIC_ROUTE_NAMES = {"health", "api-schema", "api-docs", "console:sign-in", "console:account-sign-in",
                      # Unsigned, as in AWS: the identity provider's token or assertion is the credential.
                      "api-sts-assume-role-with-web-identity", "api-sts-assume-role-with-saml",
                      # Signing in through a company IdP: the IdP's signed answer is what admits the person.
                      "console:federated-start", "console:federated-callback", "console:federated-roles",
                      "console:saml-acs", "console:portal-saml-acs",
                      # The access portal's sign-in, a person's one-time invitation, and signing out of the portal
                      # (which ends only this browser's own portal session).
                      "console:portal", "console:portal-invitation", "console:portal-sign-out"}
# Routes of the access portal: without a portal session they send the browser to the portal's own sign-in.
PORTAL_SIGN_IN = "/start/"
PUBLIC_PREFIXES = ("static/",)
# Self-service routes that act only on the caller: a 2xx is allowed, provided nothing of another user leaks.
SELF_SERVICE_ROUTE_NAMES = {"api-me", "api-me-access-keys", "api-me-access-key", "api-me-password",
                            "api-password-policy",
                            # GetCallerIdentity needs no permission, as in AWS: it only tells callers who they are.
                            "api-sts-caller-identity"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "api/v1/users/<str:user_name>/"
    name: str  # "namespace:name", or "" when unnamed

    def fill(self, samples: dict[str, str]) -> str:
        def sample(match: re.Match) -> str:
            converter, name = match.group("converter") or "str", match.group("name")
            if name in samples:
                return samples[name]
            return {"int": "1", "uuid": "00000000-0000-0000-0000-000000000000", "path": "sample/path"}.get(
                converter, "sample")

        path = _fill_regex_groups(self.template, samples)
        path = re.sub(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>", sample, path)
        # What is left of a regular-expression route: anchors and escapes go, wildcards take a sample.
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        path = re.sub(r"\.\*|\.\+", "sample", path)
        return "/" + path


def _fill_regex_groups(pattern: str, samples: dict[str, str]) -> str:
    """Replace each (?P<name>...) group, however nested, by the sample for its name."""
    out, index = [], 0
    while (start := pattern.find("(?P<", index)) != -1:
        name = pattern[start + 4:pattern.index(">", start)]
        depth, end = 0, start
        while end < len(pattern):
            if pattern[end] == "\\":
                end += 2
                continue
            depth += {"(": 1, ")": -1}.get(pattern[end], 0)
            end += 1
            if depth == 0:
                break
        out += [pattern[index:start], samples.get(name, "sample")]
        index = end
    return "".join(out) + pattern[index:]


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield Route(prefix + str(entry.pattern), name)


ROUTES = list(walk())
GUARDED = [route for route in ROUTES if route.name not in PUBLIC_ROUTE_NAMES
           and not route.template.lstrip("^").startswith(PUBLIC_PREFIXES)]


def sign_in_path() -> str:
    try:
        return reverse("console:sign-in")
    except NoReverseMatch:
        return "/sign-in/"


def is_api(path: str) -> bool:
    return path.startswith("/api/")


@pytest.fixture
def victim(make_user, root_caller):
    from directory.services import groups

    user = make_user("victim", password="Victim-Passw0rd!", access_key=True)
    groups.create_group(caller=root_caller, group_name="victims")
    groups.add_user_to_group(caller=root_caller, group_name="victims", user_name="victim")
    return user


@pytest.fixture
def samples(victim) -> dict[str, str]:
    return {"user_name": victim.user_name, "group_name": "victims", "access_key_id": victim.test_access_key[0],
            "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "version_id": "v1",
            "arn": "arn:aws:iam::123456789012:oidc-provider/idp.example.com"}


def test_the_walk_finds_the_routes_it_must_guard():
    templates = {route.template for route in GUARDED}
    assert "api/v1/users/" in templates
    assert "api/v1/users/<str:user_name>/access-keys/<str:access_key_id>/" in templates
    assert len(GUARDED) >= 20


def test_every_route_refuses_an_anonymous_caller(samples):
    client, sign_in, failures = Client(), sign_in_path(), []
    for route in GUARDED:
        path = route.fill(samples)
        for method in METHODS:
            response = client.generic(method, path)
            if is_api(path):
                refused = response.status_code == 403 and response["Content-Type"] == "application/json" \
                    and response.json()["error"]["code"] == "MissingAuthenticationToken"
            else:
                location = response.get("Location", "")
                portal = route.name.startswith("console:portal") and location.split("?")[0] == PORTAL_SIGN_IN
                refused = (response.status_code == 302 and (location.startswith(sign_in) or portal)) or \
                    response.status_code in (401, 403, 405)
            # A client that has presented wrong secrets is throttled before anything else: that is a refusal too.
            refused = refused or (response.status_code == 429 and response.has_header("Retry-After"))
            if not refused:
                failures.append(f"{method} {path} ({route.name}) -> {response.status_code}")
    assert failures == [], "\n".join(failures)


def test_every_route_refuses_a_signed_caller_with_no_permission(samples, victim, user_api):
    _, api = user_api("nobody")
    sign_in, failures = sign_in_path(), []
    for route in GUARDED:
        path = route.fill(samples)
        for method in METHODS:
            response = api.request(method, path, {} if method in ("POST", "PUT", "PATCH") else None)
            body = response.content.decode(errors="replace")
            status = response.status_code
            if is_api(path):
                allowed_2xx = route.name in SELF_SERVICE_ROUTE_NAMES
                refused = status in (400, 403, 404, 405) or (allowed_2xx and status < 300)
                if status == 403:
                    refused = response.json()["error"]["code"] == "AccessDenied"
            else:
                location = response.get("Location", "")
                portal = route.name.startswith("console:portal") and location.split("?")[0] == PORTAL_SIGN_IN
                refused = (status == 302 and (location.startswith(sign_in) or portal)) or \
                    status in (401, 403, 404, 405)
            refused = refused or (status == 429 and response.has_header("Retry-After"))
            if not refused or victim.user_id in body or status >= 500:
                failures.append(f"{method} {path} ({route.name}) -> {status}")
    assert failures == [], "\n".join(failures)


def test_public_routes_are_only_the_allow_listed_ones():
    public = {route.name for route in ROUTES if route.name in PUBLIC_ROUTE_NAMES}
    assert public <= PUBLIC_ROUTE_NAMES


# A bag of plausible form fields, so that a POST reaches the service instead of stopping at form validation.
FORM_FIELDS = {"confirm_name": "victim", "action": "delete", "user_name": "victim", "group_name": "victims",
               "new_user_name": "renamed", "new_group_name": "renamed", "path": "/", "key": "team", "value": "x",
               "status": "Inactive", "access_key_id": "", "password_mode": "generate", "console_access": "on",
               "password": "Str0ng-Passw0rd-1!", "new_password": "Str0ng-Passw0rd-2!",
               "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "remove_dependents": "on"}


def test_every_console_route_refuses_a_signed_in_user_with_no_permission(samples, victim, make_user):
    """GET and POST every console page as a user with no policy: nothing leaks, nothing changes, nothing fails."""
    from audit.models import AuditEvent
    from directory.models import AccessKey, GroupMembership, User

    nobody = make_user("nobody", password="Nobody-Passw0rd!")
    client = Client()
    assert client.post(sign_in_path(), {"user_name": "nobody", "password": "Nobody-Passw0rd!"}).status_code == 302
    fields = {**FORM_FIELDS, "access_key_id": victim.test_access_key[0]}
    failures = []
    for route in GUARDED:
        path = route.fill(samples)
        if is_api(path) or route.name == "console:sign-out":  # signing out would end the walk's session
            continue
        for method in ("GET", "POST"):
            response = client.get(path) if method == "GET" else client.post(path, fields)
            if response.status_code >= 500 or victim.user_id in response.content.decode(errors="replace"):
                failures.append(f"{method} {path} ({route.name}) -> {response.status_code}")
    assert failures == [], "\n".join(failures)
    assert client.get("/").status_code == 200, "the walk must have run signed in throughout"
    assert User.objects.filter(user_name="victim", user_id=victim.user_id).exists()
    assert AccessKey.objects.filter(user=victim, status="Active").count() == 1
    assert GroupMembership.objects.filter(user=victim).count() == 1
    changed = AuditEvent.objects.filter(actor_arn=nobody.arn, outcome="Success").exclude(
        event_name__in=["ConsoleLogin", "ConsoleLogout"]).values_list("event_name", flat=True)
    assert list(changed) == []
