"""The message AWS gives when it refuses a policy document (MalformedPolicyDocument), in AWS's order of checks.

The validator's findings are richer (every problem, with line and column); AWS answers with the first problem it
meets, in its own words, and SDKs, scripts and test suites written against AWS compare those words. AWS checks in
this order: the document's shape ("Syntax errors in policy."), its version (2012-10-17), what its legacy parser refuses (an Effect not
spelled exactly Allow or Deny, a date condition value it cannot read, an ARN with four or five parts), unique
statement ids, then per document: every statement has actions, resources are ARNs, actions name a vendor, every
statement has resources. Pure: no Django, no project import.
"""

from __future__ import annotations

import json
import re
from typing import Any

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
OLD_VERSION = "Policy document must be version 2012-10-17 or greater."
DUPLICATE_SID = "Statement IDs (SID) in a single policy must be unique."
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
VENDOR_NOT_FULLY_QUALIFIED = "Resource vendor must be fully qualified and cannot contain regexes."
IAM_RESOURCE_PATH = ('IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
                     'instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, '
                     'oidc-provider/, report/, access-report/.')
IAM_RESOURCE_PREFIXES = ("user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
                         "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/",
                         "access-report/")
PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})

_DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                             "NotResource", "Condition"})
_VERSIONS = frozenset({"2008-10-17", "2012-10-17"})
_BASE_OPERATORS = frozenset({
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"})
_VENDOR = re.compile(r"[A-Za-z0-9.-]+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[tT]\d{1,2}(?::\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
                       r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?)?")
_INT64 = (-(2**63), 2**63 - 1)


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def aws_policy_error(text: str) -> str | None:
    """AWS's MalformedPolicyDocument message for the document, or None where these rules find nothing to say."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return SYNTAX
    try:
        statements = _syntax(document)
        if document.get("Version") != "2012-10-17":
            raise _Refused(OLD_VERSION)
        _legacy(statements)
        _unique_sids(statements)
        _content(statements)
    except _Refused as refused:
        return refused.message
    return None


def _strings(value: Any) -> list[str] | None:
    """A string or list of strings as a list; None for any other shape."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(item is None or isinstance(item, str) for item in value):
        return [item for item in value if item is not None]  # AWS lets a null in a list pass
    return None


def _operator_known(operator: str) -> bool:
    name = operator
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    name = name.removesuffix("IfExists")
    return name in _BASE_OPERATORS


def _syntax(document: Any) -> list[dict]:
    if not isinstance(document, dict) or not set(document) <= _DOCUMENT_KEYS or "Statement" not in document:
        raise _Refused(SYNTAX)
    if "Version" in document and document["Version"] not in _VERSIONS:
        raise _Refused(SYNTAX)
    if "Id" in document and not isinstance(document["Id"], str):
        raise _Refused(SYNTAX)
    statements = document["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements or not all(isinstance(s, dict) for s in statements):
        raise _Refused(SYNTAX)
    for statement in statements:
        _statement_syntax(statement)
    return statements


def _statement_syntax(statement: dict) -> None:
    if not set(statement) <= _STATEMENT_KEYS or "Sid" in statement and not isinstance(statement["Sid"], str):
        raise _Refused(SYNTAX)
    effect = statement.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        raise _Refused(SYNTAX)
    for first, second in (("Action", "NotAction"), ("Resource", "NotResource")):
        if first in statement and second in statement:
            raise _Refused(SYNTAX)
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement and _strings(statement[key]) is None:
            raise _Refused(SYNTAX)
    if "Condition" in statement:
        conditions = statement["Condition"]
        if not isinstance(conditions, dict):
            raise _Refused(SYNTAX)
        for operator, clause in conditions.items():
            if not isinstance(clause, dict) or clause and not _operator_known(operator):
                raise _Refused(SYNTAX)  # an unknown operator with nothing under it passes
            for value in clause.values():
                if isinstance(value, dict) or isinstance(value, list) and any(
                        isinstance(item, (dict, list)) for item in value):
                    raise _Refused(SYNTAX)


def _date_readable(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if re.fullmatch(r"[+-]?\d+", value):
        return _INT64[0] <= int(value) <= _INT64[1]
    return bool(_ISO_DATE.fullmatch(value) or re.fullmatch(r"\d{1,2}[tT]", value))


def _legacy_arn(resource: str) -> bool:
    """ARNs AWS's legacy parser refuses: four or five parts, or six and more with no service."""
    parts = resource.split(":")
    if parts[0] != "arn" or len(parts) < 4 or parts[1] not in PARTITIONS:
        return False
    return len(parts) < 6 or parts[2] == ""


def _legacy(statements: list[dict]) -> None:
    for statement in statements:
        if statement["Effect"] not in ("Allow", "Deny"):
            raise _Refused(LEGACY)
        for operator, clause in statement.get("Condition", {}).items():
            if "Date" not in operator:
                continue
            for value in clause.values():
                if not all(_date_readable(item) for item in (value if isinstance(value, list) else [value])):
                    raise _Refused(LEGACY)
        for key in ("Resource", "NotResource"):
            if any(_legacy_arn(resource) for resource in _strings(statement.get(key, [])) or []):
                raise _Refused(LEGACY)


def _unique_sids(statements: list[dict]) -> None:
    sids = [statement["Sid"] for statement in statements if statement.get("Sid")]
    if len(sids) != len(set(sids)):
        raise _Refused(DUPLICATE_SID)


def _content(statements: list[dict]) -> None:
    for statement in statements:
        if not (_strings(statement.get("Action")) or _strings(statement.get("NotAction"))):
            raise _Refused(NO_ACTIONS)
    for statement in statements:
        for resource in _strings(statement.get("Resource", statement.get("NotResource", []))) or []:
            _resource_format(resource)
    for statement in statements:
        for action in _strings(statement.get("Action", statement.get("NotAction", []))) or []:
            _action_format(action)
    for statement in statements:
        if not (_strings(statement.get("Resource")) or _strings(statement.get("NotResource"))):
            raise _Refused(NO_RESOURCES)


def _resource_format(resource: str) -> None:
    if resource == "*":
        return
    parts = resource.split(":")
    if len(parts) < 2:
        raise _Refused(f'Resource {resource} must be in ARN format or "*".')
    if parts[1] not in PARTITIONS:
        shown = ":".join(["arn", *parts[1:], *["*"] * (6 - len(parts))])  # padded to six parts, as AWS shows it
        raise _Refused(f'Partition "{parts[1]}" is not valid for resource "{shown}".')
    if len(parts) == 2:
        raise _Refused(VENDOR_NOT_FULLY_QUALIFIED)
    if len(parts) < 6:
        return
    service, region, path = parts[2], parts[3], ":".join(parts[5:])
    if service == "iam":
        if region:
            raise _Refused(f"IAM resource {resource} cannot contain region information.")
        if path != "*" and not path.startswith(IAM_RESOURCE_PREFIXES):
            raise _Refused(IAM_RESOURCE_PATH)
    elif service == "s3" and region and not parts[4]:  # buckets and objects; access points have a region
        raise _Refused(f"Resource {resource} can not contain region information.")


def _action_format(action: str) -> None:
    if action == "*":
        return
    vendor, colon, _ = action.partition(":")
    if not colon:
        raise _Refused(NO_VENDOR)
    if action.count(":") > 1:
        raise _Refused(ONE_COLON)
    if not _VENDOR.fullmatch(vendor):
        raise _Refused(f"Vendor {vendor} is not valid")
