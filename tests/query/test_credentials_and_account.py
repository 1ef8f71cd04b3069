"""Access keys, login profiles, passwords, the password policy, aliases and the account summary via boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SELF_SERVICE


def code_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_access_keys_create_list_deactivate_delete_and_the_quota(aws, iam):
    iam.create_user(UserName="scripted")
    first = iam.create_access_key(UserName="scripted")["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and len(first["SecretAccessKey"]) == 40
    assert first["Status"] == "Active" and first["UserName"] == "scripted"
    iam.create_access_key(UserName="scripted")
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName="scripted")
    assert code_of(excinfo) == (409, "LimitExceeded")
    listed = iam.list_access_keys(UserName="scripted")["AccessKeyMetadata"]
    assert len(listed) == 2 and "SecretAccessKey" not in listed[0]

    # The new key signs requests at once; its use shows in GetAccessKeyLastUsed.
    never = iam.get_access_key_last_used(AccessKeyId=first["AccessKeyId"])
    assert never["UserName"] == "scripted" and never["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    own = aws("iam", key=(first["AccessKeyId"], first["SecretAccessKey"]))
    with pytest.raises(ClientError) as excinfo:
        own.list_users()
    assert code_of(excinfo) == (403, "AccessDenied")
    used = iam.get_access_key_last_used(AccessKeyId=first["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "iam" and used["Region"] == "us-east-1" and used["LastUsedDate"]

    iam.update_access_key(UserName="scripted", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as excinfo:
        own.get_user()
    assert code_of(excinfo) == (403, "InvalidClientTokenId")
    iam.delete_access_key(UserName="scripted", AccessKeyId=first["AccessKeyId"])
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName="scripted", AccessKeyId=first["AccessKeyId"])
    assert code_of(excinfo) == (404, "NoSuchEntity")
    with pytest.raises(ClientError) as excinfo:
        iam.get_access_key_last_used(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    assert code_of(excinfo) == (404, "NoSuchEntity")


def test_login_profile_lifecycle_and_password_policy_enforcement(iam):
    iam.create_user(UserName="person")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True, MaxPasswordAge=90,
                                       AllowUsersToChangePassword=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireNumbers"] and policy["ExpirePasswords"]
    assert policy["MaxPasswordAge"] == 90 and not policy["RequireSymbols"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="person", Password="short1")
    assert code_of(excinfo) == (400, "PasswordPolicyViolation")

    profile = iam.create_login_profile(UserName="person", Password="long-enough-pass-1",
                                       PasswordResetRequired=True)["LoginProfile"]
    assert profile["UserName"] == "person" and profile["PasswordResetRequired"] is True
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="person", Password="long-enough-pass-1")
    assert code_of(excinfo) == (409, "EntityAlreadyExists")
    iam.update_login_profile(UserName="person", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="person")["LoginProfile"]["PasswordResetRequired"] is False
    iam.delete_login_profile(UserName="person")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="person")

    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as excinfo:
        iam.get_account_password_policy()
    assert code_of(excinfo) == (404, "NoSuchEntity")


def test_a_user_changes_their_own_password_with_their_own_key(aws, make_user):
    user = make_user("changer", password="Original-pass-1!", access_key=True, policies=SELF_SERVICE)
    own = aws("iam", key=user.test_access_key)
    with pytest.raises(ClientError) as excinfo:
        own.change_password(OldPassword="wrong-password-1!", NewPassword="Brand-new-pass-2!")
    assert code_of(excinfo) == (400, "InvalidInput")
    own.change_password(OldPassword="Original-pass-1!", NewPassword="Brand-new-pass-2!")
    user.refresh_from_db()
    assert user.check_password("Brand-new-pass-2!")


def test_account_alias_set_replaced_listed_and_deleted(iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="example-corp")
    iam.create_account_alias(AccountAlias="example-corp-2")  # an account has one alias: the new one replaces it
    assert iam.list_account_aliases()["AccountAliases"] == ["example-corp-2"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_account_alias(AccountAlias="Not_Valid")
    assert code_of(excinfo) == (400, "ValidationError")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_account_alias(AccountAlias="example-corp")
    assert code_of(excinfo) == (404, "NoSuchEntity")
    iam.delete_account_alias(AccountAlias="example-corp-2")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_summary_counts_the_directory(iam, make_role):
    iam.create_user(UserName="counted")
    iam.create_group(GroupName="counted")
    make_role("counted", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
                         '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}')
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Users"], summary["Groups"], summary["Roles"], summary["Policies"]) == (1, 1, 1, 0)
    assert summary["AccountAccessKeysPresent"] == 1 and summary["AccountPasswordPresent"] == 1
    assert summary["AccountMFAEnabled"] == 0 and summary["MFADevices"] == 0
    assert summary["AccessKeysPerUserQuota"] == 2 and summary["GroupsPerUserQuota"] == 10


def test_entity_kinds_the_directory_lacks_list_empty_and_still_check_the_user(iam):
    iam.create_user(UserName="plain")
    assert iam.list_ssh_public_keys(UserName="plain")["SSHPublicKeys"] == []
    assert iam.list_signing_certificates(UserName="plain")["Certificates"] == []
    assert iam.list_service_specific_credentials(UserName="plain")["ServiceSpecificCredentials"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.list_ssh_public_keys(UserName="ghost")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.list_instance_profiles_for_role(RoleName="ghost")
