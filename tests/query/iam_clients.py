"""Helpers for the IAM Query API tests: clients for IAM users with chosen policies, documents, error fields."""

from __future__ import annotations

from tests.query.conftest import client_for

TRUST_ANYONE_IN_ACCOUNT = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                           '"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}')
ALLOW_S3_READ = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
                 '"Resource":"*"}]}')


def client_as(live_server, make_user, user_name: str, *policy_arns: str):
    """A boto3 IAM client for a new IAM user holding the given managed policies."""
    user = make_user(user_name, access_key=True, policies=policy_arns)
    return client_for(live_server, "iam", *user.test_access_key)


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def http_status(excinfo) -> int:
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
