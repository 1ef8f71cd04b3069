"""Policy validation and simulation: ValidatePolicy, SimulateCustomPolicy, SimulatePrincipalPolicy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from directory import lookups
from directory.models import User
from directory.policy_sets import user_policy_set
from iam_console.errors import InvalidInput, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.documents import finding_as_dict
from policies.language import CompiledPolicy, Decision, Request, compile_document, evaluate, validate
from policies.language.arn import parse_arn
from policies.loading import PolicySource

POLICY_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY", "TRUST_POLICY")
MAX_SIMULATED_ACTIONS = 1000


@dataclass(frozen=True)
class ValidationOutcome:
    valid: bool
    findings: list[dict]


@iam_operation("ValidatePolicy")
def validate_policy(*, caller: Caller, document: str, policy_type: str = "IDENTITY_POLICY") -> ValidationOutcome:
    authorize_caller(caller, "access-analyzer:ValidatePolicy", "*")
    if policy_type not in POLICY_TYPES:
        raise ValidationError(f"policy_type must be one of {', '.join(POLICY_TYPES)}")
    if not isinstance(document, str):
        raise ValidationError("document must be the policy's JSON text, as a string")
    result = validate(document, policy_type=policy_type)
    return ValidationOutcome(valid=result.valid, findings=[finding_as_dict(f) for f in result.findings])


@dataclass(frozen=True)
class SimulationResult:
    action: str
    resource: str
    decision: str
    matched_statements: list[dict]


def _compiled_inputs(documents: object, *, field: str, prefix: str) -> tuple[list[CompiledPolicy], dict]:
    if documents is None:
        return [], {}
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise ValidationError(f"{field} must be a list of policy documents, each a JSON string")
    compiled, sources = [], {}
    for index, document in enumerate(documents):
        result = validate(document)
        if not result.valid:
            first = result.errors()[0]
            raise InvalidInput(f"{field}[{index}] is not a valid policy: {first.message} (line {first.line})")
        key = f"{prefix}{index + 1}"
        # Ad-hoc documents are compiled uncached: the cache is keyed by stored policy id and version.
        compiled.append(compile_document(result.model, key))
        sources[key] = PolicySource(key=key, name=key, kind="input")
    return compiled, sources


_CONTEXT_TYPES = {"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList",
                  "date", "dateList", "binary", "binaryList"}


def _context_value(kind: str, raw: str):
    base = kind.removesuffix("List")
    try:
        if base == "numeric":
            return float(raw) if "." in raw else int(raw)
        if base == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if base == "ip":
            ipaddress.ip_address(raw)
        if base == "date":
            datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"context value {raw!r} is not a valid {base}") from None
    return raw


def simulation_context(caller_arn: str | None, entries: object) -> dict:
    context: dict = {}
    if caller_arn:
        parsed = parse_arn(caller_arn)
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("user/"):
            raise InvalidInput(f"caller_arn must be an IAM user ARN such as arn:aws:iam::123456789012:user/alice, "
                               f"not {caller_arn!r}")
        name = parsed.resource.rsplit("/", 1)[-1]
        user = User.objects.iam_users().filter(user_name_key=name.lower()).first()
        context.update({"aws:username": name, "aws:PrincipalArn": caller_arn,
                        "aws:userid": user.user_id if user else name})
    if entries is None:
        return context
    if not isinstance(entries, list):
        raise ValidationError("context_entries must be a list of {context_key_name, context_key_values, "
                              "context_key_type}")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("context_key_name"), str):
            raise ValidationError(f"context_entries[{index}] needs context_key_name")
        kind = entry.get("context_key_type", "string")
        values = entry.get("context_key_values", [])
        if kind not in _CONTEXT_TYPES:
            raise ValidationError(f"context_entries[{index}].context_key_type must be one of "
                                  f"{', '.join(sorted(_CONTEXT_TYPES))}")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError(f"context_entries[{index}].context_key_values must be a list of strings")
        converted = [_context_value(kind, value) for value in values]
        context[entry["context_key_name"]] = converted if kind.endswith("List") else (converted[0] if converted
                                                                                        else None)
    return context


def _results(actions: object, resources: object, context: dict, identity: Sequence[CompiledPolicy],
             boundary: Sequence[CompiledPolicy], session: Sequence[CompiledPolicy],
             sources: dict[str, PolicySource]) -> list[SimulationResult]:
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and a for a in actions):
        raise ValidationError("action_names must be a non-empty list of actions such as iam:CreateUser")
    resources = resources or ["*"]
    if not isinstance(resources, list) or not all(isinstance(r, str) and r for r in resources):
        raise ValidationError("resource_arns must be a list of ARNs (or \"*\")")
    if len(actions) * len(resources) > MAX_SIMULATED_ACTIONS:
        raise ValidationError(f"simulate at most {MAX_SIMULATED_ACTIONS} action × resource pairs at once")
    results = []
    for action in actions:
        for resource in resources:
            decision: Decision = evaluate(Request(action, resource, context), identity,
                                          boundary_policies=boundary or None, session_policies=session or None)
            results.append(SimulationResult(action=action, resource=resource, decision=decision.decision,
                                            matched_statements=[_statement(m, sources)
                                                                for m in decision.matched_statements]))
    return results


def _statement(matched, sources: dict[str, PolicySource]) -> dict:
    source = sources.get(matched.policy_id)
    statement = {"policy": source.arn or source.name if source else matched.policy_id,
                 "policy_kind": matched.source,
                 "source_policy_type": source.source_policy_type if source else "none",
                 "sid": matched.sid, "statement_index": matched.statement_index, "line": matched.line,
                 "effect": matched.effect}
    if source is not None and source.group_name:
        statement["group_name"] = source.group_name  # which group's inline policy it is
    return statement


@iam_operation("SimulateCustomPolicy")
def simulate_custom_policy(*, caller: Caller, policy_input_list: list[str], action_names: list[str],
                           resource_arns: list[str] | None = None,
                           permissions_boundary_policy_input_list: list[str] | None = None,
                           caller_arn: str | None = None, context_entries: list[dict] | None = None,
                           session_policy: str | None = None) -> list[SimulationResult]:
    authorize_caller(caller, "iam:SimulateCustomPolicy", "*")
    identity, sources = _compiled_inputs(policy_input_list, field="policy_input_list", prefix="PolicyInputList.")
    if not identity:
        raise ValidationError("policy_input_list must contain at least one policy document")
    boundary, boundary_sources = _compiled_inputs(permissions_boundary_policy_input_list,
                                                  field="permissions_boundary_policy_input_list",
                                                  prefix="PermissionsBoundaryPolicyInputList.")
    session, session_sources = _compiled_inputs([session_policy] if session_policy else None,
                                                field="session_policy", prefix="SessionPolicy.")
    context = simulation_context(caller_arn, context_entries)
    return _results(action_names, resource_arns, context, identity, boundary, session,
                    sources | boundary_sources | session_sources)


@iam_operation("SimulatePrincipalPolicy")
def simulate_principal_policy(*, caller: Caller, user_name: str, action_names: list[str],
                              resource_arns: list[str] | None = None, context_entries: list[dict] | None = None,
                              session_policy: str | None = None) -> list[SimulationResult]:
    user = lookups.user_by_name(user_name)
    authorize_caller(caller, "iam:SimulatePrincipalPolicy", user.arn)
    policy_set = user_policy_set(user)
    session, session_sources = _compiled_inputs([session_policy] if session_policy else None,
                                                field="session_policy", prefix="SessionPolicy.")
    context = simulation_context(user.arn, context_entries)
    return _results(action_names, resource_arns, context, policy_set.identity, policy_set.boundary, session,
                    policy_set.sources | session_sources)
