"""STS through boto3: AssumeRole with every parameter, its credentials used for follow-up calls, GetSessionToken
with and without MFA, GetCallerIdentity and GetAccessKeyInfo."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sts.models import RoleSession
from tests.mfa.conftest import enrol_device
from tests.sts.conftest import ADMIN, READ_ONLY, allow, document, role_arn, trust, user_arn

CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"


def code_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def session_key(credentials: dict) -> tuple[str, str, str]:
    return credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]


@pytest.fixture
def alice(make_user):
    return make_user("alice", access_key=True)


def test_assume_role_with_every_parameter_and_use_the_session(aws, alice, make_role):
    condition = {"StringEquals": {"sts:ExternalId": "ext-123"}}
    statement = json.loads(trust(user_arn("alice"), condition=condition,
                                 actions=("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")))
    make_role("reader", json.dumps(statement), policies=(READ_ONLY,), max_session_duration=7200)
    sts = aws("sts", key=alice.test_access_key)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn("reader"), RoleSessionName="no-external-id")
    assert code_of(excinfo) == (403, "AccessDenied")

    answer = sts.assume_role(
        RoleArn=role_arn("reader"), RoleSessionName="nightly", ExternalId="ext-123", DurationSeconds=5400,
        Policy=document(allow("iam:ListUsers")), PolicyArns=[{"arn": CHANGE_PASSWORD}],
        Tags=[{"Key": "project", "Value": "atlas"}, {"Key": "cost", "Value": "7"}],
        TransitiveTagKeys=["project"], SourceIdentity="alice-laptop")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["SessionToken"]
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/reader/nightly"
    assert answer["AssumedRoleUser"]["AssumedRoleId"].endswith(":nightly")
    assert answer["SourceIdentity"] == "alice-laptop" and 0 < answer["PackedPolicySize"] <= 100
    session = RoleSession.objects.get(access_key_id=credentials["AccessKeyId"])
    assert int((session.expiration - session.issued_at).total_seconds()) == 5400
    assert session.session_tags == {"project": "atlas", "cost": "7"} and session.transitive_tag_keys == ["project"]

    # boto3 signs follow-up calls with the session credentials and X-Amz-Security-Token.
    as_role = aws("sts", key=session_key(credentials))
    assert as_role.get_caller_identity()["Arn"] == "arn:aws:sts::123456789012:assumed-role/reader/nightly"
    iam_as_role = aws("iam", key=session_key(credentials))
    iam_as_role.list_users()  # allowed by the role and by the session policy
    with pytest.raises(ClientError) as excinfo:
        iam_as_role.list_groups()  # the role allows it, the inline session policy does not
    assert code_of(excinfo) == (403, "AccessDenied")
    with pytest.raises(ClientError) as excinfo:
        aws("iam", key=(credentials["AccessKeyId"], credentials["SecretAccessKey"], "forged")).list_users()
    assert code_of(excinfo) == (403, "InvalidClientTokenId")


def test_assume_role_validation_and_duration_errors(aws, alice, make_role):
    make_role("short", trust(user_arn("alice")))
    sts = aws("sts", key=alice.test_access_key, validate=False)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn("short"), RoleSessionName="x")
    assert code_of(excinfo) == (400, "ValidationError")
    assert "at 'roleSessionName'" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn("short"), RoleSessionName="long", DurationSeconds=7200)
    assert code_of(excinfo) == (400, "ValidationError")
    assert "MaxSessionDuration" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn("short"), RoleSessionName="tagged", Tags=[{"Key": "a", "Value": "b"}],
                        TransitiveTagKeys=["missing"])
    assert code_of(excinfo)[0] in (400, 403)


def test_transitive_tags_pass_down_a_role_chain(aws, alice, make_role):
    actions = ("sts:AssumeRole", "sts:TagSession")
    make_role("first", trust(user_arn("alice"), actions=actions), inline=document(allow("sts:AssumeRole")))
    make_role("second", trust(role_arn("first"), actions=actions))
    first = aws("sts", key=alice.test_access_key).assume_role(
        RoleArn=role_arn("first"), RoleSessionName="hop1", Tags=[{"Key": "project", "Value": "atlas"}],
        TransitiveTagKeys=["project"])["Credentials"]
    chained = aws("sts", key=session_key(first))
    second = chained.assume_role(RoleArn=role_arn("second"), RoleSessionName="hop2")["Credentials"]
    session = RoleSession.objects.get(access_key_id=second["AccessKeyId"])
    assert session.session_tags == {"project": "atlas"} and session.transitive_tag_keys == ["project"]
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=role_arn("second"), RoleSessionName="hop3",
                            Tags=[{"Key": "Project", "Value": "other"}])
    assert code_of(excinfo) == (400, "ValidationError")


def test_revoked_session_credentials_are_expired_token(aws, alice, make_role, root_caller):
    from sts import services

    make_role("revocable", trust(user_arn("alice")), policies=(READ_ONLY,))
    credentials = aws("sts", key=alice.test_access_key).assume_role(
        RoleArn=role_arn("revocable"), RoleSessionName="soon-gone")["Credentials"]
    services.revoke_role_sessions(caller=root_caller, role_name="revocable")
    with pytest.raises(ClientError) as excinfo:
        aws("iam", key=session_key(credentials)).list_users()
    assert code_of(excinfo) == (403, "ExpiredToken")


def test_get_session_token_without_mfa_cannot_manage_the_directory(aws, make_user):
    admin = make_user("admin", access_key=True, policies=(ADMIN,))
    answer = aws("sts", key=admin.test_access_key).get_session_token(DurationSeconds=900)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    as_session = aws("sts", key=session_key(credentials))
    identity = as_session.get_caller_identity()
    assert identity["Arn"] == user_arn("admin") and identity["UserId"] == admin.user_id
    with pytest.raises(ClientError) as excinfo:
        aws("iam", key=session_key(credentials)).list_users()
    assert code_of(excinfo) == (403, "AccessDenied")
    with pytest.raises(ClientError) as excinfo:
        as_session.get_session_token()
    assert code_of(excinfo) == (403, "AccessDenied")


def test_get_session_token_with_mfa_is_an_mfa_session(aws, make_user, root_caller):
    admin = make_user("mfa-admin", access_key=True, policies=(ADMIN,))
    device = enrol_device(root_caller, user_name="mfa-admin")
    sts = aws("sts", key=admin.test_access_key)
    # Enrolment used the current code; the next one (within the clock tolerance) is still unused.
    credentials = sts.get_session_token(SerialNumber=device.serial_number, TokenCode=device.code(1))["Credentials"]
    users = aws("iam", key=session_key(credentials)).list_users()["Users"]
    assert "mfa-admin" in [user["UserName"] for user in users]
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber=device.serial_number, TokenCode=device.code(1))  # a replay
    assert code_of(excinfo) == (403, "AccessDenied")


def test_get_caller_identity_and_get_access_key_info(aws, alice):
    sts = aws("sts", key=alice.test_access_key)
    identity = sts.get_caller_identity()
    assert identity == identity | {"Account": "123456789012", "Arn": user_arn("alice"), "UserId": alice.user_id}
    assert sts.get_access_key_info(AccessKeyId=alice.test_access_key[0])["Account"] == "123456789012"
