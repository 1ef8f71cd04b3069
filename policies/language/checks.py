"""Element-level validation checks: actions, resources, principals and conditions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from . import actions as catalogue
from .arn import ACCOUNT_ID, has_wildcard, parse_arn, resource_arn_problem, resource_could_be_type
from .condition_keys import GLOBAL_CONDITION_KEYS, global_key, is_multivalued
from .conditions import VARIABLE_FAMILIES, Operator, parse_operator, value_problem
from .findings import Finding, Severity
from .iam_grammar import action_verdict, date_value_verdict, resource_verdict
from .model import Located, Principal, Statement
from .variables import VariableError, parse_template

Emit = Callable[[Finding], None]

_VARIABLE = re.compile(r"\$\{[^}]*\}")
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?:\.cn)?$")
_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}(?:/.*)?$")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
# What AWS action names look like; IAM stores others, but they never match a request.
_ACTION_NAME = re.compile(r"^[A-Za-z0-9*?]+$")


def _finding(severity: Severity, code: str, message: str, where: Located) -> Finding:
    return Finding(severity, code, message, where.line, where.column, where.path)


def error(code: str, message: str, where: Located) -> Finding:
    """Error-level advice: Access Analyzer would call it an error, but IAM stores the document."""
    return _finding(Severity.ERROR, code, message, where)


def malformed(code: str, message: str, where: Located) -> Finding:
    """IAM's verdict: the document is refused (MalformedPolicyDocument)."""
    return Finding(Severity.ERROR, code, message, where.line, where.column, where.path, blocking=True)


def warning(code: str, message: str, where: Located) -> Finding:
    return _finding(Severity.WARNING, code, message, where)


def security(code: str, message: str, where: Located) -> Finding:
    return _finding(Severity.SECURITY_WARNING, code, message, where)


def without_variables(text: str) -> str:
    """Variables stand for unknown text, so structural checks treat them as "*"."""
    return _VARIABLE.sub("*", text)


# ---------------------------------------------------------------- variables


def check_variables(value: Located, variables_enabled: bool, emit: Emit) -> bool:
    """Report malformed or inert variables; True when the value contains any."""
    if "${" not in value.value:
        return False
    try:
        parse_template(value.value)
    except VariableError as exc:
        emit(warning("INVALID_POLICY_VARIABLE", f"{exc}; it will be matched as literal text.", value))
        return True
    if not variables_enabled:
        emit(
            warning(
                "VARIABLE_REQUIRES_2012_VERSION",
                'Policy variables are only substituted when the policy has "Version": "2012-10-17"; '
                "without it they are matched literally. Add the Version element.",
                value,
            )
        )
    return True


# ---------------------------------------------------------------- actions


def check_action(value: Located, emit: Emit) -> None:
    """IAM's action grammar blocks; the catalogue and the name's shape only advise."""
    text = value.value
    verdict = action_verdict(text)
    if verdict:
        emit(malformed("INVALID_ACTION_FORMAT", verdict, value))
        return
    if text == "*":
        return
    service, _, name = text.partition(":")
    if not name:
        emit(error("INVALID_ACTION_FORMAT", f"{text!r} names no action. Write service:ActionName.", value))
        return
    if not _ACTION_NAME.match(name):
        emit(
            error(
                "INVALID_ACTION_FORMAT",
                f"{text!r}: AWS action names are letters and digits (with * and ? as wildcards), so this "
                "never matches an action.",
                value,
            )
        )
        return
    if service == "*" or service.lower() not in catalogue.KNOWN_SERVICES:
        return  # other services' actions are valid; we only know iam and sts in detail
    if has_wildcard(name):
        if not catalogue.expand(text):
            emit(
                error(
                    "UNKNOWN_ACTION",
                    f"{text} matches no {service.lower()} action. Check the spelling.",
                    value,
                )
            )
        return
    if catalogue.lookup(text) is None:
        hint = catalogue.suggest(text)
        emit(
            error(
                "UNKNOWN_ACTION",
                f"{text} is not a known {service.lower()} action."
                + (f" Did you mean {hint}?" if hint else ""),
                value,
            )
        )


def _action_infos(text: str) -> tuple[catalogue.ActionInfo, ...]:
    if has_wildcard(text):
        return catalogue.expand(text) if ":" in text and not has_wildcard(text.split(":", 1)[0]) else ()
    info = catalogue.lookup(text)
    return (info,) if info else ()


def _supports(info: catalogue.ActionInfo, resources: list[str]) -> bool:
    if not info.resource_types:
        return "*" in resources
    return any(
        resource_could_be_type(res, rt.arn_service, rt.resource_prefix)
        for res in resources
        for rt in (catalogue.RESOURCE_TYPES[name] for name in info.resource_types)
    )


def check_resource_types(statement: Statement, emit: Emit) -> None:
    """RESOURCE_TYPE_MISMATCH: an iam/sts action none of whose resource types is listed."""
    if not statement.action or not statement.resource or statement.not_action is not None:
        return
    resources = [without_variables(r.value) for r in statement.resource]
    if "*" in resources:
        return
    for value in statement.action:
        infos = _action_infos(value.value)
        if not infos or any(_supports(info, resources) for info in infos):
            continue
        info = infos[0]
        if len(infos) == 1 and not info.resource_types:
            message = (
                f"{info.full_name} does not support resource-level permissions, so this statement never "
                'applies to it. Use "Resource": "*" for it.'
            )
        else:
            kinds = sorted({t for i in infos for t in i.resource_types}) or ["*"]
            message = (
                f"{value.value} applies to {', '.join(kinds)} resources, but none of this statement's "
                "resources is of that type. Fix the ARN or move the action to another statement."
            )
        emit(warning("RESOURCE_TYPE_MISMATCH", message, value))


def check_trust_action(value: Located, emit: Emit) -> None:
    """IAM User Guide, "Role trust policy": a trust policy only governs assuming the role."""
    if action_verdict(value.value):
        return  # already refused for its grammar
    regex = catalogue.wildcard_regex(value.value, ignore_case=True)
    if not any(regex.fullmatch(action) for action in catalogue.TRUST_POLICY_ACTIONS):
        emit(
            malformed(
                "INVALID_TRUST_POLICY_ACTION",
                f"Trust policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML, "
                f"sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity and sts:SetContext, "
                f"not {value.value}.",
                value,
            )
        )


# ---------------------------------------------------------------- resources


def check_resource(value: Located, variables_enabled: bool, emit: Emit) -> None:
    has_vars = check_variables(value, variables_enabled, emit)
    verdict = resource_verdict(value.value)
    if verdict:
        emit(malformed("INVALID_ARN", verdict, value))
        return
    text = without_variables(value.value) if has_vars and variables_enabled else value.value
    problem = resource_arn_problem(text)
    if problem:
        emit(error("INVALID_ARN", f"Resource {value.value!r} {problem}.", value))


# ---------------------------------------------------------------- principals


def check_principal(principal: Principal, policy_type: str, emit: Emit) -> None:
    if principal.wildcard:
        return
    for principal_type, values in principal.entries.items():
        if principal_type not in PRINCIPAL_TYPES or (
            policy_type == "TRUST_POLICY" and principal_type == "CanonicalUser"
        ):
            hint = difflib.get_close_matches(principal_type, PRINCIPAL_TYPES, n=1, cutoff=0.6)
            emit(
                malformed(
                    "UNSUPPORTED_PRINCIPAL",
                    f"Unsupported principal type {principal_type!r}. Use AWS, Service or Federated"
                    + (f" (did you mean {hint[0]}?)." if hint else "."),
                    Located(
                        principal_type, principal.line, principal.column, f"{principal.path}.{principal_type}"
                    ),
                )
            )
            continue
        for value in values:
            problem = _principal_value_problem(principal_type, value.value)
            if problem:
                emit(malformed("INVALID_PRINCIPAL", f"Invalid principal in policy: {problem}", value))


def _principal_value_problem(principal_type: str, text: str) -> str | None:
    if principal_type == "AWS":
        if text == "*" or ACCOUNT_ID.match(text):
            return None
        arn = parse_arn(text)
        if arn is None:
            return f'{text!r} is not a valid AWS principal: use an account ID, an IAM ARN, or "*".'
        if has_wildcard(text):
            return (
                f'{text!r}: wildcards are not allowed in principal ARNs. Use "*" with an aws:PrincipalArn '
                "condition instead."
            )
        if arn.service not in ("iam", "sts") or not ACCOUNT_ID.match(arn.account):
            return f"{text!r} is not an IAM or STS principal ARN with a 12-digit account ID."
        return None
    if principal_type == "Service":
        return (
            None
            if _SERVICE_PRINCIPAL.match(text)
            else f"{text!r} is not a service principal such as ec2.amazonaws.com."
        )
    if principal_type == "Federated":
        arn = parse_arn(text)
        if (
            arn is not None
            and arn.service == "iam"
            and arn.resource.startswith(("saml-provider/", "oidc-provider/"))
        ):
            return None
        if arn is None and _DOMAIN.match(text):
            return None  # cognito-identity.amazonaws.com, accounts.google.com, www.amazon.com ...
        return f"{text!r} is not a SAML/OIDC provider ARN or a web identity provider name."
    if principal_type == "CanonicalUser":
        return None if re.fullmatch(r"[0-9a-f]{64}", text) else f"{text!r} is not a canonical user ID."
    return None


# ---------------------------------------------------------------- conditions


def check_conditions(statement: Statement, variables_enabled: bool, emit: Emit) -> None:
    """IAM refuses unknown or misspelt operators and Date values it cannot read; it
    stores unknown condition keys (with or without a service prefix) and values that an
    operator can never match, which are advice."""
    for clause in statement.condition or ():
        operator = parse_operator(clause.operator.value)
        if operator is None or operator.canonical != clause.operator.value:
            emit(
                malformed(
                    "UNKNOWN_CONDITION_OPERATOR",
                    f"Invalid Condition type : {clause.operator.value}. "
                    + _operator_hint(clause.operator.value, operator),
                    clause.operator,
                )
            )
        _check_condition_key(clause.key, operator, emit)
        if operator is None:
            continue
        if operator.base == "Null" and operator.if_exists:
            emit(
                error(
                    "NULL_WITH_IF_EXISTS",
                    "Null tests whether the key exists, so IfExists makes no sense with it. Use Null alone.",
                    clause.operator,
                )
            )
        for value in clause.values:
            if operator.family == "Date":
                verdict = date_value_verdict(value.value, value.json_type)
                if verdict:
                    emit(
                        malformed(
                            "INVALID_CONDITION_VALUE",
                            f"{verdict}: {operator.base} needs an ISO 8601 date (e.g. 2025-01-31T12:00:00Z) "
                            f"or whole epoch seconds, not {value.value!r}.",
                            value,
                        )
                    )
                    continue
            if "${" in value.value and value.json_type == "string":
                if operator.family not in VARIABLE_FAMILIES and variables_enabled:
                    emit(
                        error(
                            "INVALID_VARIABLE_FOR_OPERATOR",
                            f"Policy variables can only be used with String and Arn operators, not {operator.base}.",
                            value,
                        )
                    )
                    continue
                check_variables(value, variables_enabled, emit)
                if variables_enabled:
                    continue
            problem = value_problem(operator, value.value)
            if problem:
                emit(error("INVALID_CONDITION_VALUE", problem + ".", value))


def _operator_hint(text: str, operator: Operator | None) -> str:
    if operator is not None:
        return f"Condition operators are case-sensitive: write {operator.canonical}."
    from .conditions import CONDITION_OPERATORS

    candidates = list(CONDITION_OPERATORS) + [f"{o}IfExists" for o in CONDITION_OPERATORS]
    base = text.split(":", 1)[-1]
    close = difflib.get_close_matches(base, candidates, n=1, cutoff=0.7)
    if close:
        return f"Did you mean {close[0]}?"
    return "Use one of the documented operators such as StringEquals, ArnLike, IpAddress or Bool."


def _check_condition_key(key: Located, operator: Operator | None, emit: Emit) -> None:
    """Advice only: IAM accepts condition keys it does not know, even without a prefix."""
    set_operator = operator.set_operator if operator else None
    name = key.value
    prefix, sep, rest = name.partition(":")
    if not sep or not prefix or not rest:
        emit(
            warning(
                "INVALID_CONDITION_KEY",
                f"{name!r} is not a condition key any AWS request carries: write service:KeyName "
                "(e.g. aws:SourceIp). The condition is stored but never sees a value.",
                key,
            )
        )
        return
    if prefix.lower() != "aws":
        return
    if global_key(name) is None:
        names = [k.rstrip("/") for k in GLOBAL_CONDITION_KEYS]
        close = difflib.get_close_matches(name.lower(), [n.lower() for n in names], n=1, cutoff=0.75)
        canonical = next((n for n in names if close and n.lower() == close[0]), None)
        emit(
            error(
                "UNKNOWN_GLOBAL_CONDITION_KEY",
                f"{name} is not an AWS global condition key."
                + (f" Did you mean {canonical}?" if canonical else ""),
                key,
            )
        )
        return
    if set_operator and is_multivalued(name) is False and not (operator and operator.base == "Null"):
        emit(
            warning(
                "SET_OPERATOR_WITH_SINGLE_VALUED_KEY",
                f"{set_operator} is meant for multivalued keys, but {name} is single-valued"
                + (
                    " (and ForAllValues is true when the key is missing)"
                    if set_operator == "ForAllValues"
                    else ""
                )
                + ". Remove the set operator.",
                key,
            )
        )


def first(items: Iterable[Located]) -> Located | None:
    return next(iter(items), None)
