"""REST API of the custom policy checks: AWS's verdict, and the counterexample whole."""

from __future__ import annotations

import pytest

from tests.policies.conftest import allow

pytestmark = pytest.mark.django_db

READ = {"Version": "2012-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::reports/*")]}
READ_WRITE = {"Version": "2012-10-17", "Statement": [allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*")]}


def test_no_new_access_answers_the_counterexample(root_api):
    response = root_api.post("/api/v1/policy-checks/no-new-access",
                             {"new_policy_document": READ_WRITE, "existing_policy_document": READ})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == "FAIL"
    assert body["counterexample"]["action"] == "s3:PutObject"
    assert body["counterexample"]["resource"].startswith("arn:aws:s3:::reports/")
    assert body["reasons"][0]["statement_index"] == 0


def test_no_new_access_passes_without_a_counterexample(root_api):
    body = root_api.post("/api/v1/policy-checks/no-new-access",
                         {"new_policy_document": READ, "existing_policy_document": READ_WRITE}).json()
    assert body == {"result": "PASS", "message": "The modified permissions do not grant new access compared to "
                                                 "your existing policy.", "reasons": [], "counterexample": None}


def test_access_not_granted_and_no_public_access(root_api):
    body = root_api.post("/api/v1/policy-checks/access-not-granted",
                         {"policy_document": READ, "access": {"actions": ["s3:PutObject"]}}).json()
    assert body["result"] == "PASS"
    public = {"Version": "2012-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::site/*", Principal="*")]}
    body = root_api.post("/api/v1/policy-checks/no-public-access",
                         {"policy_document": public, "resource_type": "AWS::S3::Bucket"}).json()
    assert body["result"] == "FAIL" and body["counterexample"]["principal"] is not None


def test_errors_carry_access_analyzer_codes(root_api):
    response = root_api.post("/api/v1/policy-checks/no-new-access",
                             {"new_policy_document": "{nope", "existing_policy_document": READ})
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidParameterException"
    response = root_api.post("/api/v1/policy-checks/access-not-granted", {"policy_document": READ, "access": {}})
    assert response.status_code == 400 and response.json()["error"]["code"] == "ValidationException"


def test_a_caller_without_permission_is_refused(user_api):
    _, client = user_api("nobody")
    response = client.post("/api/v1/policy-checks/no-new-access",
                           {"new_policy_document": READ, "existing_policy_document": READ})
    assert response.status_code == 403 and response.json()["error"]["code"] == "AccessDenied"
