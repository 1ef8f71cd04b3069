"""Principal matching: how a caller matches a statement's Principal or NotPrincipal element."""

from __future__ import annotations

from typing import Literal

from .arn import ACCOUNT_ID, parse_arn
from .compiler import CompiledStatement, PrincipalSpec, principal_spec
from .model import Statement

PrincipalMatchKind = Literal["wildcard", "exact", "account"]


def _account_of(arn: str) -> str | None:
    parsed = parse_arn(arn)
    return parsed.account if parsed else None


def _session_role(arn: str) -> tuple[str, str] | None:
    """(account, role name) for an sts assumed-role session ARN."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "sts" or not parsed.resource.startswith("assumed-role/"):
        return None
    parts = parsed.resource.split("/")
    return (parsed.account, parts[1]) if len(parts) >= 3 else None


def _match_aws_value(value: str, principal_arn: str, account_id: str | None) -> PrincipalMatchKind | None:
    # IAM User Guide: AWS JSON policy elements: Principal — "AWS account principals":
    # an account ID or its root ARN trusts the account, which then delegates to its
    # principals through their identity-based policies.
    if ACCOUNT_ID.match(value):
        return "account" if account_id == value else None
    parsed = parse_arn(value)
    if parsed is None:
        return None
    if parsed.service == "iam" and parsed.resource == "root":
        return "account" if account_id == parsed.account else None
    if value == principal_arn:
        return "exact"
    # "Role sessions": a role ARN in Principal also matches sessions of that role.
    session = _session_role(principal_arn)
    if session and parsed.service == "iam" and parsed.resource.startswith("role/"):
        role_name = parsed.resource.rsplit("/", 1)[-1]
        if (parsed.account, role_name) == session:
            return "exact"
    return None


def principal_match(
    spec: PrincipalSpec, principal_arn: str, account_id: str | None = None
) -> PrincipalMatchKind | None:
    """How a principal matches a Principal element: "wildcard", "exact", "account", or None.

    ``principal_arn`` is the caller's ARN (user, role, assumed-role session, root), or a
    service principal name ("ec2.amazonaws.com") / identity-provider ARN for service
    and federated callers. ``account_id`` defaults to the account inside the ARN.
    """
    if spec.wildcard:
        return "wildcard"
    if account_id is None:
        account_id = _account_of(principal_arn)
    best: PrincipalMatchKind | None = None
    for value in spec.aws:
        kind = _match_aws_value(value, principal_arn, account_id)
        if kind == "exact":
            return "exact"
        best = best or kind
    if (
        principal_arn in spec.service
        or principal_arn in spec.federated
        or principal_arn in spec.canonical_user
    ):
        return "exact"
    return best


def _spec_of(statement: CompiledStatement | Statement) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
    if isinstance(statement, CompiledStatement):
        return statement.principal, statement.not_principal
    return (
        principal_spec(statement.principal) if statement.principal else None,
        principal_spec(statement.not_principal) if statement.not_principal else None,
    )


def principal_matches(
    statement: CompiledStatement | Statement, principal_arn: str, account_id: str | None = None
) -> bool:
    """Whether a statement's Principal (or NotPrincipal) applies to this principal."""
    return _principal_kind(statement, principal_arn, account_id) is not None


def _principal_kind(
    statement: CompiledStatement | Statement, principal_arn: str, account_id: str | None
) -> PrincipalMatchKind | None:
    principal, not_principal = _spec_of(statement)
    if principal is not None:
        return principal_match(principal, principal_arn, account_id)
    if not_principal is not None:
        # NotPrincipal applies to every principal except those listed.
        return None if principal_match(not_principal, principal_arn, account_id) else "wildcard"
    return None  # a resource-policy statement without a principal applies to no one
