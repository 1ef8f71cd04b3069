"""Policy validation: grammar, IAM's own limits, and security checks -> sorted findings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import checks
from .actions import wildcard_regex
from .arn import parse_arn
from .findings import Finding, Severity, sort_findings
from .model import VALID_VERSIONS, VERSION_2012, Located, PolicyDocument, Statement
from .parser import parse_policy

IDENTITY_POLICY = "IDENTITY_POLICY"
RESOURCE_POLICY = "RESOURCE_POLICY"
TRUST_POLICY = "TRUST_POLICY"
POLICY_TYPES = (IDENTITY_POLICY, RESOURCE_POLICY, TRUST_POLICY)

# IAM User Guide: "IAM and AWS STS quotas" — policy sizes, whitespace not counted.
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
    """``valid`` is True when there is no ERROR finding."""

    valid: bool
    findings: list[Finding] = field(default_factory=list)
    model: PolicyDocument | None = None

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def validate(
    text: str,
    policy_type: str = IDENTITY_POLICY,
    size_limit: int | str | None = None,
) -> ValidationResult:
    """Validate policy JSON text. Never raises.

    ``size_limit`` is a character count or a SIZE_LIMITS key ("managed", "user_inline",
    "group_inline", "role_inline", "trust"); None skips the size check.
    """
    if policy_type not in POLICY_TYPES:
        raise ValueError(f"policy_type must be one of {POLICY_TYPES}")
    findings: list[Finding] = []
    if not isinstance(text, str):
        text = ""  # parse_policy reports it
    findings.extend(_character_findings(text))
    limit = SIZE_LIMITS[size_limit] if isinstance(size_limit, str) else size_limit
    if limit is not None:
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
                )
            )
    parsed = parse_policy(text)
    findings.extend(parsed.findings)
    if parsed.document is not None:
        _DocumentValidator(parsed.document, policy_type, findings.append).run()
    ordered = sort_findings(findings)
    return ValidationResult(
        valid=not any(f.severity is Severity.ERROR for f in ordered), findings=ordered, model=parsed.document
    )


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
            )
        )
        if len(found) >= _MAX_CHARACTER_FINDINGS:
            break
    return found


def _statement_loc(statement: Statement) -> Located:
    return Located("", statement.line, statement.column, statement.path)


class _DocumentValidator:
    def __init__(self, document: PolicyDocument, policy_type: str, emit: checks.Emit) -> None:
        self.document = document
        self.policy_type = policy_type
        self.emit = emit
        self.variables = document.supports_variables

    def run(self) -> None:
        document = self.document
        root = Located("", document.line, document.column, "")
        if document.version is None:
            self.emit(
                Finding(
                    Severity.SUGGESTION,
                    "MISSING_VERSION",
                    f'Add "Version": "{VERSION_2012}". Without it IAM uses 2008-10-17, which does not '
                    "support policy variables.",
                    root.line,
                    root.column,
                    "",
                )
            )
        elif document.version.value not in VALID_VERSIONS:
            self.emit(
                checks.error(
                    "INVALID_VERSION",
                    f'Version {document.version.value!r} is not valid. Use "{VERSION_2012}".',
                    document.version,
                )
            )
        if "Statement" not in document.elements:
            self.emit(
                checks.error(
                    "MISSING_STATEMENT", "The policy has no Statement. Add at least one statement.", root
                )
            )
        elif not document.statements:
            self.emit(
                checks.error(
                    "MISSING_STATEMENT",
                    "Statement is empty. Add at least one statement.",
                    document.elements["Statement"],
                )
            )
        seen_sids: dict[str, Located] = {}
        for statement in document.statements:
            self.check_sid(statement, seen_sids)
            self.check_statement(statement)

    def check_sid(self, statement: Statement, seen: dict[str, Located]) -> None:
        sid = statement.sid
        if sid is None:
            return
        if sid.value and sid.value in seen:
            first = seen[sid.value]
            self.emit(
                checks.error(
                    "DUPLICATE_SID",
                    f"Sid {sid.value!r} is already used on line {first.line}. Statement IDs must be unique.",
                    sid,
                )
            )
        seen.setdefault(sid.value, sid)
        if self.policy_type == IDENTITY_POLICY and not _SID.match(sid.value):
            self.emit(
                checks.error(
                    "INVALID_SID",
                    f"Sid {sid.value!r} may contain only letters A-Z, a-z and digits 0-9 in identity-based policies.",
                    sid,
                )
            )

    def check_statement(self, statement: Statement) -> None:
        emit = self.emit
        where = _statement_loc(statement)
        elements = statement.elements
        if statement.effect is None:
            emit(
                checks.error(
                    "MISSING_EFFECT", 'The statement has no Effect. Add "Effect": "Allow" or "Deny".', where
                )
            )
        elif statement.effect.value not in ("Allow", "Deny"):
            emit(
                checks.error(
                    "INVALID_EFFECT",
                    f'Effect must be "Allow" or "Deny" (case-sensitive), not {statement.effect.value!r}.',
                    statement.effect,
                )
            )
        self.check_actions(statement, where)
        self.check_resources(statement, where)
        self.check_principals(statement, where)
        checks.check_conditions(statement, self.variables, emit)
        if statement.effect is not None and statement.effect.value == "Allow":
            self.check_security(statement, elements)

    def check_actions(self, statement: Statement, where: Located) -> None:
        emit = self.emit
        if statement.action is not None and statement.not_action is not None:
            emit(
                checks.error(
                    "ACTION_AND_NOT_ACTION",
                    "A statement may have Action or NotAction, not both. Remove one.",
                    statement.elements["NotAction"],
                )
            )
        present = statement.action if statement.action is not None else statement.not_action
        name = "Action" if statement.action is not None else "NotAction"
        if present is None:
            emit(
                checks.error(
                    "MISSING_ACTION",
                    "The statement has no Action or NotAction. Add the actions it covers.",
                    where,
                )
            )
            return
        if not present and name in statement.elements:
            emit(
                checks.error(
                    "MISSING_ACTION", f"{name} is empty. List at least one action.", statement.elements[name]
                )
            )
        for value in (statement.action or ()) + (statement.not_action or ()):
            checks.check_action(value, emit)
        if self.policy_type == TRUST_POLICY:
            for value in statement.action or ():
                checks.check_trust_action(value, emit)
        checks.check_resource_types(statement, emit)

    def check_resources(self, statement: Statement, where: Located) -> None:
        emit = self.emit
        if statement.resource is not None and statement.not_resource is not None:
            emit(
                checks.error(
                    "RESOURCE_AND_NOT_RESOURCE",
                    "A statement may have Resource or NotResource, not both. Remove one.",
                    statement.elements["NotResource"],
                )
            )
        if self.policy_type == TRUST_POLICY:
            for name in ("Resource", "NotResource"):
                if name in statement.elements:
                    emit(
                        checks.error(
                            "UNSUPPORTED_ELEMENT",
                            f"A role trust policy cannot contain {name}: the role itself is the resource. Remove it.",
                            statement.elements[name],
                        )
                    )
            return
        present = statement.resource if statement.resource is not None else statement.not_resource
        if present is None:
            emit(
                checks.error(
                    "MISSING_RESOURCE",
                    'The statement has no Resource or NotResource. Add the ARNs it covers, or "*".',
                    where,
                )
            )
            return
        name = "Resource" if statement.resource is not None else "NotResource"
        if not present and name in statement.elements:
            emit(
                checks.error(
                    "MISSING_RESOURCE",
                    f'{name} is empty. List at least one ARN or "*".',
                    statement.elements[name],
                )
            )
        for value in (statement.resource or ()) + (statement.not_resource or ()):
            checks.check_resource(value, self.variables, emit)

    def check_principals(self, statement: Statement, where: Located) -> None:
        emit = self.emit
        if self.policy_type == IDENTITY_POLICY:
            for name in ("Principal", "NotPrincipal"):
                if name in statement.elements:
                    emit(
                        checks.error(
                            "UNSUPPORTED_PRINCIPAL",
                            f"Identity-based policies cannot specify {name}: the policy applies to the identity "
                            "it is attached to. Remove it.",
                            statement.elements[name],
                        )
                    )
            return
        if statement.principal is not None and statement.not_principal is not None:
            emit(
                checks.error(
                    "PRINCIPAL_AND_NOT_PRINCIPAL",
                    "A statement may have Principal or NotPrincipal, not both. Remove one.",
                    statement.elements["NotPrincipal"],
                )
            )
        if statement.principal is None and statement.not_principal is None:
            emit(
                checks.error(
                    "MISSING_PRINCIPAL",
                    "The statement has no Principal. Name who the statement applies to.",
                    where,
                )
            )
        for principal in (statement.principal, statement.not_principal):
            if principal is not None:
                checks.check_principal(principal, self.policy_type, emit)

    def check_security(self, statement: Statement, elements: dict) -> None:  # type: ignore[type-arg]
        emit = self.emit
        if "NotPrincipal" in elements:
            emit(
                checks.security(
                    "ALLOW_WITH_NOT_PRINCIPAL",
                    "Allow with NotPrincipal grants access to every principal except those listed, including "
                    "anonymous ones. Name the allowed principals in Principal instead.",
                    elements["NotPrincipal"],
                )
            )
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
