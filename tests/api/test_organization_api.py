"""The organization through the REST API: the same services as the Organizations API, in the REST contract."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

DENY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser",
                                                           "Resource": "*"}]})


def test_the_organization_is_managed_through_the_rest_api(root_api):
    assert root_api.get("/api/v1/organization/").json()["error"]["code"] == "AWSOrganizationsNotInUseException"
    made = root_api.post("/api/v1/organization/")
    assert made.status_code == 201, made.content
    org = made.json()["organization"]
    assert org["id"].startswith("o-") and org["management_account_id"] == "123456789012"
    root = org["root_id"]
    unit = root_api.post("/api/v1/organization/units/", {"parent_id": root, "name": "Workloads"})
    assert unit.status_code == 201, unit.content
    unit_id = unit.json()["organizational_unit"]["id"]
    assert root_api.post("/api/v1/organization/units/", {"parent_id": root, "name": "Workloads"}).json()[
        "error"]["code"] == "DuplicateOrganizationalUnitException"
    listed = root_api.get(f"/api/v1/organization/units/?parent_id={root}").json()
    assert [item["id"] for item in listed["organizational_units"]] == [unit_id] and listed["is_truncated"] is False
    status = root_api.post("/api/v1/organization/accounts/", {"email": "team@example.com", "account_name": "Team"})
    assert status.status_code == 201, status.content
    account_id = status.json()["create_account_status"]["account_id"]
    moved = root_api.post(f"/api/v1/organization/accounts/{account_id}/move/",
                          {"source_parent_id": root, "destination_parent_id": unit_id})
    assert moved.json()["account"]["parent_id"] == unit_id
    assert [a["id"] for a in root_api.get(f"/api/v1/organization/accounts/?parent_id={unit_id}").json()[
        "accounts"]] == [account_id]
    assert root_api.put(f"/api/v1/organization/roots/{root}/policy-types/SERVICE_CONTROL_POLICY/").json()[
        "organization"]["enabled_policy_types"] == ["SERVICE_CONTROL_POLICY"]
    policy = root_api.post("/api/v1/organization/policies/", {"name": "NoUsers", "type": "SERVICE_CONTROL_POLICY",
                                                              "content": DENY})
    assert policy.status_code == 201, policy.content
    policy_id = policy.json()["policy"]["id"]
    assert root_api.post(f"/api/v1/organization/policies/{policy_id}/targets/",
                         {"target_id": unit_id}).status_code == 204
    targets = root_api.get(f"/api/v1/organization/policies/{policy_id}/targets/").json()["targets"]
    assert targets == [{"target_id": unit_id, "arn": targets[0]["arn"], "type": "ORGANIZATIONAL_UNIT"}]
    attached = root_api.get(f"/api/v1/organization/policies/?type=SERVICE_CONTROL_POLICY&target_id={unit_id}")
    assert sorted(p["id"] for p in attached.json()["policies"]) == sorted(["p-FullAWSAccess", policy_id])
    refused = root_api.delete(f"/api/v1/organization/policies/p-FullAWSAccess/targets/{root}/")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "ConstraintViolationException"
    assert root_api.delete(f"/api/v1/organization/policies/{policy_id}/targets/{unit_id}/").status_code == 204
    assert root_api.delete(f"/api/v1/organization/units/{unit_id}/").json()["error"]["code"] == \
        "OrganizationalUnitNotEmptyException"
    closed = root_api.post(f"/api/v1/organization/accounts/{account_id}/close/")
    assert closed.json()["account"]["status"] == "PENDING_CLOSURE"
