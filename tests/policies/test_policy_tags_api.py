"""Policy tags through the REST API: the same services, rules and audit as TagPolicy through the Query API."""

from __future__ import annotations

import json

import pytest

from audit.models import AuditEvent

DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                               "Resource": "*"}]})


@pytest.mark.django_db
def test_tags_on_create_then_tag_list_and_untag(root_api):
    created = root_api.post("/api/v1/policies/", {"policy_name": "tagged", "policy_document": DOCUMENT,
                                                  "tags": [{"key": "owner", "value": "ops"}]})
    assert created.status_code == 201
    arn = created.json()["policy"]["arn"]
    url = f"/api/v1/policies/{arn}/tags/"
    assert root_api.get(url).json()["tags"] == [{"key": "owner", "value": "ops"}]
    tagged = root_api.post(url, {"tags": [{"key": "env", "value": "dev"}, {"key": "OWNER", "value": "sec"}]})
    assert tagged.status_code == 200
    assert tagged.json()["tags"] == [{"key": "env", "value": "dev"}, {"key": "OWNER", "value": "sec"}]
    assert root_api.request("DELETE", url, {"tag_keys": ["owner"]}).status_code == 204
    assert root_api.get(url).json()["tags"] == [{"key": "env", "value": "dev"}]
    assert AuditEvent.objects.filter(event_name__in=["TagPolicy", "UntagPolicy"], outcome="Success").count() == 2


@pytest.mark.django_db
def test_tag_errors_are_iam_errors(root_api, user_api):
    arn = root_api.post("/api/v1/policies/", {"policy_name": "p", "policy_document": DOCUMENT}).json()["policy"]["arn"]
    reserved = root_api.post(f"/api/v1/policies/{arn}/tags/", {"tags": [{"key": "aws:x", "value": "v"}]})
    assert (reserved.status_code, reserved.json()["error"]["code"]) == (400, "InvalidInput")
    missing = root_api.get("/api/v1/policies/arn:aws:iam::123456789012:policy/none/tags/")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "NoSuchEntity")
    shipped = root_api.post("/api/v1/policies/arn:aws:iam::aws:policy/AdministratorAccess/tags/",
                            {"tags": [{"key": "k", "value": "v"}]})
    assert shipped.json()["error"]["code"] == "UnmodifiableEntity"
    _, alice = user_api("alice")
    denied = alice.post(f"/api/v1/policies/{arn}/tags/", {"tags": [{"key": "k", "value": "v"}]})
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "AccessDenied")
