"""Fixtures for Identity Center: the sso-admin API through the JSON door, the identity store's people, and the
worker's job run where the test decides."""

from __future__ import annotations

import json

import pytest

from identitycenter.services.operations import run_operation
from identitystore.services import groups, memberships, users
from identitystore.services.store import identity_store_of
from tests.awsjson.conftest import JsonClient

SSO_ADMIN_TARGET = "SWBExternalService"


class SsoAdmin:
    """sso-admin as the management account's root user: `sso("ListInstances")`, `sso.error(...)`."""

    def __init__(self, client: JsonClient) -> None:
        self.client = client

    def __call__(self, operation: str, **params):
        response = self.client.call(operation, params)
        assert response.status_code == 200, response.content
        return json.loads(response.content)

    def error(self, operation: str, **params) -> tuple[int, str, str]:
        response = self.client.call(operation, params)
        body = json.loads(response.content)
        assert response["x-amzn-ErrorType"] == body["__type"]
        return response.status_code, body["__type"], body.get("message", body.get("Message", ""))


@pytest.fixture
def sso(root_credentials) -> SsoAdmin:
    return SsoAdmin(JsonClient(root_credentials.access_key_id, root_credentials.secret_access_key, service="sso",
                               prefix=SSO_ADMIN_TARGET))


@pytest.fixture
def instance_arn(sso) -> str:
    return sso("ListInstances")["Instances"][0]["InstanceArn"]


@pytest.fixture
def people(root_caller):
    """Make identity-store users and groups: `people.user("ana")`, `people.group("Admins", members=[user])`."""
    store = identity_store_of(root_caller.account_id)

    class People:
        def user(self, name: str) -> str:
            return users.create_user(caller=root_caller, identity_store_id=store.id, user_name=name,
                                     display_name=name).user_id

        def group(self, name: str, members: tuple[str, ...] = ()) -> str:
            group_id = groups.create_group(caller=root_caller, identity_store_id=store.id, display_name=name).group_id
            for user_id in members:
                memberships.create_group_membership(caller=root_caller, identity_store_id=store.id,
                                                    group_id=group_id, member_id={"UserId": user_id})
            return group_id

    return People()


def finish(status: dict) -> str:
    """Run the job a status names as the worker does (tests with a live worker wait for it instead)."""
    return run_operation(status["RequestId"])
