"""Policy ceilings: every policy write under a path is held to the ceiling's default version, refused with
InvalidInput naming the ceiling and a request beyond it, the same through the services, console, REST and Query API."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from audit.models import AuditEvent
from directory.services import entity_policies, inline, role_policies
from iam_console.errors import DeleteConflict, InvalidInput, NoSuchEntity
from policies.models import ManagedPolicy, PolicyVersion
from policies.services import ceilings, managed
from tests.console.conftest import root_console  # noqa: F401 - the console signed in as root
from tests.policies.conftest import allow, document
from tests.query.conftest import aws, iam  # noqa: F401 - boto3 against the live server
from tests.sts.conftest import make_role  # noqa: F401

READ_REPORTS = document(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]))
READ_ONE = document(allow("s3:GetObject", "arn:aws:s3:::reports/2026/*"))
WRITE_REPORTS = document(allow("s3:PutObject", "arn:aws:s3:::reports/*"))


@pytest.fixture
def ceiling(root_caller):
    """A ceiling over /teams/: at most reading the reports bucket."""
    policy = managed.create_policy(caller=root_caller, policy_name="TeamCeiling", path="/guard/",
                                   policy_document=READ_REPORTS)
    ceilings.put_policy_ceiling(caller=root_caller, path_prefix="/teams/", policy_arn=policy.arn)
    return policy


@pytest.mark.django_db
def test_no_ceiling_by_default_so_anything_iam_accepts_is_written(root_caller):
    managed.create_policy(caller=root_caller, policy_name="Wide", path="/teams/", policy_document=WRITE_REPORTS)


@pytest.mark.django_db
def test_a_managed_policy_beyond_the_ceiling_is_refused_with_the_ceiling_and_a_request(root_caller, ceiling):
    with pytest.raises(InvalidInput) as refused:
        managed.create_policy(caller=root_caller, policy_name="Wide", path="/teams/data/",
                              policy_document=WRITE_REPORTS)
    assert ceiling.arn in refused.value.message and "/teams/" in refused.value.message
    assert "s3:PutObject on arn:aws:s3:::reports/" in refused.value.message
    assert refused.value.details["counterexample"]["action"] == "s3:PutObject"
    assert not ManagedPolicy.objects.filter(policy_name="Wide").exists()
    assert AuditEvent.objects.filter(event_name="CreatePolicy", error_code="InvalidInput").count() == 1
    # Within the ceiling, or outside its path: written.
    managed.create_policy(caller=root_caller, policy_name="Narrow", path="/teams/data/", policy_document=READ_ONE)
    managed.create_policy(caller=root_caller, policy_name="Elsewhere", path="/ops/", policy_document=WRITE_REPORTS)


@pytest.mark.django_db
def test_a_new_version_beyond_the_ceiling_is_refused_and_nothing_is_stored(root_caller, ceiling):
    policy = managed.create_policy(caller=root_caller, policy_name="Narrow", path="/teams/", policy_document=READ_ONE)
    with pytest.raises(InvalidInput):
        managed.create_policy_version(caller=root_caller, policy_arn=policy.arn, policy_document=WRITE_REPORTS,
                                      set_as_default=True)
    assert list(PolicyVersion.objects.filter(policy=policy).values_list("version_id", flat=True)) == ["v1"]


@pytest.mark.django_db
def test_inline_policies_are_held_by_their_entitys_path(root_caller, make_user, ceiling):
    make_user("ana", path="/teams/")
    make_user("bo", path="/")
    with pytest.raises(InvalidInput, match="inline policy extra of user ana"):
        inline.put_user_policy(caller=root_caller, user_name="ana", policy_name="extra",
                               policy_document=WRITE_REPORTS)
    inline.put_user_policy(caller=root_caller, user_name="ana", policy_name="read", policy_document=READ_ONE)
    inline.put_user_policy(caller=root_caller, user_name="bo", policy_name="extra", policy_document=WRITE_REPORTS)
    assert inline.list_user_policies(caller=root_caller, user_name="ana") == ["read"]
    assert entity_policies.ROLE.label == "role"  # groups and roles take the same path through put_inline


@pytest.mark.django_db
def test_role_inline_policy_beyond_the_ceiling_is_refused(root_caller, make_role, ceiling):  # noqa: F811
    make_role("deployer", document({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                    "Action": "sts:AssumeRole"}), path="/teams/")
    with pytest.raises(InvalidInput):
        role_policies.put_role_policy(caller=root_caller, role_name="deployer", policy_name="extra",
                                      policy_document=WRITE_REPORTS)


@pytest.mark.django_db
def test_the_ceiling_policy_cannot_be_deleted_while_in_use_and_ceilings_are_audited(root_caller, ceiling):
    with pytest.raises(DeleteConflict, match="policy ceiling"):
        managed.delete_policy(caller=root_caller, policy_arn=ceiling.arn)
    assert [c.path_prefix for c in ceilings.list_policy_ceilings(caller=root_caller)] == ["/teams/"]
    ceilings.delete_policy_ceiling(caller=root_caller, path_prefix="/teams/")
    with pytest.raises(NoSuchEntity):
        ceilings.delete_policy_ceiling(caller=root_caller, path_prefix="/teams/")
    managed.delete_policy(caller=root_caller, policy_arn=ceiling.arn)
    assert AuditEvent.objects.filter(event_name__in=["PutPolicyCeiling", "DeletePolicyCeiling"],
                                     error_code="").count() == 2


@pytest.mark.django_db
def test_a_ceiling_names_an_existing_policy(root_caller):
    with pytest.raises(NoSuchEntity):
        ceilings.put_policy_ceiling(caller=root_caller, path_prefix="/teams/",
                                    policy_arn="arn:aws:iam::123456789012:policy/Nothing")


@pytest.mark.django_db
def test_console_sets_a_ceiling_and_refuses_a_policy_beyond_it_on_the_document(root_console,  # noqa: F811
                                                                                root_caller):
    policy = managed.create_policy(caller=root_caller, policy_name="TeamCeiling", path="/guard/",
                                   policy_document=READ_REPORTS)
    page = root_console.get("/account/policy-ceilings/")
    assert page.status_code == 200 and "No ceiling is set" in page.content.decode()
    response = root_console.post("/account/policy-ceilings/", {"path_prefix": "/teams/", "policy_arn": policy.arn})
    assert response.status_code == 302
    assert policy.arn in root_console.get("/account/policy-ceilings/").content.decode()
    response = root_console.post("/policies/create/", {"policy_name": "Wide", "path": "/teams/",
                                                       "document": WRITE_REPORTS})
    assert response.status_code == 400
    assert "s3:PutObject" in response.context["form"].errors["document"][0]
    response = root_console.post("/account/policy-ceilings/delete/", {"path_prefix": "/teams/"})
    assert response.status_code == 302 and ceilings.list_policy_ceilings(caller=root_caller) == []


@pytest.mark.django_db
def test_rest_api_configures_ceilings_and_refuses_writes_beyond_them(root_api, root_caller):
    policy = managed.create_policy(caller=root_caller, policy_name="TeamCeiling", path="/guard/",
                                   policy_document=READ_REPORTS)
    response = root_api.post("/api/v1/account/policy-ceilings/", {"path_prefix": "/teams/", "policy_arn": policy.arn})
    assert response.status_code == 200 and response.json()["policy_arn"] == policy.arn
    assert root_api.get("/api/v1/account/policy-ceilings/").json()["policy_ceilings"][0]["path_prefix"] == "/teams/"
    response = root_api.post("/api/v1/policies/", {"policy_name": "Wide", "path": "/teams/",
                                                   "policy_document": WRITE_REPORTS})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "InvalidInput" and error["details"]["ceiling"] == policy.arn
    assert error["details"]["counterexample"]["action"] == "s3:PutObject"
    assert root_api.delete("/api/v1/account/policy-ceilings/?path_prefix=/teams/").status_code == 204


@pytest.mark.django_db(transaction=True)
def test_query_api_refuses_writes_beyond_the_ceiling_with_invalid_input(iam, root_caller):  # noqa: F811
    policy = managed.create_policy(caller=root_caller, policy_name="TeamCeiling", path="/guard/",
                                   policy_document=READ_REPORTS)
    ceilings.put_policy_ceiling(caller=root_caller, path_prefix="/teams/", policy_arn=policy.arn)
    with pytest.raises(ClientError) as refused:
        iam.create_policy(PolicyName="Wide", Path="/teams/", PolicyDocument=WRITE_REPORTS)
    assert refused.value.response["Error"]["Code"] == "InvalidInput"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert policy.arn in refused.value.response["Error"]["Message"]
    iam.create_user(UserName="cy", Path="/teams/")
    with pytest.raises(ClientError) as refused:
        iam.put_user_policy(UserName="cy", PolicyName="extra", PolicyDocument=WRITE_REPORTS)
    assert refused.value.response["Error"]["Code"] == "InvalidInput"
    iam.put_user_policy(UserName="cy", PolicyName="read", PolicyDocument=READ_ONE)


@pytest.mark.django_db
def test_the_guard_reads_every_ceiling_in_one_query_however_many_there_are(root_caller, ceiling):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_create(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            managed.create_policy(caller=root_caller, policy_name=name, path="/teams/", policy_document=READ_ONE)
        return len(captured)

    queries_to_create("Warm")
    one = queries_to_create("One")
    for prefix in ("/", "/teams/a/", "/t"):
        ceilings.put_policy_ceiling(caller=root_caller, path_prefix=prefix, policy_arn=ceiling.arn)
    queries_to_create("WarmAgain")  # caches a changed setting invalidates are filled again
    assert queries_to_create("Four") == one
