"""Fixtures for the AWS Query API: boto3 clients against a live server, signed with the directory's keys."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

# Retries off: a test must see the first answer, and botocore would retry a 5xx or a throttle silently.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)


def client_for(live_server, service: str, access_key_id: str, secret_access_key: str,
               session_token: str | None = None):
    session = boto3.session.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                                    aws_session_token=session_token, region_name="us-east-1")
    return session.client(service, endpoint_url=live_server.url, config=NO_RETRIES)


@pytest.fixture
def aws(transactional_db, live_server, root_credentials):
    """Make a boto3 client: aws("iam") signs with the root user's key; aws("sts", key=(id, secret[, token]))."""

    def make(service: str = "iam", key: tuple | None = None):
        key = key or (root_credentials.access_key_id, root_credentials.secret_access_key)
        return client_for(live_server, service, *key)

    return make


@pytest.fixture
def iam(aws):
    return aws("iam")


@pytest.fixture
def sts(aws):
    return aws("sts")
