"""Fixtures for roles and STS: trust documents, roles, users governed by policies, session-signed clients."""

from __future__ import annotations

import json

import pytest

from directory.services import attachments, role_policies, roles
from policies.services import managed
from sts import services as sts
from tests.support.signing import SignedClient

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ACCOUNT = "123456789012"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(*principals: str, condition: dict | None = None, actions=("sts:AssumeRole",)) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return document(statement)


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def role_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


@pytest.fixture
def make_role(root_caller):
    def make(name: str, trust_document: str, *, policies: tuple[str, ...] = (), inline: str | None = None,
             **kwargs):
        role = roles.create_role(caller=root_caller, role_name=name, assume_role_policy_document=trust_document,
                                 **kwargs)
        for arn in policies:
            role_policies.attach_role_policy(caller=root_caller, role_name=name, policy_arn=arn)
        if inline:
            role_policies.put_role_policy(caller=root_caller, role_name=name, policy_name="inline",
                                          policy_document=inline)
        return role

    return make


@pytest.fixture
def customer_policy(root_caller):
    def make(name: str, *statements):
        return managed.create_policy(caller=root_caller, policy_name=name, policy_document=document(*statements))

    return make


@pytest.fixture
def attach(root_caller):
    def to_user(user_name: str, policy_arn: str) -> None:
        attachments.attach_user_policy(caller=root_caller, user_name=user_name, policy_arn=policy_arn)

    return to_user


def session_client(assumed: sts.AssumedRole) -> SignedClient:
    return SignedClient(assumed.access_key_id, assumed.secret_access_key, assumed.session_token)
