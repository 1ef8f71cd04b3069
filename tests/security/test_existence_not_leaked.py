"""A caller who may not read learns nothing about which names exist: unknown and existing entities answer alike.

AWS authorizes against the resource's ARN before it looks the entity up, so a caller with no permission gets
AccessDenied for a user that exists and for one that does not. Every API route is walked with both.
"""

from __future__ import annotations

import json

import pytest

from directory.services import groups, roles
from tests.test_url_security import GUARDED, SELF_SERVICE_ROUTE_NAMES

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]})
API_ROUTES = [route for route in GUARDED if route.template.lstrip("^").startswith("api/")
              and route.name not in SELF_SERVICE_ROUTE_NAMES]


@pytest.fixture
def existing(make_user, root_caller, root_api) -> dict[str, str]:
    victim = make_user("victim", password="Victim-Passw0rd!", access_key=True)
    groups.create_group(caller=root_caller, group_name="victims")
    roles.create_role(caller=root_caller, role_name="victim-role", assume_role_policy_document=TRUST)
    created = root_api.post("/api/v1/policies/", {"policy_name": "victim-policy", "policy_document": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})})
    assert created.status_code == 201
    return {"user_name": victim.user_name, "group_name": "victims", "role_name": "victim-role",
            "access_key_id": victim.test_access_key[0], "policy_name": "inline",
            "policy_arn": "arn:aws:iam::123456789012:policy/victim-policy", "version_id": "v1"}


UNKNOWN = {"user_name": "nobody-here", "group_name": "no-such-group", "role_name": "no-such-role",
           "access_key_id": "AKIAAAAAAAAAAAAAAAAA", "policy_name": "inline",
           "policy_arn": "arn:aws:iam::123456789012:policy/no-such-policy", "version_id": "v1"}


def test_a_caller_with_no_permission_cannot_tell_existing_entities_from_unknown_ones(existing, user_api):
    _, api = user_api("nobody")
    differences, denied = {}, 0
    for route in API_ROUTES:
        for method in METHODS:
            answers = []
            for samples in (existing, UNKNOWN):
                response = api.request(method, route.fill(samples), {} if method != "GET" else None)
                body = response.json() if response["Content-Type"] == "application/json" else {}
                answers.append((response.status_code, body.get("error", {}).get("code")))
            if answers[0] != answers[1]:
                differences[f"{method} {route.template}"] = answers
            denied += answers[0] == (403, "AccessDenied")
    assert differences == {}
    assert denied >= 40  # the walk reached authorization, not just validation


@pytest.mark.parametrize("path", ["/api/v1/users/{user_name}/", "/api/v1/groups/{group_name}/",
                                  "/api/v1/roles/{role_name}/", "/api/v1/policies/{policy_arn}/"])
def test_get_of_an_unknown_entity_is_access_denied_like_an_existing_one(path, existing, user_api):
    _, api = user_api("nobody")
    for samples in (existing, UNKNOWN):
        response = api.get(path.format(**samples))
        assert (response.status_code, response.json()["error"]["code"]) == (403, "AccessDenied")


def test_a_caller_who_may_read_still_learns_that_an_entity_does_not_exist(user_api):
    _, api = user_api("reader", policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    response = api.get("/api/v1/users/nobody-here/")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NoSuchEntity")
