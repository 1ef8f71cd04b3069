"""IAM Access Analyzer's policy checks as operations: ValidatePolicy, CheckNoNewAccess, CheckAccessNotGranted and
CheckNoPublicAccess, authorized as ``access-analyzer:<Action>`` on "*" and audited.

AWS answers the three custom checks with PASS or FAIL only; the engine also finds a concrete request that makes
the FAIL true (a counterexample, confirmed by the evaluator). Every door gets it: in ``reasons[].description``
text where the wire shape has nowhere else to put it, and whole (``counterexample``) in the REST API and console.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.catalogue import ensure_catalogue_loaded
from policies.check_errors import InvalidParameterException, ValidationException
from policies.language import Finding, validate
from policies.language import access_checks as engine
from policies.language.guardrail_grammar import GUARDRAIL_SIZE_LIMIT

EVENT_SOURCE = "access-analyzer.amazonaws.com"

VALIDATE_POLICY_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
VALIDATE_RESOURCE_TYPES = ("AWS::S3::Bucket", "AWS::S3::AccessPoint", "AWS::S3::MultiRegionAccessPoint",
                           "AWS::S3ObjectLambda::AccessPoint", "AWS::IAM::AssumeRolePolicyDocument",
                           "AWS::DynamoDB::Table")
LOCALES = ("DE", "EN", "ES", "FR", "IT", "JA", "KO", "PT_BR", "ZH_CN", "ZH_TW")
CHECK_POLICY_TYPES = engine.CHECK_POLICY_TYPES
PUBLIC_ACCESS_RESOURCE_TYPES = engine.PUBLIC_ACCESS_RESOURCE_TYPES
MAX_ACCESS_ITEMS = 100  # AccessActionsList, AccessResourcesList
MAX_RESOURCE_LENGTH = 2048

# The largest document AWS stores of each kind (whitespace not counted, except for Organizations' policies):
# an identity policy is at most a role's 10,240 characters of inline policy; a resource policy at most an S3
# bucket policy's 20 KB; SCPs and RCPs 5,120 characters.
POLICY_SIZE_LIMITS = {"IDENTITY_POLICY": 10240, "RESOURCE_POLICY": 20480,
                      "SERVICE_CONTROL_POLICY": GUARDRAIL_SIZE_LIMIT, "RESOURCE_CONTROL_POLICY": GUARDRAIL_SIZE_LIMIT}
DEFAULT_PAGE_SIZE = 100

LEARN_MORE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"


# ---- ValidatePolicy ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FindingsPage:
    """ValidatePolicyResponse: one page of findings in botocore's ValidatePolicyFinding shape."""

    findings: list[dict[str, Any]]
    next_token: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"findings": self.findings}
        if self.next_token:
            out["nextToken"] = self.next_token
        return out

    def audit_elements(self) -> dict[str, Any]:
        return {"findings": len(self.findings)}


@iam_operation("ValidatePolicy", event_source=EVENT_SOURCE, action="access-analyzer:ValidatePolicy",
               audit_reads=True)
def validate_policy(*, caller: Caller, policy_document: object, policy_type: object, locale: object = None,
                    validate_policy_resource_type: object = None, max_results: object = None,
                    next_token: object = None) -> FindingsPage:
    """Access Analyzer's ValidatePolicy: every finding of the document, ERROR to SUGGESTION, located by path and
    span. Findings are written in English whatever the locale."""
    authorize_caller(caller, "access-analyzer:ValidatePolicy", "*")
    text = _document(policy_document, "policyDocument")
    _one_of(policy_type, VALIDATE_POLICY_TYPES, "policyType")
    if locale is not None:
        _one_of(locale, LOCALES, "locale")
    engine_type = str(policy_type)
    if validate_policy_resource_type is not None:
        _one_of(validate_policy_resource_type, VALIDATE_RESOURCE_TYPES, "validatePolicyResourceType")
        if policy_type != "RESOURCE_POLICY":
            raise ValidationException("validatePolicyResourceType is valid only with policyType RESOURCE_POLICY.",
                                      field="validatePolicyResourceType")
        if validate_policy_resource_type == "AWS::IAM::AssumeRolePolicyDocument":
            engine_type = "TRUST_POLICY"
    page_size = _page_size(max_results)
    _within_size(text, engine_type if engine_type in POLICY_SIZE_LIMITS else "IDENTITY_POLICY", "policyDocument")
    ensure_catalogue_loaded()
    findings = [finding_shape(finding, text) for finding in validate(text, policy_type=engine_type).findings]
    start = _page_start(next_token, text, str(policy_type))
    end = start + page_size
    following = _page_token(end, text, str(policy_type)) if end < len(findings) else None
    return FindingsPage(findings[start:end], following)


def finding_shape(finding: Finding, text: str) -> dict[str, Any]:
    """A finding as botocore's ValidatePolicyFinding: Access Analyzer counts lines from 1, columns and offsets
    from 0; the span covers the JSON value (or key) the finding is about."""
    start = _offset(text, finding.line, finding.column)
    end = _value_end(text, start)
    kind = finding.severity.value
    anchor = f"access-analyzer-reference-policy-checks-{kind.lower().replace('_', '-')}-" \
             f"{finding.issue_code.lower().replace('_', '-')}"
    return {
        "findingDetails": finding.message,
        "findingType": kind,
        "issueCode": finding.issue_code,
        "learnMoreLink": f"{LEARN_MORE}#{anchor}",
        "locations": [{"path": path_elements(finding.path),
                       "span": {"start": _position(text, start), "end": _position(text, end)}}],
    }


_INDEX = re.compile(r"^(?P<key>[^\[]*)(?P<indexes>(?:\[\d+\])*)$")


def path_elements(path: str) -> list[dict[str, Any]]:
    """``Statement[0].Condition.StringEquals.aws:RequestTag/app.name`` as PathElements. A condition key may hold
    dots, so everything after the operator is one key."""
    if not path:
        return []
    parts = path.split(".")
    if len(parts) > 3 and parts[1] == "Condition":
        parts = [*parts[:3], ".".join(parts[3:])]
    elements: list[dict[str, Any]] = []
    for part in parts:
        match = _INDEX.match(part)
        if match is None:
            elements.append({"key": part})
            continue
        if match["key"]:
            elements.append({"key": match["key"]})
        elements.extend({"index": int(i)} for i in re.findall(r"\[(\d+)\]", match["indexes"]))
    return elements


def _offset(text: str, line: int, column: int) -> int:
    if line < 1:
        return 0
    lines = text.split("\n")
    before = sum(len(item) + 1 for item in lines[:line - 1])
    return min(len(text), before + max(column - 1, 0))


def _value_end(text: str, start: int) -> int:
    """The end of the JSON value that starts at ``start``; the start itself where none does (a syntax error)."""
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, IndexError):
        return start
    return end


def _position(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return {"line": line, "column": column, "offset": offset}


def _page_size(max_results: object) -> int:
    if max_results is None:
        return DEFAULT_PAGE_SIZE
    if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
        raise ValidationException("maxResults must be a positive integer.", field="maxResults")
    return max_results


def _fingerprint(text: str, policy_type: str) -> str:
    return hashlib.sha256(f"{policy_type}\n{text}".encode()).hexdigest()[:16]


def _page_token(start: int, text: str, policy_type: str) -> str:
    raw = json.dumps({"start": start, "of": _fingerprint(text, policy_type)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _page_start(token: object, text: str, policy_type: str) -> int:
    """Where the page starts: a token is good only for the document and policy type it was given for."""
    if token is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        start, of = data["start"], data["of"]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
        raise ValidationException("nextToken is not a token this operation returned.", field="nextToken") from None
    if not isinstance(start, int) or start < 0 or of != _fingerprint(text, policy_type):
        raise ValidationException("nextToken was returned for another policy document or policy type.",
                                  field="nextToken")
    return start


# ---- the custom checks ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckOutcome:
    """A custom check's answer: ``result``, ``message`` and ``reasons`` as AWS's response has them (the first FAIL
    reason's description also tells the counterexample), and the ``counterexample`` whole."""

    result: str
    message: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    counterexample: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The CheckNoNewAccess / CheckAccessNotGranted / CheckNoPublicAccess response."""
        out: dict[str, Any] = {"result": self.result, "message": self.message}
        if self.reasons:
            out["reasons"] = self.reasons
        return out

    def audit_elements(self) -> dict[str, Any]:
        return {"result": self.result}


def outcome_of(result: engine.CheckResult) -> CheckOutcome:
    """The engine's answer in the operations' shape, the counterexample written into its reason."""
    reasons = [reason.to_dict() for reason in result.reasons]
    example = result.counterexample
    if example is not None:
        for reason in reasons:
            if not reason["description"].startswith("Cannot prove"):
                reason["description"] = f"{reason['description']} {describe_counterexample(example)}"
                break
    return CheckOutcome(result.result, result.message, reasons, example.to_dict() if example else None)


def describe_counterexample(example: engine.Counterexample) -> str:
    """One sentence naming the request that makes the FAIL true."""
    who = f" by {example.principal}" if example.principal is not None else ""
    context = f" with context {json.dumps(example.context, sort_keys=True, default=str)}" if example.context else ""
    return f"For example, {example.action} on {example.resource}{who}{context} is allowed."


@iam_operation("CheckNoNewAccess", event_source=EVENT_SOURCE)
def check_no_new_access(*, caller: Caller, new_policy_document: object, existing_policy_document: object,
                        policy_type: object) -> CheckOutcome:
    """Does the new policy allow anything the existing one does not?"""
    authorize_caller(caller, "access-analyzer:CheckNoNewAccess", "*")
    _one_of(policy_type, CHECK_POLICY_TYPES, "policyType")
    new = _checked(new_policy_document, str(policy_type), "newPolicyDocument")
    existing = _checked(existing_policy_document, str(policy_type), "existingPolicyDocument")
    return _run(lambda: engine.check_no_new_access(new, existing, str(policy_type)))


@iam_operation("CheckAccessNotGranted", event_source=EVENT_SOURCE)
def check_access_not_granted(*, caller: Caller, policy_document: object, access: object,
                             policy_type: object) -> CheckOutcome:
    """Does the policy grant any of the listed actions, or any action on the listed resources?"""
    authorize_caller(caller, "access-analyzer:CheckAccessNotGranted", "*")
    _one_of(policy_type, CHECK_POLICY_TYPES, "policyType")
    actions, resources = _access(access)
    text = _checked(policy_document, str(policy_type), "policyDocument")
    return _run(lambda: engine.check_access_not_granted(text, actions, resources, str(policy_type)))


@iam_operation("CheckNoPublicAccess", event_source=EVENT_SOURCE)
def check_no_public_access(*, caller: Caller, policy_document: object, resource_type: object) -> CheckOutcome:
    """Can the resource policy grant access to anyone at all (any account, or an anonymous caller)?"""
    authorize_caller(caller, "access-analyzer:CheckNoPublicAccess", "*")
    _one_of(resource_type, PUBLIC_ACCESS_RESOURCE_TYPES, "resourceType")
    document_type = "TRUST_POLICY" if resource_type == "AWS::IAM::AssumeRolePolicyDocument" else "RESOURCE_POLICY"
    text = _checked(policy_document, document_type, "policyDocument")
    return _run(lambda: engine.check_no_public_access(text, str(resource_type)))


def _run(check) -> CheckOutcome:  # type: ignore[no-untyped-def]
    try:
        return outcome_of(check())
    except engine.PolicyCheckError as error:
        raise InvalidParameterException(str(error)) from None


def _access(access: object) -> tuple[list[str], list[str]]:
    """CheckAccessNotGranted's ``access``: one entry of actions and/or resources, at most 100 of each."""
    if not isinstance(access, list) or len(access) != 1 or not isinstance(access[0], dict):
        raise ValidationException("access must hold exactly one entry of actions and/or resources.", field="access")
    entry = access[0]
    unknown = set(entry) - {"actions", "resources"}
    if unknown:
        raise ValidationException(f"access takes only actions and resources, not {', '.join(sorted(unknown))}.",
                                  field="access")
    actions, resources = entry.get("actions") or [], entry.get("resources") or []
    for name, items in (("actions", actions), ("resources", resources)):
        if not isinstance(items, list) or not all(isinstance(item, str) and item for item in items):
            raise ValidationException(f"access.{name} must be a list of non-empty strings.", field=f"access.{name}")
        if len(items) > MAX_ACCESS_ITEMS:
            raise ValidationException(f"access.{name} holds {len(items)} items; at most {MAX_ACCESS_ITEMS} are "
                                      "allowed.", field=f"access.{name}")
    if any(len(item) > MAX_RESOURCE_LENGTH for item in resources):
        raise ValidationException(f"A resource in access.resources is longer than {MAX_RESOURCE_LENGTH} characters.",
                                  field="access.resources")
    if not actions and not resources:
        raise ValidationException("access must list at least one action or resource.", field="access")
    return actions, resources


# ---- input checks --------------------------------------------------------------------------------------------

def _one_of(value: object, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValidationException(f"{name} must be one of {', '.join(allowed)}; {value!r} is not.", field=name)


def _document(document: object, name: str) -> str:
    """The policy's JSON text; the REST API and console may give the policy as a JSON object."""
    if isinstance(document, dict):
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if not isinstance(document, str) or not document.strip():
        raise ValidationException(f"{name} is required: the policy's JSON text.", field=name)
    return document


def _within_size(text: str, policy_type: str, name: str) -> None:
    limit = POLICY_SIZE_LIMITS[policy_type]
    counted = len(text) if policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY") else \
        sum(1 for c in text if c not in " \t\n\r")
    if counted > limit:
        raise ValidationException(f"{name} is {counted} characters long; a {policy_type} may hold at most {limit} "
                                  "(whitespace not counted).", field=name)


def _checked(document: object, policy_type: str, name: str) -> str:
    """The document's text when it is a policy of that type IAM would store; nothing else can be checked."""
    text = _document(document, name)
    _within_size(text, "RESOURCE_POLICY" if policy_type == "TRUST_POLICY" else policy_type, name)
    ensure_catalogue_loaded()
    result = validate(text, policy_type=policy_type)
    if not result.valid:
        first = result.blocking()[0]
        where = f" (line {first.line}, column {first.column})" if first.line else ""
        raise InvalidParameterException(f"{name} is not a valid policy: {first.message}{where}")
    return text
