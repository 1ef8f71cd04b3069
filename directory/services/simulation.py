"""Policy validation and simulation: ValidatePolicy, SimulateCustomPolicy, SimulatePrincipalPolicy."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from directory import lookups
from directory.models import User
from directory.policy_sets import group_policy_set, role_policy_set, user_policy_set
from iam_console.errors import InvalidInput, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller, authorize_unknown
from policies.catalogue import ensure_catalogue_loaded
from policies.documents import finding_as_dict, policy_text, refusal
from policies.language import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    CompiledPolicy,
    Decision,
    PolicyDocument,
    Request,
    ResourcePolicyDecision,
    compile_document,
    evaluate,
    evaluate_resource_policy,
    validate,
)
from policies.language.arn import parse_arn
from policies.language.guardrails import GuardrailLevel, describe_level
from policies.language.iam_grammar import parse_policy_date
from policies.loading import PolicySet, PolicySource

POLICY_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY", "TRUST_POLICY", "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
MAX_SIMULATED_ACTIONS = 1000


@dataclass(frozen=True)
class ValidationOutcome:
    valid: bool
    findings: list[dict]


@iam_operation("ValidatePolicy", action="access-analyzer:ValidatePolicy")
def validate_policy(*, caller: Caller, policy_document: object,
                    policy_type: str = "IDENTITY_POLICY") -> ValidationOutcome:
    """IAM's verdict (``valid``) and every finding, blocking and advice, for a document
    given as JSON text or as a JSON object."""
    authorize_caller(caller, "access-analyzer:ValidatePolicy", "*")
    if policy_type not in POLICY_TYPES:
        raise ValidationError(f"policy_type must be one of {', '.join(POLICY_TYPES)}")
    ensure_catalogue_loaded()
    result = validate(policy_text(policy_document), policy_type=policy_type)
    return ValidationOutcome(valid=result.valid, findings=[finding_as_dict(f) for f in result.findings])


@dataclass(frozen=True)
class SimulationResult:
    action: str
    resource: str
    decision: str
    matched_statements: list[dict]
    # For a principal of a member account: whether the organization's SCPs allow, and which type and level decided
    # ({"allowed": False, "policy_type": "scp", "level": "OU ou-…", "reason": …}); None outside an organization.
    organizations: dict | None = None


def _compiled_inputs(documents: object, *, field: str, prefix: str) -> tuple[list[CompiledPolicy], dict]:
    """Compile ad-hoc documents (each JSON text or a JSON object); a document IAM would
    refuse is refused here too, in the same shape as CreatePolicy's refusal."""
    if documents is None:
        return [], {}
    if not isinstance(documents, list):
        raise ValidationError(f"{field} must be a list of policy documents")
    compiled, sources = [], {}
    for index, document in enumerate(documents):
        item = f"{field}[{index}]"
        result = validate(policy_text(document, field=item))
        if not result.valid:
            raise refusal(result, field=item)
        key = f"{prefix}{index + 1}"
        # Ad-hoc documents are compiled uncached: the cache is keyed by stored policy id and version.
        compiled.append(compile_document(result.model, key))
        sources[key] = PolicySource(key=key, name=key, kind="input")
    return compiled, sources


@dataclass(frozen=True)
class ResourcePolicyInput:
    """A resource-based policy to simulate with the identity policies, for one calling principal."""

    policy: CompiledPolicy
    principal_arn: str
    principal_account: str
    same_account: bool  # the resource's owner is the principal's account


RESOURCE_POLICY_KEY = "ResourcePolicy"
_ACCOUNT = re.compile(r"(?:arn:[\w-]+:iam::)?(\d{12})(?::root)?")


def _resource_policy(document: object, *, principal_arn: str | None, resource_owner: str | None,
                     default_owner: str) -> tuple[ResourcePolicyInput | None, dict]:
    """The resource policy to simulate with; its resource belongs to ResourceOwner, else to the caller's account."""
    if document is None:
        return None, {}
    result = validate(policy_text(document, field="resource_policy"), policy_type="RESOURCE_POLICY")
    if not result.valid:
        raise refusal(result, field="resource_policy")
    if not principal_arn:
        raise InvalidInput("CallerArn is required with a ResourcePolicy: it names the principal the resource "
                           "policy is evaluated for.")
    caller_account = getattr(parse_arn(principal_arn), "account", "")
    owner = default_owner
    if resource_owner:
        match = _ACCOUNT.fullmatch(resource_owner)
        if match is None:
            raise InvalidInput(f"ResourceOwner must be an account's ARN such as arn:aws:iam::123456789012:root, "
                               f"not {resource_owner!r}")
        owner = match[1]
    compiled = compile_document(result.model, RESOURCE_POLICY_KEY)
    source = PolicySource(key=RESOURCE_POLICY_KEY, name=RESOURCE_POLICY_KEY, kind="resource")
    return (ResourcePolicyInput(compiled, principal_arn, caller_account, same_account=owner == caller_account),
            {RESOURCE_POLICY_KEY: source})


def _with_resource_policy(identity: Decision, resource: ResourcePolicyDecision, same_account: bool) -> str:
    """AWS's evaluation logic for identity and resource policies together: an explicit deny in either wins; in
    one account either policy may allow (a resource policy that trusts only the account defers to the identity
    policies); across accounts both must."""
    if EXPLICIT_DENY in (identity.decision, resource.decision):
        return EXPLICIT_DENY
    if same_account:
        direct = resource.allowed and not resource.via_account_root
        return ALLOWED if identity.decision == ALLOWED or direct else IMPLICIT_DENY
    return ALLOWED if identity.decision == ALLOWED and resource.allowed else IMPLICIT_DENY


_CONTEXT_TYPES = {"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList",
                  "date", "dateList", "binary", "binaryList"}


def _context_value(kind: str, raw: str):
    base = kind.removesuffix("List")
    try:
        if base == "numeric":
            return float(raw) if any(c in raw for c in ".eE") else int(raw)
        if base == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if base == "ip":
            ipaddress.ip_address(raw)
        if base == "date" and parse_policy_date(raw) is None and not _is_number(raw):
            # ISO 8601 or epoch seconds (fractions too), as Date conditions take them.
            datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"context value {raw!r} is not a valid {base}") from None
    return raw


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def simulation_context(account_id: str, caller_arn: str | None, entries: object) -> dict:
    """The request context: the keys AWS derives from the caller, then the caller's entries. A caller ARN of the
    account `account_id` (the simulating caller's) gives its user's unique id; any other is taken as written.

    Keys are case-insensitive, so an entry replaces a derived key whatever its case: what
    the caller supplies is what the simulation uses (AWS's ContextEntries).
    """
    context: dict = {}
    if caller_arn:
        parsed = parse_arn(caller_arn)
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("user/"):
            raise InvalidInput(f"caller_arn must be an IAM user ARN such as arn:aws:iam::123456789012:user/alice, "
                               f"not {caller_arn}")
        name = parsed.resource.rsplit("/", 1)[-1]
        user = User.objects.iam_users(account_id).filter(user_name_key=name.lower()).first() \
            if parsed.account == account_id else None
        context.update({"aws:username": name, "aws:PrincipalArn": caller_arn, "aws:PrincipalAccount": parsed.account,
                        "aws:userid": user.user_id if user else name})
    if entries is None:
        return context
    if not isinstance(entries, list):
        raise ValidationError("context_entries must be a list of {context_key_name, context_key_values, "
                              "context_key_type}")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("context_key_name"), str):
            raise ValidationError(f"context_entries[{index}] needs context_key_name")
        name = entry["context_key_name"]
        kind = entry.get("context_key_type", "string")
        values = entry.get("context_key_values", [])
        if kind not in _CONTEXT_TYPES:
            raise ValidationError(f"context_entries[{index}].context_key_type must be one of "
                                  f"{', '.join(sorted(_CONTEXT_TYPES))}")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError(f"context_entries[{index}].context_key_values must be a list of strings")
        if not kind.endswith("List") and len(values) > 1:
            raise InvalidInput(f"context_entries[{index}] ({name}) has {len(values)} values but type {kind} takes "
                               f"one: use {kind}List for a multivalued key")
        converted = [_context_value(kind, value) for value in values]
        for existing in [key for key in context if key.lower() == name.lower()]:
            del context[existing]
        context[name] = converted if kind.endswith("List") else (converted[0] if converted else None)
    return context


def _results(actions: object, resources: object, context: dict, identity: Sequence[CompiledPolicy],
             boundary: Sequence[CompiledPolicy], session: Sequence[CompiledPolicy],
             sources: dict[str, PolicySource],
             resource_policy: ResourcePolicyInput | None = None,
             scps: Sequence[GuardrailLevel] = ()) -> list[SimulationResult]:
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
            request = Request(action, resource, context)
            decision: Decision = evaluate(request, identity, boundary_policies=boundary or None,
                                          session_policies=session or None, scps=scps or None)
            final, matched = decision.decision, list(decision.matched_statements)
            organizations = None
            if scps:
                by_scp = decision.policy_type == "scp" and not decision.allowed
                organizations = {"allowed": not by_scp, "policy_type": "scp" if by_scp else None,
                                 "level": describe_level(decision.level) if by_scp and decision.level else None,
                                 "reason": decision.reason if by_scp else "every level's SCPs allow the request"}
            if resource_policy is not None:
                by_resource = evaluate_resource_policy(resource_policy.policy, request,
                                                       resource_policy.principal_arn,
                                                       resource_policy.principal_account or None)
                final = _with_resource_policy(decision, by_resource, resource_policy.same_account)
                matched += by_resource.matched_statements
            results.append(SimulationResult(action=action, resource=resource, decision=final,
                                            matched_statements=[_statement(m, sources) for m in matched],
                                            organizations=organizations))
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
def simulate_custom_policy(*, caller: Caller, policy_input_list: list[object] | None, action_names: list[str],
                           resource_arns: list[str] | None = None,
                           permissions_boundary_policy_input_list: list[object] | None = None,
                           caller_arn: str | None = None, context_entries: list[dict] | None = None,
                           session_policy: object | None = None, resource_policy: object | None = None,
                           resource_owner: str | None = None) -> list[SimulationResult]:
    authorize_caller(caller, "iam:SimulateCustomPolicy", "*")
    # An empty list is allowed: the simulation then shows what the context alone decides
    # (an implicit deny, except for actions that need no permission).
    identity, sources = _compiled_inputs(policy_input_list or [], field="policy_input_list",
                                         prefix="PolicyInputList.")
    boundary, boundary_sources = _compiled_inputs(permissions_boundary_policy_input_list,
                                                  field="permissions_boundary_policy_input_list",
                                                  prefix="PermissionsBoundaryPolicyInputList.")
    session, session_sources = _compiled_inputs([session_policy] if session_policy else None,
                                                field="session_policy", prefix="SessionPolicy.")
    context = simulation_context(caller.account_id, caller_arn, context_entries)
    resource, resource_sources = _resource_policy(resource_policy, principal_arn=caller_arn,
                                                  resource_owner=resource_owner, default_owner=caller.account_id)
    return _results(action_names, resource_arns, context, identity, boundary, session,
                    sources | boundary_sources | session_sources | resource_sources, resource)


def principal_policy_set(caller: Caller, action: str, *, user_name: str | None,
                          policy_source_arn: str | None) -> tuple[PolicySet, str, dict]:
    """The simulated entity's policy set, its ARN and its own context keys, after authorizing `action` on it.

    The entity is named by a user name (the REST form) or, as in AWS, by a user, group or role ARN.
    """
    if policy_source_arn is None:
        user = lookups.user_by_name(caller.account_id, user_name)
        authorize_caller(caller, action, user.arn)
        return user_policy_set(user), user.arn, {}
    parsed = parse_arn(policy_source_arn) if isinstance(policy_source_arn, str) else None
    kind, _, rest = parsed.resource.partition("/") if parsed and parsed.service == "iam" else ("", "", "")
    name = rest.rsplit("/", 1)[-1]
    if kind in ("user", "group", "role") and name and parsed.account != caller.account_id:
        # Another account's entity is not found, as one that does not exist.
        authorize_unknown(policy_source_arn)
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    if kind == "user" and name:
        user = lookups.user_by_name(caller.account_id, name)
        authorize_caller(caller, action, user.arn)
        return user_policy_set(user), user.arn, {}
    if kind == "group" and name:
        group = lookups.group_by_name(caller.account_id, name)
        authorize_caller(caller, action, group.arn)
        return group_policy_set(group), group.arn, {}
    if kind == "role" and name:
        role = lookups.role_by_name(caller.account_id, name)
        authorize_caller(caller, action, role.arn)
        return role_policy_set(role), role.arn, {"aws:PrincipalArn": role.arn, "aws:userid": role.role_id}
    raise InvalidInput(f"PolicySourceArn {policy_source_arn!r} must be the ARN of an IAM user, group or role.")


@iam_operation("SimulatePrincipalPolicy")
def simulate_principal_policy(*, caller: Caller, action_names: list[str], user_name: str | None = None,
                              policy_source_arn: str | None = None, resource_arns: list[str] | None = None,
                              context_entries: list[dict] | None = None, session_policy: object | None = None,
                              policy_input_list: list[object] | None = None,
                              permissions_boundary_policy_input_list: list[object] | None = None,
                              caller_arn: str | None = None, resource_policy: object | None = None,
                              resource_owner: str | None = None) -> list[SimulationResult]:
    """Simulate the entity's policies, plus any `policy_input_list` documents as if attached to it; a given
    `permissions_boundary_policy_input_list` stands in for the entity's own boundary (AWS's rules)."""
    policy_set, entity_arn, own_context = principal_policy_set(
        caller, "iam:SimulatePrincipalPolicy", user_name=user_name, policy_source_arn=policy_source_arn)
    extra, extra_sources = _compiled_inputs(policy_input_list, field="policy_input_list",
                                            prefix="PolicyInputList.")
    boundary, boundary_sources = list(policy_set.boundary), {}
    if permissions_boundary_policy_input_list:
        boundary, boundary_sources = _compiled_inputs(permissions_boundary_policy_input_list,
                                                      field="permissions_boundary_policy_input_list",
                                                      prefix="PermissionsBoundaryPolicyInputList.")
    session, session_sources = _compiled_inputs([session_policy] if session_policy else None,
                                                field="session_policy", prefix="SessionPolicy.")
    account = caller.account_id
    if caller_arn:
        context = simulation_context(account, caller_arn, context_entries)
    elif ":user/" in entity_arn:
        context = simulation_context(account, entity_arn, context_entries)
    else:
        context = own_context | simulation_context(account, None, context_entries)
    resource, resource_sources = _resource_policy(resource_policy, principal_arn=caller_arn or entity_arn,
                                                  resource_owner=resource_owner, default_owner=account)
    scps = policy_set.guardrails.scps if policy_set.guardrails is not None else ()
    return _results(action_names, resource_arns, context, [*policy_set.identity, *extra], boundary, session,
                    policy_set.sources | extra_sources | boundary_sources | session_sources | resource_sources,
                    resource, scps)


# A policy variable as written: ${aws:username} or ${aws:username, 'default'}; ${*} ${?} ${$} are escapes.
_VARIABLE = re.compile(r"\$\{\s*([^},\s]+)[^}]*\}")


def context_keys(documents: Sequence[PolicyDocument]) -> list[str]:
    """The context keys the documents use, in Condition blocks and as policy variables, each once
    (case-insensitively), sorted: AWS's GetContextKeysFor*Policy answer."""
    found: dict[str, str] = {}

    def add(key: str) -> None:
        if ":" in key:
            found.setdefault(key.lower(), key)

    def scan(text: str) -> None:
        for match in _VARIABLE.finditer(text):
            add(match.group(1))

    for document in documents:
        for statement in document.statements:
            for element in (statement.resource, statement.not_resource):
                for located in element or ():
                    scan(located.value)
            for clause in statement.condition or ():
                add(clause.key.value)
                for located in clause.values:
                    scan(located.value)
    return sorted(found.values(), key=str.lower)


def _parsed(documents: object, *, field: str) -> list[PolicyDocument]:
    if documents is None:
        return []
    if not isinstance(documents, list):
        raise ValidationError(f"{field} must be a list of policy documents")
    parsed = []
    for index, document in enumerate(documents):
        item = f"{field}[{index}]"
        result = validate(policy_text(document, field=item))
        if result.model is None or not result.valid:
            raise refusal(result, field=item)
        parsed.append(result.model)
    return parsed


@iam_operation("GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(*, caller: Caller, policy_input_list: list[str]) -> list[str]:
    authorize_caller(caller, "iam:GetContextKeysForCustomPolicy", "*")
    documents = _parsed(policy_input_list, field="policy_input_list")
    if not documents:
        raise ValidationError("policy_input_list must contain at least one policy document")
    return context_keys(documents)


@iam_operation("GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(*, caller: Caller, policy_source_arn: str,
                                          policy_input_list: list[str] | None = None) -> list[str]:
    """The keys of every policy that applies to the entity (a user's include its groups'), plus the inputs."""
    policy_set, _, _ = principal_policy_set(caller, "iam:GetContextKeysForPrincipalPolicy", user_name=None,
                                             policy_source_arn=policy_source_arn)
    documents = [compiled.document for compiled in [*policy_set.identity, *policy_set.boundary]
                 if compiled.document is not None]
    return context_keys(documents + _parsed(policy_input_list, field="policy_input_list"))
