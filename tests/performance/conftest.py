"""Fixtures for the hot paths: a user allowed to list users and assume a role, signing with an access key."""

from __future__ import annotations

import pytest

from directory.services import inline, role_policies, roles
from tests.authorization_api.conftest import docs_service, document_user, service_identity  # noqa: F401 - shared
from tests.sts.conftest import READ_ONLY, allow, document, make_role, trust, user_arn  # noqa: F401 - shared

ALICE_POLICY = document(allow(["iam:ListUsers", "iam:GetUser", "sts:AssumeRole"]))


@pytest.fixture
def alice(make_user, root_caller):
    user = make_user("alice", access_key=True)
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="work", policy_document=ALICE_POLICY)
    roles.create_role(caller=root_caller, role_name="reader", assume_role_policy_document=trust(user_arn("alice")))
    role_policies.attach_role_policy(caller=root_caller, role_name="reader", policy_arn=READ_ONLY)
    return user
