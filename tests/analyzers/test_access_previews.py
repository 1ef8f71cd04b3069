"""Access previews over boto3's accessanalyzer client: a proposed trust or resource policy's findings before it is
deployed, set beside the analyzer's findings now (NEW, CHANGED, UNCHANGED, and RESOLVED where access goes), as
policy validators in CI (cfn-policy-validator, tf-policy-validator) call them."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from analyzers import evaluation
from analyzers.models import AccessPreview, Analyzer
from directory.services import roles
from tests.query.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)
STRANGER = "999999999999"


@pytest.fixture
def aa(live_server, root_credentials):  # type: ignore[no-untyped-def]
    return client_for(live_server, "accessanalyzer", root_credentials.access_key_id,
                      root_credentials.secret_access_key)


@pytest.fixture
def analyzer_arn(aa) -> str:  # type: ignore[no-untyped-def]
    return aa.create_analyzer(analyzerName="account", type="ACCOUNT")["arn"]


def trust(principal: dict, action: object = "sts:AssumeRole", **extra: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": action, **extra}]})


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def previewed(aa, analyzer_arn: str, configurations: dict) -> tuple[dict, list[dict]]:  # type: ignore[no-untyped-def]
    preview_id = aa.create_access_preview(analyzerArn=analyzer_arn, configurations=configurations)["id"]
    preview = aa.get_access_preview(accessPreviewId=preview_id, analyzerArn=analyzer_arn)["accessPreview"]
    if preview["status"] != "COMPLETED":
        return preview, []
    pages = aa.get_paginator("list_access_preview_findings").paginate(accessPreviewId=preview_id,
                                                                      analyzerArn=analyzer_arn)
    return preview, [finding for page in pages for finding in page["findings"]]


def test_a_proposed_trust_policy_shows_the_external_access_it_would_grant(aa, analyzer_arn, root_caller):
    arn = role_arn(root_caller.account_id, "deploy")
    preview, findings = previewed(aa, analyzer_arn, {arn: {"iamRole": {"trustPolicy": trust(
        {"AWS": f"arn:aws:iam::{STRANGER}:root", "Service": "lambda.amazonaws.com"},
        ["sts:AssumeRole", "sts:TagSession"])}}})
    assert (preview["status"], preview["analyzerArn"]) == ("COMPLETED", analyzer_arn)
    assert preview["configurations"] == {arn: {"iamRole": {"trustPolicy": trust(
        {"AWS": f"arn:aws:iam::{STRANGER}:root", "Service": "lambda.amazonaws.com"},
        ["sts:AssumeRole", "sts:TagSession"])}}}
    (finding,) = findings  # the service principal is no external access
    assert (finding["changeType"], finding["status"], finding["resourceType"]) == ("NEW", "ACTIVE", "AWS::IAM::Role")
    assert finding["principal"] == {"AWS": f"arn:aws:iam::{STRANGER}:root"}
    assert finding["action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert (finding["resource"], finding["resourceOwnerAccount"], finding["isPublic"]) == (
        arn, root_caller.account_id, False)
    assert "existingFindingId" not in finding


def test_a_preview_sets_the_proposal_beside_the_findings_now(aa, analyzer_arn, root_caller, make_account):
    kept, dropped = make_account("Kept").account.pk, make_account("Dropped").account.pk
    role = roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        {"AWS": [kept, dropped]}))
    evaluation.evaluate(Analyzer.objects.get(name="account").pk)
    existing = {f["principal"]["AWS"]: f["id"] for f in aa.list_findings(analyzerArn=analyzer_arn)["findings"]}
    assert set(existing) == {kept, dropped}

    _, findings = previewed(aa, analyzer_arn, {role.arn: {"iamRole": {"trustPolicy": trust(
        {"AWS": [kept, STRANGER]})}}})
    by_principal = {f["principal"]["AWS"]: f for f in findings}
    assert {p: (f["changeType"], f["status"]) for p, f in by_principal.items()} == {
        kept: ("UNCHANGED", "ACTIVE"), dropped: ("CHANGED", "RESOLVED"), STRANGER: ("NEW", "ACTIVE")}
    assert by_principal[kept]["existingFindingId"] == existing[kept]
    assert by_principal[dropped]["existingFindingStatus"] == "ACTIVE"
    # A preview changes nothing: the analyzer's findings are as they were.
    assert {f["id"] for f in aa.list_findings(analyzerArn=analyzer_arn)["findings"]} == set(existing.values())


def test_an_archive_rule_archives_a_previewed_finding_and_filters_select(aa, analyzer_arn, root_caller):
    aa.create_archive_rule(analyzerName="account", ruleName="partner",
                           filter={"principal.AWS": {"eq": [STRANGER]}})
    _, findings = previewed(aa, analyzer_arn, {role_arn(root_caller.account_id, "x"): {"iamRole": {
        "trustPolicy": trust({"AWS": [STRANGER, "222222222222"]})}}})
    assert {f["principal"]["AWS"]: f["status"] for f in findings} == {STRANGER: "ARCHIVED",
                                                                      "222222222222": "ACTIVE"}
    preview_id = aa.list_access_previews(analyzerArn=analyzer_arn)["accessPreviews"][0]["id"]
    active = aa.list_access_preview_findings(accessPreviewId=preview_id, analyzerArn=analyzer_arn,
                                             filter={"status": {"eq": ["ACTIVE"]}})["findings"]
    assert [f["principal"]["AWS"] for f in active] == ["222222222222"]


def test_a_public_bucket_policy_is_public_and_one_pinned_to_the_account_is_no_finding(aa, analyzer_arn, root_caller):
    bucket = "arn:aws:s3:::team-artifacts"
    public = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                                 "Action": "s3:GetObject",
                                                                 "Resource": f"{bucket}/*"}]})
    _, findings = previewed(aa, analyzer_arn, {bucket: {"s3Bucket": {"bucketPolicy": public}}})
    (finding,) = findings
    assert (finding["principal"], finding["isPublic"], finding["action"]) == ({"AWS": "*"}, True, ["s3:GetObject"])
    assert (finding["resourceType"], finding["resourceOwnerAccount"]) == ("AWS::S3::Bucket", root_caller.account_id)
    own = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{root_caller.account_id}:root"},
        "Action": "s3:*", "Resource": f"{bucket}/*"}]})
    assert previewed(aa, analyzer_arn, {bucket: {"s3Bucket": {"bucketPolicy": own}}})[1] == []


def test_a_policy_that_cannot_be_read_fails_the_preview_as_aws_does(aa, analyzer_arn, root_caller):
    preview, _ = previewed(aa, analyzer_arn, {role_arn(root_caller.account_id, "x"): {"iamRole": {
        "trustPolicy": "{not json"}}})
    assert (preview["status"], preview["statusReason"]) == ("FAILED", {"code": "INVALID_CONFIGURATION"})
    with pytest.raises(ClientError) as refused:
        aa.list_access_preview_findings(accessPreviewId=preview["id"], analyzerArn=analyzer_arn)
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_a_client_token_retried_gives_the_same_preview(aa, analyzer_arn, root_caller):
    token, configurations = str(uuid.uuid4()), {role_arn(root_caller.account_id, "x"): {"iamRole": {}}}
    first = aa.create_access_preview(analyzerArn=analyzer_arn, configurations=configurations, clientToken=token)
    again = aa.create_access_preview(analyzerArn=analyzer_arn, configurations=configurations, clientToken=token)
    assert first["id"] == again["id"]
    assert AccessPreview.objects.count() == 1


def test_bad_requests_get_aws_errors_and_store_nothing(aa, analyzer_arn, root_caller):
    def code_of(call) -> tuple[int, str]:  # type: ignore[no-untyped-def]
        with pytest.raises(ClientError) as refused:
            call()
        return refused.value.response["ResponseMetadata"]["HTTPStatusCode"], refused.value.response["Error"]["Code"]

    arn = role_arn(root_caller.account_id, "x")
    two = {arn: {"iamRole": {}}, role_arn(root_caller.account_id, "y"): {"iamRole": {}}}
    assert code_of(lambda: aa.create_access_preview(analyzerArn=analyzer_arn, configurations=two)) == (
        400, "ValidationException")
    assert code_of(lambda: aa.create_access_preview(analyzerArn=analyzer_arn,
                                                    configurations={"not-an-arn": {"iamRole": {}}})) == (
        400, "ValidationException")
    unused = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")["arn"]
    assert code_of(lambda: aa.create_access_preview(analyzerArn=unused, configurations={arn: {"iamRole": {}}})) == (
        400, "ValidationException")
    missing = analyzer_arn.replace("/account", "/absent")
    assert code_of(lambda: aa.create_access_preview(analyzerArn=missing, configurations={arn: {"iamRole": {}}})) == (
        404, "ResourceNotFoundException")
    assert code_of(lambda: aa.get_access_preview(analyzerArn=analyzer_arn,
                                                 accessPreviewId=str(uuid.uuid4()))) == (404,
                                                                                        "ResourceNotFoundException")
    assert AccessPreview.objects.count() == 0
