"""Checking policy documents on save: IAM's verdict refuses the write with MalformedPolicyDocument."""

from __future__ import annotations

import json

from iam_console.errors import LimitExceeded, MalformedPolicyDocument, ValidationError
from policies.catalogue import ensure_catalogue_loaded
from policies.language import Finding, ValidationResult, validate
from policies.language.aws_messages import aws_policy_error

IDENTITY_POLICY = "IDENTITY_POLICY"
TRUST_POLICY = "TRUST_POLICY"


def finding_as_dict(finding: Finding) -> dict:
    """The one shape of a finding in every response (the engine's own ``Finding.to_dict``)."""
    return finding.to_dict()


def policy_text(document: object, *, field: str = "policy_document") -> str:
    """The policy's JSON text, from either a JSON string or the policy as a JSON object.

    An object is serialized compactly, so its size is what IAM would count.
    """
    if isinstance(document, dict):
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if isinstance(document, str) and document.strip():
        return document
    raise ValidationError(f"{field} is required: a JSON policy document, as a JSON string or a JSON object")


def refusal(result: ValidationResult, *, field: str = "policy_document") -> MalformedPolicyDocument | LimitExceeded:
    """The error for a document IAM refuses, carrying every finding (blocking and advice).

    A document over its size quota is LimitExceeded, as in IAM; any other refusal is
    MalformedPolicyDocument. Every door and operation reports refusals in this one shape.
    """
    errors = result.blocking()
    first = errors[0]
    where = f" (line {first.line}, column {first.column})" if first.line else ""
    more = f" and {len(errors) - 1} more error(s)" if len(errors) > 1 else ""
    details = {"field": field, "findings": [finding_as_dict(f) for f in result.findings]}
    oversized = next((f for f in errors if f.issue_code == "POLICY_SIZE_EXCEEDED"), None)
    if oversized is not None:
        return LimitExceeded(oversized.message, details=details)
    return MalformedPolicyDocument(f"{first.message}{where}{more}", details=details)


def checked_document(document: object, *, size_limit: str | int, policy_type: str = IDENTITY_POLICY,
                     tolerated: frozenset[str] = frozenset()) -> str:
    """Return the document text when IAM would accept it; otherwise raise with every finding.

    Only IAM's own verdict (blocking findings) refuses the write; advice, even at ERROR
    level, is returned by validation and shown in the editor but never blocks. `tolerated` names blocking findings
    the caller takes as advice (a service's resource policy may do what IAM's own would not).
    """
    text = policy_text(document)
    ensure_catalogue_loaded()  # registered services' actions are known, as iam's are
    result = validate(text, policy_type=policy_type, size_limit=size_limit)
    if not result.valid and any(finding.issue_code not in tolerated for finding in result.blocking()):
        error = refusal(result)
        if policy_type == IDENTITY_POLICY and isinstance(error, MalformedPolicyDocument):
            # AWS's own words for the first problem it meets, where its rules say it (the Query API answers
            # with them); the message and findings keep the line and column.
            error.aws_message = aws_policy_error(text) or error.message
        raise error
    return text


def non_whitespace_length(document: str) -> int:
    """IAM counts policy size without whitespace."""
    return sum(1 for character in document if not character.isspace())
