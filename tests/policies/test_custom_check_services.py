"""Access Analyzer's policy checks as operations: authorized, audited, AWS's errors, the counterexample told."""

from __future__ import annotations

import json

import pytest

from audit.models import AuditEvent
from iam_console.errors import AccessDenied
from policies.authorization import Caller
from policies.check_errors import InvalidParameterException, ValidationException
from policies.services import custom_checks
from tests.policies.conftest import allow, deny, document

pytestmark = pytest.mark.django_db

READ = document(allow("s3:GetObject", "arn:aws:s3:::reports/*"))
READ_WRITE = document(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*"))


def test_new_access_fails_and_its_reason_names_the_request(root_caller):
    outcome = custom_checks.check_no_new_access(caller=root_caller, new_policy_document=READ_WRITE,
                                                existing_policy_document=READ, policy_type="IDENTITY_POLICY")
    assert outcome.result == "FAIL"
    assert outcome.counterexample["action"] == "s3:PutObject"
    assert outcome.counterexample["resource"].startswith("arn:aws:s3:::reports/")
    assert outcome.reasons[0]["statementIndex"] == 0
    assert "For example, s3:PutObject on arn:aws:s3:::reports/" in outcome.reasons[0]["description"]
    assert set(outcome.to_dict()) == {"result", "message", "reasons"}


def test_narrower_policy_passes_with_no_reasons(root_caller):
    outcome = custom_checks.check_no_new_access(caller=root_caller, new_policy_document=READ,
                                                existing_policy_document=READ_WRITE, policy_type="IDENTITY_POLICY")
    assert outcome.to_dict() == {"result": "PASS", "message": "The modified permissions do not grant new access "
                                                              "compared to your existing policy."}
    assert outcome.counterexample is None


def test_access_not_granted_on_listed_actions_and_resources(root_caller):
    policy = document(allow("s3:*", "arn:aws:s3:::reports/*"), deny("s3:DeleteObject"))
    granted = custom_checks.check_access_not_granted(
        caller=root_caller, policy_document=policy, policy_type="IDENTITY_POLICY",
        access=[{"actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::reports/*"]}])
    assert granted.result == "FAIL" and granted.counterexample["action"] == "s3:PutObject"
    refused = custom_checks.check_access_not_granted(
        caller=root_caller, policy_document=policy, policy_type="IDENTITY_POLICY",
        access=[{"actions": ["s3:DeleteObject", "iam:CreateUser"]}])
    assert refused.result == "PASS"


def test_public_bucket_policy_fails_and_an_org_pinned_one_passes(root_caller):
    public = document(allow("s3:GetObject", "arn:aws:s3:::site/*", Principal="*"))
    pinned = document(allow("s3:GetObject", "arn:aws:s3:::site/*", Principal="*",
                            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}))
    assert custom_checks.check_no_public_access(caller=root_caller, policy_document=public,
                                                resource_type="AWS::S3::Bucket").result == "FAIL"
    assert custom_checks.check_no_public_access(caller=root_caller, policy_document=pinned,
                                                resource_type="AWS::S3::Bucket").result == "PASS"


@pytest.mark.parametrize("call, error, field", [
    (lambda c: custom_checks.check_no_new_access(caller=c, new_policy_document=READ, existing_policy_document=READ,
                                                 policy_type="TRUST_POLICY"), ValidationException, "policyType"),
    (lambda c: custom_checks.check_no_new_access(caller=c, new_policy_document="{not json",
                                                 existing_policy_document=READ, policy_type="IDENTITY_POLICY"),
     InvalidParameterException, None),
    (lambda c: custom_checks.check_no_new_access(
        caller=c, new_policy_document=document(*[allow(f"s3:Get{i:05d}x", f"arn:aws:s3:::b{i}/*")
                                                 for i in range(400)]),
        existing_policy_document=READ, policy_type="IDENTITY_POLICY"), ValidationException, "newPolicyDocument"),
    (lambda c: custom_checks.check_access_not_granted(caller=c, policy_document=READ, policy_type="IDENTITY_POLICY",
                                                      access=[{}]), ValidationException, "access"),
    (lambda c: custom_checks.check_access_not_granted(
        caller=c, policy_document=READ, policy_type="IDENTITY_POLICY",
        access=[{"actions": [f"s3:A{i}" for i in range(101)]}]), ValidationException, "access.actions"),
    (lambda c: custom_checks.check_no_public_access(caller=c, policy_document=READ, resource_type="AWS::EC2::VPC"),
     ValidationException, "resourceType"),
    (lambda c: custom_checks.check_no_public_access(caller=c, policy_document=READ, resource_type="AWS::S3::Bucket"),
     InvalidParameterException, None),
])
def test_bad_input_is_refused_with_aws_errors_and_audited(root_caller, call, error, field):
    with pytest.raises(error) as raised:
        call(root_caller)
    if field:
        assert raised.value.fields["fieldList"][0]["name"] == field
        assert raised.value.fields["reason"] == "fieldValidationFailed"
    event = AuditEvent.objects.latest("id")
    assert event.error_code == error.code and event.event_source == "access-analyzer.amazonaws.com"


def test_a_caller_without_permission_is_refused_and_it_is_audited(make_user):
    nobody = Caller(principal=make_user("nobody"))
    with pytest.raises(AccessDenied):
        custom_checks.check_no_new_access(caller=nobody, new_policy_document=READ, existing_policy_document=READ,
                                          policy_type="IDENTITY_POLICY")
    assert AuditEvent.objects.filter(event_name="CheckNoNewAccess", error_code="AccessDenied").count() == 1


def test_a_check_is_audited_with_its_result(root_caller):
    custom_checks.check_no_new_access(caller=root_caller, new_policy_document=READ_WRITE,
                                      existing_policy_document=READ, policy_type="IDENTITY_POLICY")
    event = AuditEvent.objects.get(event_name="CheckNoNewAccess")
    assert event.response_elements == {"result": "FAIL"}


SLOPPY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestTag/app.name": "x", "aws:nosuchkey": "y"}}},
]}, indent=2)


def test_validate_policy_answers_findings_in_access_analyzer_shape(root_caller):
    page = custom_checks.validate_policy(caller=root_caller, policy_document=SLOPPY, policy_type="IDENTITY_POLICY")
    by_code = {f["issueCode"]: f for f in page.findings}
    pass_role = by_code["PASS_ROLE_WITH_STAR_RESOURCE"]
    assert pass_role["findingType"] == "SECURITY_WARNING"
    assert pass_role["learnMoreLink"].endswith("#access-analyzer-reference-policy-checks-security-warning-"
                                               "pass-role-with-star-resource")
    location = pass_role["locations"][0]
    assert location["path"] == [{"key": "Statement"}, {"index": 0}, {"key": "Action"}]
    start, end = location["span"]["start"], location["span"]["end"]
    assert SLOPPY[start["offset"]:end["offset"]] == '"iam:PassRole"'
    assert SLOPPY.split("\n")[start["line"] - 1][start["column"]:].startswith('"iam:PassRole"')
    unknown_key = by_code["UNKNOWN_GLOBAL_CONDITION_KEY"]
    assert unknown_key["findingType"] == "ERROR"
    assert unknown_key["locations"][0]["path"][-1] == {"key": "aws:nosuchkey"}
    assert AuditEvent.objects.filter(event_name="ValidatePolicy", event_source="access-analyzer.amazonaws.com",
                                     error_code="").count() == 1


def test_validate_policy_reports_syntax_errors_as_findings_not_exceptions(root_caller):
    page = custom_checks.validate_policy(caller=root_caller, policy_document='{"Version": ', policy_type="IDENTITY_POLICY")
    assert [f["issueCode"] for f in page.findings] == ["JSON_SYNTAX_ERROR"]
    assert page.findings[0]["findingType"] == "ERROR"


def test_validate_policy_pages_with_a_token_bound_to_the_document(root_caller):
    everything = custom_checks.validate_policy(caller=root_caller, policy_document=SLOPPY,
                                               policy_type="IDENTITY_POLICY").findings
    assert len(everything) >= 2
    seen, token = [], None
    while True:
        page = custom_checks.validate_policy(caller=root_caller, policy_document=SLOPPY,
                                             policy_type="IDENTITY_POLICY", max_results=1, next_token=token)
        seen.extend(page.findings)
        token = page.next_token
        if token is None:
            break
    assert seen == everything
    first = custom_checks.validate_policy(caller=root_caller, policy_document=SLOPPY, policy_type="IDENTITY_POLICY",
                                          max_results=1)
    with pytest.raises(ValidationException, match="another policy document"):
        custom_checks.validate_policy(caller=root_caller, policy_document=READ, policy_type="IDENTITY_POLICY",
                                      next_token=first.next_token)
    with pytest.raises(ValidationException):
        custom_checks.validate_policy(caller=root_caller, policy_document=READ, policy_type="IDENTITY_POLICY",
                                      next_token="%%%")


def test_validate_policy_resource_type_needs_a_resource_policy_and_trust_documents_validate_as_such(root_caller):
    with pytest.raises(ValidationException):
        custom_checks.validate_policy(caller=root_caller, policy_document=READ, policy_type="IDENTITY_POLICY",
                                      validate_policy_resource_type="AWS::S3::Bucket")
    trust = document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    page = custom_checks.validate_policy(caller=root_caller, policy_document=trust, policy_type="RESOURCE_POLICY",
                                         validate_policy_resource_type="AWS::IAM::AssumeRolePolicyDocument")
    assert [f for f in page.findings if f["findingType"] == "ERROR"] == []


def test_path_elements_keep_dotted_condition_keys_whole():
    assert custom_checks.path_elements("Statement[1].Condition.StringEquals.aws:RequestTag/app.name") == [
        {"key": "Statement"}, {"index": 1}, {"key": "Condition"}, {"key": "StringEquals"},
        {"key": "aws:RequestTag/app.name"}]
    assert custom_checks.path_elements("") == []
