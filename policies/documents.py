"""Checking policy documents on save: any ERROR finding refuses the write with MalformedPolicyDocument."""

from __future__ import annotations

from iam_console.errors import MalformedPolicyDocument, ValidationError
from policies.catalogue import ensure_catalogue_loaded
from policies.language import Finding, validate
from policies.language.aws_messages import aws_policy_error

IDENTITY_POLICY = "IDENTITY_POLICY"
TRUST_POLICY = "TRUST_POLICY"


def finding_as_dict(finding: Finding) -> dict:
    return {"severity": finding.severity.value, "issue_code": finding.issue_code, "message": finding.message,
            "line": finding.line, "column": finding.column, "path": finding.path}


def checked_document(document: object, *, size_limit: str, policy_type: str = IDENTITY_POLICY) -> str:
    """Return the document text when it has no ERROR finding; otherwise raise with every finding."""
    if not isinstance(document, str) or not document.strip():
        raise ValidationError("policy_document is required: a JSON policy document as a string")
    ensure_catalogue_loaded()  # registered services' actions are known, as iam's are
    result = validate(document, policy_type=policy_type, size_limit=size_limit)
    if not result.valid:
        errors = result.errors()
        first = errors[0]
        where = f" (line {first.line}, column {first.column})" if first.line else ""
        more = f" and {len(errors) - 1} more error(s)" if len(errors) > 1 else ""
        # AWS's own words for the first problem it meets (identity policies), where its rules say it.
        aws_message = aws_policy_error(document) if policy_type == IDENTITY_POLICY else None
        raise MalformedPolicyDocument(f"{first.message}{where}{more}", aws_message=aws_message,
                                      details={"findings": [finding_as_dict(f) for f in result.findings]})
    return document


def non_whitespace_length(document: str) -> int:
    """IAM counts policy size without whitespace."""
    return sum(1 for character in document if not character.isspace())
