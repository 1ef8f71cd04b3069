"""Policy generation over boto3's accessanalyzer client: a real Celery worker runs the job, the generated policy,
attached alone to another user, lets it repeat every request the principal was allowed and none it was refused;
AWS's errors for what AWS refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from tests.reports.conftest import wait_for
from tests.sts.conftest import role_arn, trust, user_arn

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def finished(analyzer, job_id: str, **extra) -> dict:
    def done():
        answer = analyzer.get_generated_policy(jobId=job_id, **extra)
        return answer if answer["jobDetails"]["status"] != "IN_PROGRESS" else None

    return wait_for(done)


def error_of(raised) -> tuple[int, str, dict]:
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response


def test_the_generated_policy_lets_another_user_repeat_exactly_what_was_allowed(aws, iam, make_user,
                                                                               start_worker):
    alice = make_user("alice", access_key=True, policies=(READ_ONLY,))
    as_alice = aws("iam", key=alice.test_access_key)
    allowed = [("list_users", {}), ("get_user", {"UserName": "alice"}), ("list_roles", {"MaxItems": 5})]
    refused = [("create_user", {"UserName": "mallory"}), ("delete_user", {"UserName": "alice"})]
    for name, arguments in allowed:
        getattr(as_alice, name)(**arguments)
    for name, arguments in refused:
        with pytest.raises(ClientError):
            getattr(as_alice, name)(**arguments)

    analyzer = aws("accessanalyzer")
    job_id = analyzer.start_policy_generation(policyGenerationDetails={"principalArn": alice.arn})["jobId"]
    start_worker()
    answer = finished(analyzer, job_id)
    assert answer["jobDetails"]["status"] == "SUCCEEDED"
    assert answer["jobDetails"]["completedOn"] >= answer["jobDetails"]["startedOn"]
    properties = answer["generatedPolicyResult"]["properties"]
    assert properties["principalArn"] == alice.arn and properties["isComplete"] is True
    [generated] = answer["generatedPolicyResult"]["generatedPolicies"]
    document = json.loads(generated["policy"])
    assert document["Statement"] == [{"Sid": "IamAccess", "Effect": "Allow", "Resource": "*",
                                      "Action": ["iam:GetUser", "iam:ListRoles", "iam:ListUsers"]}]

    # Saved as a managed policy and attached alone: the property, through the directory's own decisions.
    policy_arn = iam.create_policy(PolicyName="alice-generated", PolicyDocument=generated["policy"])["Policy"]["Arn"]
    carol = make_user("carol", access_key=True, policies=(policy_arn,))
    as_carol = aws("iam", key=carol.test_access_key)
    for name, arguments in allowed:
        getattr(as_carol, name)(**arguments)
    for name, arguments in refused:
        with pytest.raises(ClientError) as raised:
            getattr(as_carol, name)(**arguments)
        assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_a_roles_sessions_generate_the_roles_policy_and_lists_page(aws, iam, make_user, make_role, start_worker):
    bob = make_user("bob", access_key=True)
    make_role("reader", trust(user_arn("bob")), policies=(READ_ONLY,))
    credentials = aws("sts", key=bob.test_access_key).assume_role(
        RoleArn=role_arn("reader"), RoleSessionName="s1")["Credentials"]
    session = aws("iam", key=(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                              credentials["SessionToken"]))
    session.list_groups()

    analyzer = aws("accessanalyzer")
    now = datetime.now(UTC)
    details = {"trails": [{"cloudTrailArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
                           "allRegions": True}],
               "accessRole": "arn:aws:iam::123456789012:role/ignored", "startTime": now - timedelta(days=1)}
    role_job = analyzer.start_policy_generation(policyGenerationDetails={"principalArn": role_arn("reader")},
                                                cloudTrailDetails=details)["jobId"]
    bob_job = analyzer.start_policy_generation(policyGenerationDetails={"principalArn": bob.arn})["jobId"]
    start_worker()
    answer = finished(analyzer, role_job)
    statements = json.loads(answer["generatedPolicyResult"]["generatedPolicies"][0]["policy"])["Statement"]
    assert statements[0]["Action"] == ["iam:ListGroups"]
    trail = answer["generatedPolicyResult"]["properties"]["cloudTrailProperties"]
    assert trail["trailProperties"] == [{"cloudTrailArn": details["trails"][0]["cloudTrailArn"],
                                         "allRegions": True}]
    assert abs(trail["startTime"] - details["startTime"]) < timedelta(seconds=1)
    bob_answer = finished(analyzer, bob_job)
    bob_policy = json.loads(bob_answer["generatedPolicyResult"]["generatedPolicies"][0]["policy"])
    assert bob_policy["Statement"][0]["Action"] == ["sts:AssumeRole"]

    first = analyzer.list_policy_generations(maxResults=1)
    assert [item["jobId"] for item in first["policyGenerations"]] == [bob_job] and first["nextToken"]
    second = analyzer.list_policy_generations(maxResults=1, nextToken=first["nextToken"])
    assert [item["jobId"] for item in second["policyGenerations"]] == [role_job]
    assert second["policyGenerations"][0]["status"] == "SUCCEEDED" and "nextToken" not in second
    only = analyzer.list_policy_generations(principalArn=role_arn("reader"))["policyGenerations"]
    assert [(item["jobId"], item["principalArn"]) for item in only] == [(role_job, role_arn("reader"))]


def test_aws_errors_for_what_aws_refuses(aws, make_user, make_account):
    alice = make_user("alice")
    member = make_account("Other")
    member.make_user("carol")
    analyzer = aws("accessanalyzer")
    for arn in (f"arn:aws:iam::{member.id}:user/carol", user_arn("nobody")):
        with pytest.raises(ClientError) as raised:
            analyzer.start_policy_generation(policyGenerationDetails={"principalArn": arn})
        status, code, response = error_of(raised)
        assert (status, code, response["reason"]) == (400, "ValidationException", "fieldValidationFailed")
        assert response["fieldList"][0]["name"] == "policyGenerationDetails.principalArn"
    with pytest.raises(ClientError) as raised:
        analyzer.start_policy_generation(policyGenerationDetails={"principalArn": alice.arn}, cloudTrailDetails={
            "trails": [], "accessRole": role_arn("any"), "startTime": datetime.now(UTC) + timedelta(days=1)})
    assert error_of(raised)[:2] == (400, "ValidationException")

    job_id = analyzer.start_policy_generation(policyGenerationDetails={"principalArn": alice.arn},
                                              clientToken="once")["jobId"]
    assert analyzer.start_policy_generation(policyGenerationDetails={"principalArn": alice.arn},
                                            clientToken="once")["jobId"] == job_id
    with pytest.raises(ClientError) as raised:
        analyzer.start_policy_generation(policyGenerationDetails={"principalArn": alice.arn})
    status, code, response = error_of(raised)
    assert (status, code, response["resourceId"]) == (409, "ConflictException", alice.arn)
    in_progress = analyzer.get_generated_policy(jobId=job_id)
    assert in_progress["jobDetails"]["status"] == "IN_PROGRESS"
    assert in_progress["generatedPolicyResult"]["generatedPolicies"] == []

    analyzer.cancel_policy_generation(jobId=job_id)
    assert analyzer.get_generated_policy(jobId=job_id)["jobDetails"]["status"] == "CANCELED"
    with pytest.raises(ClientError) as raised:
        analyzer.get_generated_policy(jobId="00000000-0000-0000-0000-000000000000")
    assert error_of(raised)[:2] == (400, "ValidationException")


def test_a_caller_without_permission_is_refused(aws, make_user):
    alice = make_user("alice", access_key=True, policies=(READ_ONLY,))
    analyzer = aws("accessanalyzer", key=alice.test_access_key)
    with pytest.raises(ClientError) as raised:
        analyzer.start_policy_generation(policyGenerationDetails={"principalArn": alice.arn})
    assert error_of(raised)[:2] == (403, "AccessDeniedException")
    with pytest.raises(ClientError) as raised:
        analyzer.list_policy_generations()
    assert error_of(raised)[:2] == (403, "AccessDeniedException")
