"""Conformance with AWS's answers: the error texts and response fields AWS documents, as boto3 sees them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _error(excinfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_deleting_an_absent_password_policy_is_no_such_entity_in_aws_words(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.delete_account_password_policy()
    assert _error(excinfo) == ("NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")


@pytest.mark.parametrize("keys", [["env", "env"], ["Env", "ENV"]])
def test_duplicate_tag_keys_are_invalid_input_in_aws_words(iam, keys):
    tags = [{"Key": key, "Value": "x"} for key in keys]
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="tagged", PolicyDocument=ALLOW_ALL, Tags=tags)
    assert _error(excinfo) == ("InvalidInput",
                               "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="tagged", Tags=tags)
    assert _error(excinfo)[0] == "InvalidInput"
    assert iam.list_users()["Users"] == []


def test_tag_key_outside_the_pattern_names_the_models_constraint(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="tagged", PolicyDocument=ALLOW_ALL, Tags=[{"Key": "bad!", "Value": "x"}])
    code, message = _error(excinfo)
    assert code == "ValidationError"
    assert r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+" in message
    assert iam.list_policies(Scope="Local")["Policies"] == []


@pytest.mark.parametrize("optional", [True, False], ids=["with-description-and-tags", "bare"])
def test_policy_shows_description_and_tags_where_aws_does(iam, optional):
    extra = {"Description": "what it allows", "Tags": [{"Key": "team", "Value": "ops"}]} if optional else {}
    created = iam.create_policy(PolicyName="shown", Path="/shape/", PolicyDocument=ALLOW_ALL, **extra)["Policy"]
    assert "Description" not in created  # CreatePolicy never echoes the description
    assert ("Tags" in created) is optional
    fetched = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert ("Description" in fetched) is optional
    assert fetched["Tags"] == extra.get("Tags", [])  # GetPolicy shows Tags, empty or not
    listed = iam.list_policies(PathPrefix="/shape/")["Policies"]
    assert len(listed) == 1 and "Description" not in listed[0] and "Tags" not in listed[0]
