"""One operation, one audit record: the REST API and the Query API leave the same event for the same change."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from audit.models import AuditEvent
from tests.query.iam_clients import ALLOW_S3_READ, TRUST_ANYONE_IN_ACCOUNT

pytestmark = pytest.mark.django_db(transaction=True)


def _parameters(event_name: str) -> list[dict]:
    events = AuditEvent.objects.filter(event_name=event_name, outcome="Success").order_by("event_time", "id")
    return [(event.event_source, event.request_parameters) for event in events]


def test_policy_role_and_attachment_changes_are_audited_alike_through_both_doors(iam, root_api):
    assert root_api.post("/api/v1/policies/", {"policy_name": "rest-policy",
                                               "policy_document": ALLOW_S3_READ}).status_code == 201
    iam.create_policy(PolicyName="query-policy", PolicyDocument=ALLOW_S3_READ)
    assert root_api.post("/api/v1/roles/", {"role_name": "rest-role",
                                            "assume_role_policy_document": TRUST_ANYONE_IN_ACCOUNT}).status_code == 201
    iam.create_role(RoleName="query-role", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    arn = "arn:aws:iam::123456789012:policy/rest-policy"
    assert root_api.post("/api/v1/roles/rest-role/attached-policies/", {"policy_arn": arn}).status_code in (200, 204)
    iam.attach_role_policy(RoleName="query-role", PolicyArn=arn)

    (rest_source, rest), (query_source, query) = _parameters("CreatePolicy")
    assert rest_source == query_source == "iam.amazonaws.com"
    assert rest == {**query, "policy_name": "rest-policy"}
    rest, query = (parameters for _, parameters in _parameters("CreateRole"))
    assert rest == {**query, "role_name": "rest-role"}
    rest, query = (parameters for _, parameters in _parameters("AttachRolePolicy"))
    assert rest == {**query, "role_name": "rest-role"}


def test_a_refused_request_carrying_nul_characters_is_answered_and_still_audited(iam):
    iam.create_role(RoleName="target", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    with pytest.raises(ClientError) as refused:
        iam.tag_role(RoleName="target", Tags=[{"Key": "k", "Value": "bad\x00value"}])
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    event = AuditEvent.objects.get(event_name="TagRole", outcome="Failure")
    assert event.request_parameters["tags"] == [{"key": "k", "value": "bad\ufffdvalue"}]
