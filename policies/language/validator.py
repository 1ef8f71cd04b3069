"""Policy validation: grammar, IAM's own limits, and security checks -> sorted findings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import checks, guardrail_grammar
from .actions import wildcard_regex
from .arn import parse_arn
from .findings import Finding, Severity, sort_findings
from .guardrail_grammar import GUARDRAIL_POLICY_TYPES, RESOURCE_CONTROL_POLICY, SERVICE_CONTROL_POLICY
from .iam_grammar import VERSION_MESSAGE
from .model import VALID_VERSIONS, VERSION_2012, Located, PolicyDocument, Statement
from .parser import parse_policy

IDENTITY_POLICY = "IDENTITY_POLICY"
RESOURCE_POLICY = "RESOURCE_POLICY"
TRUST_POLICY = "TRUST_POLICY"
POLICY_TYPES = (IDENTITY_POLICY, RESOURCE_POLICY, TRUST_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY)

# IAM User Guide: "IAM and AWS STS quotas" — policy sizes, whitespace not counted:
# managed policy 6,144; inline policies in total per user 2,048, per group 5,120, per
# role 10,240; role trust policy 2,048 (the default "Role trust policy length").
SIZE_LIMITS: dict[str, int] = {
    "managed": 6144,
    "user_inline": 2048,
    "group_inline": 5120,
    "role_inline": 10240,
    "trust": 2048,
}

# IAM API reference, PolicyDocument: [\u0009\u000A\u000D\u0020-\u00FF]+
_INVALID_CHARACTER = re.compile(r"[^\t\n\r\x20-\xff]")
_MAX_CHARACTER_FINDINGS = 10
_SID = re.compile(r"^[A-Za-z0-9]*$")
_PASS_ROLE = "iam:passrole"


@dataclass(slots=True)
class ValidationResult:
    """``valid`` is IAM's verdict: True when IAM would store the document (no blocking
    finding). Advice of any severity, ERROR included, leaves it valid."""

    valid: bool
    findings: list[Finding] = field(default_factory=list)
    model: PolicyDocument | None = None

    def blocking(self) -> list[Finding]:
        """The findings for which IAM refuses the document."""
        return [f for f in self.findings if f.blocking]

    def errors(self) -> list[Finding]:
        """Every ERROR-level finding, blocking or advice."""
        return [f for f in self.findings if f.severity is Severity.ERROR]


def validate(
    text: str,
    policy_type: str = IDENTITY_POLICY,
    size_limit: int | str | None = None,
) -> ValidationResult:
    """Validate policy JSON text. Never raises.

    ``size_limit`` is a character count or a SIZE_LIMITS key ("managed", "user_inline",
    "group_inline", "role_inline", "trust"); None skips the size check, except for SCPs and
    RCPs, whose 5,120-character quota (GUARDRAIL_SIZE_LIMIT) always applies and counts every
    character (Organizations counts whitespace; IAM does not).
    """
    if policy_type not in POLICY_TYPES:
        raise ValueError(f"policy_type must be one of {POLICY_TYPES}")
    findings: list[Finding] = []
    if not isinstance(text, str):
        text = ""  # parse_policy reports it
    findings.extend(_character_findings(text))
    limit = SIZE_LIMITS[size_limit] if isinstance(size_limit, str) else size_limit
    if policy_type in GUARDRAIL_POLICY_TYPES:
        too_long = guardrail_grammar.size_finding(text, limit or guardrail_grammar.GUARDRAIL_SIZE_LIMIT)
        if too_long is not None:
            findings.append(too_long)
    elif limit is not None:
        size = sum(1 for c in text if c not in " \t\n\r")
        if size > limit:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "POLICY_SIZE_EXCEEDED",
                    f"The policy is {size} characters long (whitespace excluded); the limit is {limit}. "
                    "Split it into several policies or shorten it (use wildcards, fewer statements).",
                    1,
                    1,
                    "",
                    blocking=True,
                )
            )
    parsed = parse_policy(text)
    findings.extend(parsed.findings)
    if parsed.document is not None:
        _DocumentValidator(parsed.document, policy_type, findings.append).run()
    ordered = sort_findings(findings)
    return ValidationResult(valid=not any(f.blocking for f in ordered), findings=ordered, model=parsed.document)


def _character_findings(text: str) -> list[Finding]:
    found = []
    line, line_start = 1, 0
    scanned = 0
    for match in _INVALID_CHARACTER.finditer(text):
        # Count lines incrementally instead of rescanning from the start for each hit.
        newlines = text.count("\n", scanned, match.start())
        if newlines:
            line += newlines
            line_start = text.rfind("\n", 0, match.start()) + 1
        scanned = match.start()
        char = match.group()
        found.append(
            Finding(
                Severity.ERROR,
                "INVALID_CHARACTER",
                f"Character U+{ord(char):04X} is not allowed: policies may contain only tab, line feed, "
                "carriage return and characters U+0020 through U+00FF.",
                line,
                match.start() - line_start + 1,
                "",
                blocking=True,
            )
        )
        if len(found) >= _MAX_CHARACTER_FINDINGS:
            break
    return found


def _statement_loc(statement: Statement) -> Located:
    return Located("", statement.line, statement.column, statement.path)


class _DocumentValidator:
    """Walks a parsed document: IAM's verdict (``checks.malformed``) and advice side by side."""

    def __init__(self, document: PolicyDocument, policy_type: str, emit: checks.Emit) -> None:
        self.document = document
        self.policy_type = policy_type
        self.emit = emit
        self.variables = document.supports_variables

    def run(self) -> None:
        document = self.document
        root = Located("", document.line, document.column, "")
        self.check_version(root)
        if "Statement" not in document.elements:
            self.emit(checks.malformed("MISSING_STATEMENT", "The policy has no Statement. Add at least one statement.",
                                       root))
        elif not document.statements and "Statement" in document.elements:
            self.emit(
                checks.malformed(
                    "MISSING_STATEMENT",
                    "Statement is empty. Add at least one statement.",
                    document.elements["Statement"],
                )
            )
        seen_sids: dict[str, Located] = {}
        for statement in document.statements:
            self.check_sid(statement, seen_sids)
            self.check_statement(statement)

    def check_version(self, root: Located) -> None:
        """IAM User Guide, "IAM JSON policy elements: Version": only 2012-10-17 and 2008-10-17
        exist. IAM refuses identity-based policies (managed and inline) of any version but
        2012-10-17, a missing Version included ("Policy document must be version 2012-10-17
        or greater."); role trust policies and resource-based policies still take 2008-10-17
        or no Version (then 2008-10-17 applies and variables are literal text)."""
        version = self.document.version
        if guardrail_grammar.check_version(self.document, self.policy_type, self.emit):
            return
        if version is not None and version.value not in VALID_VERSIONS:
            self.emit(
                checks.malformed(
                    "INVALID_VERSION",
                    f'Version {version.value!r} is not valid. Use "{VERSION_2012}".',
                    version,
                )
            )
            return
        if version is not None and version.value == VERSION_2012:
            return
        where = version if version is not None else root
        if self.policy_type == IDENTITY_POLICY:
            self.emit(checks.malformed("INVALID_VERSION", f'{VERSION_MESSAGE} Add "Version": "{VERSION_2012}".',
                                       where))
            return
        self.emit(
            Finding(
                Severity.SUGGESTION,
                "MISSING_VERSION" if version is None else "OLD_VERSION",
                f'Use "Version": "{VERSION_2012}". With 2008-10-17 (also the default when Version is missing) '
                "policy variables are not substituted.",
                where.line,
                where.column,
                where.path,
            )
        )

    def check_sid(self, statement: Statement, seen: dict[str, Located]) -> None:
        sid = statement.sid
        if sid is None:
            return
        if sid.value and sid.value in seen:
            first = seen[sid.value]
            self.emit(
                checks.malformed(
                    "DUPLICATE_SID",
                    f"Statement IDs (SID) in a single policy must be unique: {sid.value!r} is already used on "
                    f"line {first.line}.",
                    sid,
                )
            )
        seen.setdefault(sid.value, sid)
        # IAM User Guide, "IAM JSON policy elements: Sid": "The Sid element supports ASCII
        # uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)." IAM has been
        # seen to store other characters (underscores, spaces); where the documentation and
        # that behaviour disagree we follow the documentation for the policies IAM itself
        # stores (identity and trust policies). Resource policies belong to other services,
        # whose Sids may hold spaces and punctuation.
        if self.policy_type != RESOURCE_POLICY and not _SID.match(sid.value):
            self.emit(
                checks.malformed(
                    "INVALID_SID",
                    f"Sid {sid.value!r} may contain only letters A-Z, a-z and digits 0-9.",
                    sid,
                )
            )

    def check_statement(self, statement: Statement) -> None:
        emit = self.emit
        where = _statement_loc(statement)
        elements = statement.elements
        if statement.effect is None:
            if "Effect" not in elements:
                emit(
                    checks.malformed(
                        "MISSING_EFFECT", 'The statement has no Effect. Add "Effect": "Allow" or "Deny".', where
                    )
                )
        elif statement.effect.value not in ("Allow", "Deny"):
            emit(
                checks.malformed(
                    "INVALID_EFFECT",
                    f'Effect must be "Allow" or "Deny" (case-sensitive), not {statement.effect.value!r}.',
                    statement.effect,
                )
            )
        self.check_actions(statement, where)
        self.check_resources(statement, where)
        checks.check_conditions(statement, self.variables, emit)
        if self.policy_type in GUARDRAIL_POLICY_TYPES:
            # Guardrails never grant, so the advice about broad grants does not apply to them.
            guardrail_grammar.check_statement(statement, self.policy_type, emit)
            if self.policy_type == RESOURCE_CONTROL_POLICY:
                for principal in (statement.principal, statement.not_principal):
                    if principal is not None:
                        checks.check_principal(principal, RESOURCE_POLICY, emit)
            return
        self.check_principals(statement, where)
        if statement.effect is not None and statement.effect.value == "Allow":
            self.check_security(statement, elements)

    def check_actions(self, statement: Statement, where: Located) -> None:
        emit = self.emit
        elements = statement.elements
        if "Action" in elements and "NotAction" in elements:
            emit(
                checks.malformed(
                    "ACTION_AND_NOT_ACTION",
                    "A statement may have Action or NotAction, not both. Remove one.",
                    elements["NotAction"],
                )
            )
        name = "Action" if "Action" in elements else "NotAction"
        if name not in elements:
            emit(checks.malformed("MISSING_ACTION", "Policy statement must contain actions: add Action.", where))
            return
        present = statement.action if name == "Action" else statement.not_action
        if not present and name not in statement.only_nulls:
            emit(checks.malformed("MISSING_ACTION", f"Policy statement must contain actions: {name} is empty.",
                                  elements[name]))
        for value in (statement.action or ()) + (statement.not_action or ()):
            checks.check_action(value, emit)
        if self.policy_type == TRUST_POLICY:
            if "NotAction" in elements:
                emit(
                    checks.malformed(
                        "UNSUPPORTED_ELEMENT",
                        "A role trust policy lists the actions it allows in Action; NotAction is not supported.",
                        elements["NotAction"],
                    )
                )
            for value in statement.action or ():
                checks.check_trust_action(value, emit)
        checks.check_resource_types(statement, emit)

    def check_resources(self, statement: Statement, where: Located) -> None:
        emit = self.emit
        elements = statement.elements
        if "Resource" in elements and "NotResource" in elements:
            emit(
                checks.malformed(
                    "RESOURCE_AND_NOT_RESOURCE",
                    "A statement may have Resource or NotResource, not both. Remove one.",
                    elements["NotResource"],
                )
            )
        if self.policy_type == TRUST_POLICY:
            for name in ("Resource", "NotResource"):
                if name in elements:
                    emit(
                        checks.malformed(
                            "UNSUPPORTED_ELEMENT",
                            f"Has prohibited field {name}: a role trust policy has no {name}, the role itself is "
                            "the resource. Remove it.",
                            elements[name],
                        )
                    )
            return
        name = "Resource" if "Resource" in elements else "NotResource"
        if name not in elements:
            emit(
                checks.malformed(
                    "MISSING_RESOURCE",
                    'Policy statement must contain resources: add Resource with the ARNs it covers, or "*".',
                    where,
                )
            )
            return
        present = statement.resource if name == "Resource" else statement.not_resource
        if not present and name not in statement.only_nulls:
            emit(
                checks.malformed(
                    "MISSING_RESOURCE",
                    f'Policy statement must contain resources: {name} is empty. List at least one ARN or "*".',
                    elements[name],
                )
            )
        for value in (statement.resource or ()) + (statement.not_resource or ()):
            checks.check_resource(value, self.variables, emit)

    def check_principals(self, statement: Statement, where: Located) -> None:
        """IAM User Guide, "AWS JSON policy elements: Principal" and "...: NotPrincipal":
        identity-based policies take neither ("Has prohibited field Principal"); resource
        policies and role trust policies must name a Principal; NotPrincipal is for
        resource policies only, and only with Deny."""
        emit = self.emit
        elements = statement.elements
        if self.policy_type == IDENTITY_POLICY:
            for name in ("Principal", "NotPrincipal"):
                if name in elements:
                    emit(
                        checks.malformed(
                            "UNSUPPORTED_PRINCIPAL",
                            f"Has prohibited field {name}: identity-based policies apply to the identity they are "
                            "attached to. Remove it.",
                            elements[name],
                        )
                    )
            return
        if "Principal" in elements and "NotPrincipal" in elements:
            emit(
                checks.malformed(
                    "PRINCIPAL_AND_NOT_PRINCIPAL",
                    "A statement may have Principal or NotPrincipal, not both. Remove one.",
                    elements["NotPrincipal"],
                )
            )
        if self.policy_type == TRUST_POLICY and "NotPrincipal" in elements:
            emit(
                checks.malformed(
                    "UNSUPPORTED_PRINCIPAL",
                    "A role trust policy cannot use NotPrincipal. Name the trusted principals in Principal.",
                    elements["NotPrincipal"],
                )
            )
        elif "NotPrincipal" in elements and statement.effect is not None and statement.effect.value == "Allow":
            emit(
                checks.malformed(
                    "ALLOW_WITH_NOT_PRINCIPAL",
                    'NotPrincipal must be used with "Effect": "Deny". Name the allowed principals in Principal.',
                    elements["NotPrincipal"],
                )
            )
        if "Principal" not in elements and "NotPrincipal" not in elements:
            emit(
                checks.malformed(
                    "MISSING_PRINCIPAL",
                    "Missing required field Principal: name who the statement applies to.",
                    where,
                )
            )
        for principal in (statement.principal, statement.not_principal):
            if principal is not None:
                checks.check_principal(principal, self.policy_type, emit)

    def check_security(self, statement: Statement, elements: dict) -> None:  # type: ignore[type-arg]
        emit = self.emit
        if "NotAction" in elements:
            emit(
                checks.security(
                    "ALLOW_WITH_NOT_ACTION",
                    "Allow with NotAction grants every action except those listed, including future actions "
                    "and other services. List the allowed actions in Action instead.",
                    elements["NotAction"],
                )
            )
        if "NotResource" in elements:
            emit(
                checks.security(
                    "ALLOW_WITH_NOT_RESOURCE",
                    "Allow with NotResource grants access to every resource except those listed. "
                    "List the allowed resources in Resource instead.",
                    elements["NotResource"],
                )
            )
        actions = statement.action or ()
        resources = [r.value for r in statement.resource or ()]
        star_resource = "*" in resources
        for value in actions:
            if value.value == "*" and star_resource:
                emit(
                    checks.security(
                        "ALLOW_ALL_ON_ALL",
                        '"Action": "*" on "Resource": "*" grants full administrator access. '
                        "Grant only the actions and resources needed.",
                        value,
                    )
                )
            if wildcard_regex(value.value, ignore_case=True).fullmatch(_PASS_ROLE) and any(
                _any_role(r) for r in resources
            ):
                emit(
                    checks.security(
                        "PASS_ROLE_WITH_STAR_RESOURCE",
                        "iam:PassRole with a wildcard resource lets the holder pass any role, including "
                        "more privileged ones, to a service. List the specific role ARNs.",
                        value,
                    )
                )
        if (
            self.policy_type != IDENTITY_POLICY
            and statement.principal is not None
            and statement.principal.wildcard
        ):
            if not statement.condition:
                emit(
                    checks.security(
                        "ALLOW_ANY_PRINCIPAL",
                        'Allow with "Principal": "*" and no Condition grants access to anyone, in any account. '
                        "Name the principals or add conditions such as aws:PrincipalOrgID.",
                        elements["Principal"],
                    )
                )


def _any_role(resource: str) -> bool:
    """ "*" or an ARN whose resource part is only a wildcard over roles."""
    if resource == "*":
        return True
    arn = parse_arn(resource)
    return arn is not None and arn.resource in ("*", "role/*", "role*")
