"""Last accessed over boto3: GenerateServiceLastAccessedDetails runs as a job on a real Celery worker, and
GetServiceLastAccessedDetails(WithEntities) show each service and action the entity's policies grant, with the
last attempt, for users, roles, groups (their members) and policies (the entities they are attached to)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from directory.services import groups
from tests.query.iam_clients import error_code
from tests.reports.conftest import wait_for
from tests.sts.conftest import role_arn, trust, user_arn

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def completed(iam, job_id: str, **extra) -> dict:
    def done():
        answer = iam.get_service_last_accessed_details(JobId=job_id, **extra)
        return answer if answer["JobStatus"] == "COMPLETED" else None

    return wait_for(done)


def by_namespace(answer: dict) -> dict:
    return {service["ServiceNamespace"]: service for service in answer["ServicesLastAccessed"]}


def test_a_users_report_shows_services_and_actions_used_and_unused(aws, iam, make_user, start_worker):
    alice = make_user("alice", access_key=True, policies=(READ_ONLY,))
    as_alice = aws("iam", key=alice.test_access_key)
    as_alice.list_users()
    as_alice.get_user(UserName="alice")
    with pytest.raises(ClientError):
        as_alice.create_user(UserName="mallory")  # not granted, yet an attempt in a granted service

    job_id = iam.generate_service_last_accessed_details(Arn=alice.arn, Granularity="ACTION_LEVEL")["JobId"]
    start_worker()
    answer = completed(iam, job_id)
    assert answer["JobType"] == "ACTION_LEVEL" and answer["JobCompletionDate"] >= answer["JobCreationDate"]
    services = by_namespace(answer)
    assert set(services) == {"iam"}  # IAMReadOnlyAccess grants iam's Get* and List* only
    used = services["iam"]
    assert used["ServiceName"] == "AWS Identity and Access Management"
    assert used["LastAuthenticatedEntity"] == alice.arn and used["TotalAuthenticatedEntities"] == 1
    assert used["LastAuthenticatedRegion"] == "us-east-1"
    actions = {action["ActionName"]: action for action in used["TrackedActionsLastAccessed"]}
    assert "CreateUser" not in actions  # not granted: not tracked
    assert actions["ListUsers"]["LastAccessedEntity"] == alice.arn
    assert actions["GetUser"]["LastAccessedTime"] <= used["LastAuthenticated"]
    assert "LastAccessedTime" not in actions["ListRoles"]

    service_level = iam.generate_service_last_accessed_details(Arn=alice.arn)["JobId"]
    plain = by_namespace(completed(iam, service_level))["iam"]
    assert "TrackedActionsLastAccessed" not in plain and plain["LastAuthenticated"] == used["LastAuthenticated"]


def test_a_groups_report_names_the_member_who_acted_and_lists_every_member(aws, iam, make_user, root_caller,
                                                                            start_worker):
    groups.create_group(caller=root_caller, group_name="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY)
    members = {name: make_user(name, access_key=True) for name in ("alice", "bob")}
    for name in members:
        groups.add_user_to_group(caller=root_caller, group_name="readers", user_name=name)
    carol = make_user("carol", access_key=True, policies=(READ_ONLY,))  # not a member: not the group's evidence
    aws("iam", key=carol.test_access_key).list_users()
    aws("iam", key=members["bob"].test_access_key).list_users()

    job_id = iam.generate_service_last_accessed_details(Arn=iam.get_group(GroupName="readers")["Group"]["Arn"])
    start_worker()
    used = by_namespace(completed(iam, job_id["JobId"]))["iam"]
    assert used["TotalAuthenticatedEntities"] == 1 and used["LastAuthenticatedEntity"] == members["bob"].arn
    entities = iam.get_service_last_accessed_details_with_entities(JobId=job_id["JobId"], ServiceNamespace="iam")
    listed = entities["EntityDetailsList"]
    assert [entity["EntityInfo"]["Name"] for entity in listed] == ["bob", "alice"]  # the most recent first
    assert listed[0]["EntityInfo"] == {"Arn": members["bob"].arn, "Name": "bob", "Type": "USER",
                                       "Id": members["bob"].user_id, "Path": "/"}
    assert "LastAuthenticated" in listed[0] and "LastAuthenticated" not in listed[1]
    with pytest.raises(ClientError) as not_granted:
        iam.get_service_last_accessed_details_with_entities(JobId=job_id["JobId"], ServiceNamespace="sts")
    assert error_code(not_granted) == "InvalidInput"


def test_a_policys_report_names_the_role_whose_session_used_it(aws, iam, make_user, make_role,
                                                                start_worker):
    policy_arn = iam.create_policy(PolicyName="list-roles", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}))[
        "Policy"]["Arn"]
    bob = make_user("bob", access_key=True)
    make_role("lister", trust(user_arn("bob")), policies=(policy_arn,))
    iam.attach_user_policy(UserName="bob", PolicyArn=policy_arn)
    credentials = aws("sts", key=bob.test_access_key).assume_role(RoleArn=role_arn("lister"),
                                                                  RoleSessionName="s1")["Credentials"]
    aws("iam", key=(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                    credentials["SessionToken"])).list_roles()

    job_id = iam.generate_service_last_accessed_details(Arn=policy_arn, Granularity="ACTION_LEVEL")["JobId"]
    start_worker()
    used = by_namespace(completed(iam, job_id))["iam"]
    assert used["LastAuthenticatedEntity"] == role_arn("lister") and used["TotalAuthenticatedEntities"] == 1
    assert [action["ActionName"] for action in used["TrackedActionsLastAccessed"]] == ["ListRoles"]
    entities = iam.get_service_last_accessed_details_with_entities(JobId=job_id, ServiceNamespace="iam")
    assert [(entity["EntityInfo"]["Type"], entity["EntityInfo"]["Name"]) for entity in
            entities["EntityDetailsList"]] == [("ROLE", "lister"), ("USER", "bob")]


def test_reports_refuse_what_aws_refuses_and_belong_to_who_asked(aws, iam, make_user):
    for arn, code in [("arn:aws:iam::123456789012:user/nobody", "NoSuchEntity"),
                      ("arn:aws:iam::210987654321:role/elsewhere", "NoSuchEntity"),
                      ("arn:aws:s3:::a-bucket-name", "InvalidInput"),
                      ("arn:aws:iam::123456789012:mfa/device", "InvalidInput")]:
        with pytest.raises(ClientError) as refused:
            iam.generate_service_last_accessed_details(Arn=arn)
        assert error_code(refused) == code, arn
    with pytest.raises(ClientError) as bad_granularity:
        aws("iam", validate=False).generate_service_last_accessed_details(Arn=make_user("dave").arn,
                                                                          Granularity="RESOURCE_LEVEL")
    assert error_code(bad_granularity) in ("ValidationError", "InvalidInput")

    job_id = iam.generate_service_last_accessed_details(Arn=make_user("erin").arn)["JobId"]
    reader = make_user("reader", access_key=True, policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    with pytest.raises(ClientError) as not_theirs:
        aws("iam", key=reader.test_access_key).get_service_last_accessed_details(JobId=job_id)
    assert error_code(not_theirs) == "NoSuchEntity"
    with pytest.raises(ClientError) as unknown:
        iam.get_service_last_accessed_details(JobId="00000000-0000-4000-8000-000000000000")
    assert error_code(unknown) == "NoSuchEntity"
    assert iam.get_service_last_accessed_details(JobId=job_id)["JobStatus"] == "IN_PROGRESS"


def test_a_caller_without_permission_is_refused(aws, make_user):
    nobody = make_user("nobody", access_key=True)
    with pytest.raises(ClientError) as refused:
        aws("iam", key=nobody.test_access_key).generate_service_last_accessed_details(Arn=nobody.arn)
    assert error_code(refused) == "AccessDenied"
