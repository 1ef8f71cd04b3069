"""Policy generation below the doors: a user's or role's allowed requests become a least-privilege policy that,
attached alone, allows every recorded allowed request and none of the recorded denied ones; the job's rules."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from analyzers.errors import ConflictException, ValidationException
from analyzers.services import policy_generation as generation
from directory.services import users
from evidence import policy_generation as jobs
from evidence.models import PolicyGenerationJob
from evidence.policy_builder import policy_documents
from iam_console.callers import Caller
from policies.language import Request, compile_policy, evaluate, validate
from sts.principals import RoleSessionPrincipal
from sts.services import assume_role
from tests.sts.conftest import role_arn, trust, user_arn

READ_ONLY = ("arn:aws:iam::aws:policy/IAMReadOnlyAccess",)
DOC = "arn:aws:docs:::document/{}/{}"


def as_api(principal) -> Caller:
    return Caller(principal=principal, via="api", door="query")


def attempt(requests: list, action: str, resource: str, call) -> None:
    """Make one request, and note it with its outcome: (action, resource, allowed)."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 - an AccessDenied is the outcome under test
        assert getattr(error, "code", "") == "AccessDenied", error
        requests.append((action, resource, False))
    else:
        requests.append((action, resource, True))


def generate(root_caller, principal_arn: str, **start) -> dict:
    job = generation.start_policy_generation(caller=root_caller, principal_arn=principal_arn, **start)
    assert job.status == "IN_PROGRESS"
    assert jobs.run_job(str(job.job_id)) is True
    return generation.get_generated_policy(caller=root_caller, job_id=str(job.job_id))


def assert_policy_holds(answer: dict, requests: list) -> dict:
    """The property: the generated policy alone allows exactly the recorded allowed requests among those made."""
    [generated] = answer["generatedPolicyResult"]["generatedPolicies"]
    document = json.loads(generated["policy"])
    # compiled policies are cached by (id, version): each document its own
    compiled = compile_policy(generated["policy"], "generated", hashlib.sha256(generated["policy"].encode()).hexdigest())
    for action, resource, allowed in requests:
        decision = evaluate(Request(action=action, resource=resource, context={}), [compiled]).decision
        assert (decision == "allowed") is allowed, (action, resource, decision, document)
    return document


def test_a_users_policy_holds_the_actions_it_was_allowed_grouped_by_service(root_caller, make_user):
    alice = make_user("alice", policies=READ_ONLY)
    caller, made = as_api(alice), []
    attempt(made, "iam:ListUsers", "*", lambda: users.list_users(caller=caller))
    attempt(made, "iam:GetUser", alice.arn, lambda: users.get_user(caller=caller, user_name="alice"))
    attempt(made, "iam:CreateUser", user_arn("mallory"),
            lambda: users.create_user(caller=caller, user_name="mallory"))
    assert [outcome for *_, outcome in made] == [True, True, False]

    answer = generate(root_caller, alice.arn)
    assert answer["jobDetails"]["status"] == "SUCCEEDED"
    properties = answer["generatedPolicyResult"]["properties"]
    assert properties["principalArn"] == alice.arn and properties["isComplete"] is True
    document = assert_policy_holds(answer, made)
    assert document["Statement"] == [{"Sid": "IamAccess", "Effect": "Allow",
                                      "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]


def test_resources_named_by_the_trail_narrow_the_policy(root_caller, docs_service, service_identity,
                                                        document_user):
    _, service = service_identity
    alice = document_user("alice")
    made = []
    for owner, allowed in (("alice", True), ("bob", False)):
        resource = DOC.format(owner, "notes.txt")
        response = service.post("/api/v1/authorization/decide",
                                {"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": resource})
        assert response.status_code == 200 and response.json()["decision"] == (
            "allowed" if allowed else "implicitDeny"), response.content
        made.append(("docs:GetDocument", resource, allowed))

    document = assert_policy_holds(generate(root_caller, alice.arn), made)
    [statement] = document["Statement"]
    assert statement["Sid"] == "DocsAccess" and statement["Resource"] == [DOC.format("alice", "notes.txt")]


def test_a_roles_policy_is_what_its_sessions_were_allowed(root_caller, make_user, make_role):
    bob = make_user("bob")
    make_role("reader", trust(user_arn("bob")), policies=READ_ONLY)
    session = assume_role(caller=as_api(bob), role_arn=role_arn("reader"), role_session_name="s1")
    caller, made = as_api(RoleSessionPrincipal(session.session)), []
    attempt(made, "iam:ListUsers", "*", lambda: users.list_users(caller=caller))
    attempt(made, "iam:DeleteUser", bob.arn, lambda: users.delete_user(caller=caller, user_name="bob"))

    document = assert_policy_holds(generate(root_caller, role_arn("reader")), made)
    assert document["Statement"][0]["Action"] == ["iam:ListUsers"]
    # AssumeRole was bob's own decision, not the role's
    assert "sts" not in json.dumps(document).lower().replace("statement", "")


def test_nothing_used_in_the_period_generates_no_policy(root_caller, make_user):
    alice = make_user("alice", policies=READ_ONLY)
    users.list_users(caller=as_api(alice))
    now = timezone.now()
    answer = generate(root_caller, alice.arn, cloud_trail_details={
        "startTime": now - timedelta(days=30), "endTime": now - timedelta(days=20)})
    assert answer["generatedPolicyResult"]["generatedPolicies"] == []
    # ListUsers was used after the period: whether also in it, the record cannot tell
    assert answer["generatedPolicyResult"]["properties"]["isComplete"] is False
    trail = answer["generatedPolicyResult"]["properties"]["cloudTrailProperties"]
    assert trail["startTime"] == now - timedelta(days=30) and trail["endTime"] == now - timedelta(days=20)


def test_placeholders_replace_star_for_actions_with_resource_types(root_caller, make_user):
    alice = make_user("alice", policies=READ_ONLY)
    users.list_users(caller=as_api(alice))
    users.get_user(caller=as_api(alice), user_name="alice")
    job = generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn)
    jobs.run_job(str(job.job_id))
    answer = generation.get_generated_policy(caller=root_caller, job_id=str(job.job_id),
                                             include_resource_placeholders=True)
    statements = json.loads(answer["generatedPolicyResult"]["generatedPolicies"][0]["policy"])["Statement"]
    by_sid = {statement["Sid"]: statement for statement in statements}
    assert by_sid["IamAccess"]["Action"] == ["iam:GetUser"]
    assert by_sid["IamAccess"]["Resource"] == ["arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"]
    assert by_sid["IamAccessAllResources"] == {"Sid": "IamAccessAllResources", "Effect": "Allow",
                                               "Action": ["iam:ListUsers"], "Resource": "*"}


def test_the_principal_must_be_a_user_or_role_of_the_callers_account(root_caller, make_user, make_account):
    member = make_account("Other")
    member.make_user("carol")
    for arn in (f"arn:aws:iam::{member.id}:user/carol", user_arn("nobody"), role_arn("nothing"),
                f"arn:aws:iam::{root_caller.account_id}:group/admins", "not-an-arn"):
        with pytest.raises(ValidationException) as refused:
            generation.start_policy_generation(caller=root_caller, principal_arn=arn)
        assert refused.value.fields["reason"] == "fieldValidationFailed"
        assert refused.value.fields["fieldList"][0]["name"] == "policyGenerationDetails.principalArn"
    assert not PolicyGenerationJob.objects.exists()


def test_the_period_is_validated_as_aws_does(root_caller, make_user):
    alice = make_user("alice")
    now = timezone.now()
    for details, field in (({"startTime": now + timedelta(hours=1)}, "cloudTrailDetails.startTime"),
                           ({"startTime": now - timedelta(days=2), "endTime": now - timedelta(days=3)},
                            "cloudTrailDetails.endTime"),
                           ({"startTime": now - timedelta(days=100)}, "cloudTrailDetails.endTime")):
        with pytest.raises(ValidationException) as refused:
            generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn,
                                               cloud_trail_details={"trails": [], "accessRole": "x", **details})
        assert refused.value.fields["fieldList"][0]["name"] == field


def test_one_generation_per_principal_at_a_time_and_client_tokens_repeat_it(root_caller, make_user):
    alice = make_user("alice")
    first = generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn, client_token="t-1")
    again = generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn, client_token="t-1")
    assert again.job_id == first.job_id
    with pytest.raises(ConflictException) as conflict:
        generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn, client_token="t-2")
    assert conflict.value.fields == {"resourceId": alice.arn, "resourceType": "PolicyGeneration"}

    canceled = generation.cancel_policy_generation(caller=root_caller, job_id=str(first.job_id))
    assert canceled.status == "CANCELED" and canceled.completed_on is not None
    assert jobs.run_job(str(first.job_id)) is False  # a canceled job is not generated
    second = generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn, client_token="t-2")
    jobs.run_job(str(second.job_id))
    with pytest.raises(ValidationException):
        generation.cancel_policy_generation(caller=root_caller, job_id=str(second.job_id))


def test_unknown_jobs_are_refused_and_lists_page_newest_first(root_caller, make_user):
    for job_id in ("nope", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(ValidationException):
            generation.get_generated_policy(caller=root_caller, job_id=job_id)
    made = [make_user(name) for name in ("a", "b", "c")]
    jobs = [generation.start_policy_generation(caller=root_caller, principal_arn=user.arn) for user in made]
    page, token = generation.list_policy_generations(caller=root_caller, max_results=2)
    assert [job.job_id for job in page] == [jobs[2].job_id, jobs[1].job_id] and token
    rest, end = generation.list_policy_generations(caller=root_caller, max_results=2, next_token=token)
    assert [job.job_id for job in rest] == [jobs[0].job_id] and end is None
    only, _ = generation.list_policy_generations(caller=root_caller, principal_arn=made[1].arn)
    assert [job.job_id for job in only] == [jobs[1].job_id]
    with pytest.raises(ValidationException):
        generation.list_policy_generations(caller=root_caller, next_token="garbage")


def test_a_caller_without_permission_is_refused(make_user):
    alice = make_user("alice", policies=READ_ONLY)
    with pytest.raises(Exception) as refused:
        generation.start_policy_generation(caller=as_api(alice), principal_arn=alice.arn)
    assert refused.value.code == "AccessDenied"


def test_a_policy_beyond_a_managed_policys_size_is_split_into_policies_that_each_fit(db):
    many = [f"ReadSomethingWithALongName{index:04d}" for index in range(700)]
    arns = [f"arn:aws:docs:::document/team/{'x' * 60}-{index}" for index in range(300)]
    statements = [{"service": "docs", "actions": many, "resources": None},
                  {"service": "iam", "actions": ["GetUser", "ListUsers"], "resources": None},
                  {"service": "wiki", "actions": ["GetPage"], "resources": arns}]
    documents = policy_documents(statements)
    assert len(documents) > 2
    texts = [json.dumps(document, indent=2) for document in documents]
    for text in texts:
        assert not validate(text, policy_type="IDENTITY_POLICY", size_limit="managed").blocking(), text[:200]
    actions = [action for document in documents for statement in document["Statement"]
               for action in statement["Action"]]
    assert sorted(actions) == sorted([*(f"docs:{name}" for name in many), "iam:GetUser", "iam:ListUsers",
                                      "wiki:GetPage"])
    sids = [statement["Sid"] for document in documents for statement in document["Statement"]]
    assert len(sids) == len(set(sids)) and "DocsAccess1" in sids and "IamAccess" in sids
    wiki = next(statement for document in documents for statement in document["Statement"]
                if statement["Action"] == ["wiki:GetPage"])
    assert wiki["Resource"] == "*"  # its resources alone exceed a policy's size: broader, never narrower
    assert policy_documents(statements[1:2]) == [{"Version": "2012-10-17", "Statement": [
        {"Sid": "IamAccess", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]}]
