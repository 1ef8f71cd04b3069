"""The grammars of AWS Organizations' service control policies (SCPs) and resource control policies (RCPs).

Sources: AWS Organizations User Guide, "SCP syntax" (full IAM policy language since September 2025:
conditions, resource ARNs and NotAction in Allow statements, NotResource in Allow and Deny,
wildcards anywhere in an action; Principal and NotPrincipal are not supported) and "RCP syntax"
(Version 2012-10-17 required; Principal must be "*"; NotPrincipal and NotAction are not
supported; Allow only in the form of RCPFullAWSAccess), "Quotas" (5,120 characters, every
character counted, whitespace included), and IAM Access Analyzer's policy check reference
(SCP_SYNTAX_ERROR_PRINCIPAL). Organizations refuses a document that breaks these rules with
MalformedPolicyDocumentException; those findings are blocking.
"""

from __future__ import annotations

from collections.abc import Callable

from . import actions as catalogue
from .findings import Finding, Severity
from .model import VERSION_2012, Located, PolicyDocument, Statement

SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY"
RESOURCE_CONTROL_POLICY = "RESOURCE_CONTROL_POLICY"
GUARDRAIL_POLICY_TYPES = (SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY)
# AWS Organizations User Guide, "Quotas for AWS Organizations": maximum policy document size
# 5,120 characters for SCPs and RCPs; "All characters in your SCP count against its maximum size".
GUARDRAIL_SIZE_LIMIT = 5120

# Services whose resources RCPs govern (AWS Organizations User Guide, "List of AWS services that
# support RCPs"), plus every service registered in the directory's catalogue, whose resources the
# directory itself decides.
RCP_SERVICES = frozenset({
    "s3", "sts", "kms", "sqs", "secretsmanager", "cognito-identity", "logs", "dynamodb", "ecr", "aoss",
})

Emit = Callable[[Finding], None]


def _blocking(code: str, message: str, where: Located) -> Finding:
    return Finding(Severity.ERROR, code, message, where.line, where.column, where.path, blocking=True)


def size_finding(text: str, limit: int) -> Finding | None:
    """Organizations counts every character of the document, whitespace included."""
    size = len(text)
    if size <= limit:
        return None
    return Finding(
        Severity.ERROR,
        "POLICY_SIZE_EXCEEDED",
        f"The policy is {size} characters long (every character counts, whitespace included); the limit is "
        f"{limit}. Remove whitespace outside quoted strings, or split it into several policies.",
        1,
        1,
        "",
        blocking=True,
    )


def check_version(document: PolicyDocument, policy_type: str, emit: Emit) -> bool:
    """RCP syntax: "Every RCP must include a Version element with the value 2012-10-17." SCPs take the
    documents IAM takes, so a missing or 2008-10-17 Version there is advice (see the validator).
    Returns True when the rule was decided here."""
    if policy_type != RESOURCE_CONTROL_POLICY:
        return False
    version = document.version
    if version is None or version.value != VERSION_2012:
        where = version if version is not None else Located("", document.line, document.column, "")
        emit(_blocking("INVALID_VERSION", f'An RCP must have "Version": "{VERSION_2012}".', where))
    return True


def _is_full_access(statement: Statement) -> bool:
    """The one Allow statement an RCP may hold: RCPFullAWSAccess's Principal "*", Action "*", Resource "*"."""
    return (
        statement.principal is not None
        and statement.principal.wildcard
        and [a.value for a in statement.action or ()] == ["*"]
        and [r.value for r in statement.resource or ()] == ["*"]
        and statement.condition is None
        and statement.not_resource is None
    )


def check_statement(statement: Statement, policy_type: str, emit: Emit) -> None:
    """The rules that set SCPs and RCPs apart from identity and resource policies."""
    elements = statement.elements
    if policy_type == SERVICE_CONTROL_POLICY:
        for name in ("Principal", "NotPrincipal"):
            if name in elements:
                emit(_blocking(
                    "SCP_SYNTAX_ERROR_PRINCIPAL",
                    f"SCPs do not support specifying principals. Remove the {name} element: an SCP applies to "
                    "every IAM user and role of the accounts it is attached to.",
                    elements[name],
                ))
        return
    # RESOURCE_CONTROL_POLICY
    if "NotPrincipal" in elements:
        emit(_blocking(
            "RCP_SYNTAX_ERROR_PRINCIPAL",
            'RCPs do not support NotPrincipal. Use "Principal": "*" and exclude principals with a condition such '
            "as aws:PrincipalArn or aws:PrincipalOrgID.",
            elements["NotPrincipal"],
        ))
    if "Principal" in elements:
        principal = statement.principal
        if principal is None or not principal.wildcard:
            emit(_blocking(
                "RCP_SYNTAX_ERROR_PRINCIPAL",
                'The Principal of an RCP must be "*". Restrict principals with conditions such as '
                "aws:PrincipalOrgID or aws:PrincipalAccount.",
                elements["Principal"],
            ))
    elif "NotPrincipal" not in elements:
        where = Located("", statement.line, statement.column, statement.path)
        emit(_blocking("MISSING_PRINCIPAL", 'Missing required field Principal: an RCP statement needs "Principal": "*".',
                       where))
    if "NotAction" in elements:
        emit(_blocking(
            "INVALID_POLICY_ELEMENT",
            "RCPs do not support NotAction. List the actions the statement denies in Action.",
            elements["NotAction"],
        ))
    if statement.effect is not None and statement.effect.value == "Allow" and not _is_full_access(statement):
        emit(_blocking(
            "RCP_SYNTAX_ERROR_ALLOW",
            'RCPs support "Effect": "Allow" only as in RCPFullAWSAccess (Principal, Action and Resource "*", no '
            "Condition). Write the restriction as a Deny statement.",
            statement.effect,
        ))
    for action in statement.action or ():
        service = action.value.partition(":")[0].lower()
        if action.value == "*" or "*" in service or "?" in service:
            continue
        if service not in RCP_SERVICES and service not in catalogue.KNOWN_SERVICES - catalogue.BUILTIN_SERVICES:
            emit(Finding(
                Severity.WARNING,
                "RCP_UNSUPPORTED_SERVICE",
                f"{action.value}: RCPs apply only to the resources of "
                f"{', '.join(sorted(RCP_SERVICES))} and the directory's registered services, so this action is "
                "never restricted by an RCP.",
                action.line,
                action.column,
                action.path,
            ))
