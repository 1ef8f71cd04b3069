"""AWS-style unique IDs and ARNs."""

from __future__ import annotations

import secrets

from django.conf import settings

# AWS unique IDs use upper-case letters and the digits 2-7 (base32), 21 characters for entities.
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

USER_ID_PREFIX = "AIDA"
GROUP_ID_PREFIX = "AGPA"
ROLE_ID_PREFIX = "AROA"
POLICY_ID_PREFIX = "ANPA"
ACCESS_KEY_PREFIX = "AKIA"
SESSION_KEY_PREFIX = "ASIA"


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_unique_id(prefix: str) -> str:
    """A 21-character unique ID such as AIDAJQABLZS4A3QDU576Q."""
    return prefix + _random(17)


def new_access_key_id(prefix: str = ACCESS_KEY_PREFIX) -> str:
    """A 20-character access key ID such as AKIAIOSFODNN7EXAMPLE."""
    return prefix + _random(16)


def partition() -> str:
    return settings.IAM_PARTITION


def iam_arn(account_id: str, resource: str) -> str:
    return f"arn:{settings.IAM_PARTITION}:iam::{account_id}:{resource}"


def user_arn(account_id: str, path: str, name: str) -> str:
    return iam_arn(account_id, f"user{path}{name}")


def group_arn(account_id: str, path: str, name: str) -> str:
    return iam_arn(account_id, f"group{path}{name}")


def role_arn(account_id: str, path: str, name: str) -> str:
    return iam_arn(account_id, f"role{path}{name}")


def policy_arn(account_id: str, path: str, name: str) -> str:
    """A managed policy's ARN: `account_id` is the owning account, or "aws" for the shipped AWS-managed ones."""
    return iam_arn(account_id, f"policy{path}{name}")


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:{settings.IAM_PARTITION}:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def root_arn(account_id: str) -> str:
    return iam_arn(account_id, "root")
