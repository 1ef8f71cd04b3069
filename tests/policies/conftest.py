"""Fixtures for policy tests: documents and users governed by policies."""

import json

import pytest

from directory.services import attachments
from policies.services import managed

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def customer_policy(root_caller):
    def make(name: str, *statements, path: str = "/"):
        return managed.create_policy(caller=root_caller, policy_name=name, path=path,
                                     policy_document=document(*statements))

    return make


@pytest.fixture
def attach(root_caller):
    def to_user(user_name: str, policy_arn: str) -> None:
        attachments.attach_user_policy(caller=root_caller, user_name=user_name, policy_arn=policy_arn)

    return to_user
