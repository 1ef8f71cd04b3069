"""Hostile input never produces a 500 and never half-writes: NUL bytes, deep JSON, huge bodies, non-string names.

Each is refused with a 4xx carrying an IAM error code (JSON under /api/, the console's error page elsewhere), and
a refused IAM operation still leaves its audit event.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.models import Group, User
from directory.services import groups
from tests.test_url_security import GUARDED

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NUL = "nul%00name"
API_ROUTES = [route for route in GUARDED if route.template.lstrip("^").startswith("api/")]
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


@pytest.fixture
def samples(make_user, root_caller) -> dict[str, str]:
    victim = make_user("victim", password="Victim-Passw0rd!", access_key=True)
    groups.create_group(caller=root_caller, group_name="victims")
    return {"user_name": victim.user_name, "group_name": "victims", "access_key_id": victim.test_access_key[0],
            "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "version_id": "v1",
            "role_name": "nobody", "policy_name": "inline"}


def assert_iam_error(response, status: int | None = None) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]["code"]


def test_a_nul_in_any_path_parameter_of_any_api_route_is_a_4xx(samples, root_api):
    failures, tried = [], 0
    for route in API_ROUTES:
        names = [a or b for a, b in PARAMETER.findall(route.template)]
        for name in names:
            path = route.fill({**samples, name: NUL})
            for method in METHODS:
                response = root_api.request(method, path, {} if method != "GET" else None)
                tried += 1
                if response.status_code >= 500 or response["Content-Type"] != "application/json":
                    failures.append((method, path, response.status_code))
    assert failures == []
    assert tried >= 200


def test_a_nul_in_a_json_name_is_refused_audited_and_writes_nothing(root_api, root):
    response = root_api.post("/api/v1/users/", {"user_name": "bad\u0000name"})
    assert assert_iam_error(response, 400) == "ValidationError"
    assert not User.objects.filter(user_name__startswith="bad").exists()
    event = AuditEvent.objects.get(event_name="CreateUser")
    assert event.error_code == "ValidationError" and event.request_parameters["user_name"] == "bad\ufffdname"


@pytest.mark.parametrize("query", ["marker=%00", "path_prefix=%00", "marker=" + base64.urlsafe_b64encode(
    json.dumps({"after": "a\u0000b"}).encode()).decode(), "marker=" + base64.urlsafe_b64encode(
    ("[" * 5000 + "]" * 5000).encode()).decode()])
def test_hostile_list_queries_are_a_4xx(root_api, query):
    for path in ("/api/v1/users/", "/api/v1/groups/", "/api/v1/roles/", "/api/v1/policies/"):
        assert_iam_error(root_api.get(f"{path}?{query}"))


def send_raw(api, method: str, path: str, body: bytes):
    headers = api.signed_headers(method, path, body, "application/json")
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name.lower() not in {"content-type", "host"}}
    return api.client.generic(method, path, data=body, content_type="application/json", HTTP_HOST=api.host, **extra)


def test_json_nested_a_thousand_deep_is_refused_at_the_parser(root_api):
    body = b'{"user_name": "deep", "tags": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = send_raw(root_api, "POST", "/api/v1/users/", body)
    assert assert_iam_error(response, 400) == "ValidationError"
    assert not User.objects.filter(user_name="deep").exists()
    # Deep, but inside a string, is only text.
    assert send_raw(root_api, "POST", "/api/v1/users/", b'{"user_name": "' + b"[" * 1000 + b'"}').status_code == 400


def test_a_ten_megabyte_body_gets_the_api_json_error(root_api):
    response = root_api.post("/api/v1/users/", {"user_name": "big", "path": "/" + "a" * 10_000_000 + "/"})
    assert assert_iam_error(response, 413) == "ValidationError"
    assert not User.objects.filter(user_name="big").exists()


def test_a_ten_megabyte_console_form_gets_the_console_error_page(root):
    response = Client().post("/sign-in/", {"user_name": "x" * 10_000_000, "password": "y"})
    assert response.status_code == 413 and b"Request refused" in response.content


@pytest.mark.parametrize("body", [{"group_name": 0}, {"group_name": True}, {"group_name": ["g"]},
                                  {"group_name": {"a": "b"}}, {"group_name": None}])
def test_a_non_string_name_is_refused_not_coerced(root_api, body):
    assert assert_iam_error(root_api.post("/api/v1/groups/", body), 400) == "ValidationError"
    assert not Group.objects.exists()


def signed_in_root(client: Client) -> Client:
    from tests.conftest import ROOT_PASSWORD

    assert client.post("/sign-in/", {"user_name": "root", "password": ROOT_PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/users/?q=%00", "/groups/?q=%00", "/roles/?q=%00", "/policies/?q=%00",
                                  "/users/nul%00name/", "/groups/nul%00name/", "/roles/nul%00name/",
                                  "/users/?marker=%00", "/audit/?user=%00"])
def test_console_pages_answer_a_nul_with_a_4xx_page(root, path):
    response = signed_in_root(Client()).get(path)
    assert 400 <= response.status_code < 500 or response.status_code in (200, 302), response.status_code


def test_a_console_operation_with_a_nul_is_refused_and_still_audited(root):
    client = signed_in_root(Client())
    response = client.post("/my/mfa/", {"action": "delete", "serial_number": "arn:aws:iam::123456789012:mfa/a\u0000"})
    assert response.status_code < 500
    event = AuditEvent.objects.get(event_name="DeleteVirtualMFADevice")
    assert event.error_code == "ValidationError" and "\ufffd" in event.request_parameters["serial_number"]


def test_a_console_form_with_a_nul_is_refused(root):
    response = signed_in_root(Client()).post("/groups/create/", {"group_name": "bad\u0000group", "path": "/"})
    assert response.status_code == 400
    assert not Group.objects.exists()
