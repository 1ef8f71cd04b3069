"""IAM Query API: SimulatePrincipalPolicy and SimulateCustomPolicy (AWS's EvaluationResults), and
ListPoliciesGrantingServiceAccess."""

from __future__ import annotations

from directory.services import service_access, simulation
from iam_console.query import iam_output as out
from iam_console.query.registry import operation


def _context_entries(params: dict) -> list[dict] | None:
    entries = params.get("ContextEntries")
    if entries is None:
        return None
    return [{"context_key_name": entry.get("ContextKeyName"), "context_key_values": entry.get("ContextKeyValues", []),
             "context_key_type": entry.get("ContextKeyType", "string")} for entry in entries]


def _statement(matched: dict) -> dict:
    return {"SourcePolicyId": matched["policy"], "SourcePolicyType": matched["source_policy_type"],
            "StartPosition": {"Line": matched["line"]}}


def _evaluation(result) -> dict:
    out = {"EvalActionName": result.action, "EvalResourceName": result.resource, "EvalDecision": result.decision,
           "MatchedStatements": [_statement(matched) for matched in result.matched_statements],
           "MissingContextValues": []}
    if result.organizations is not None:
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": result.organizations["allowed"]}
    return out


def _answer(results: list, params: dict) -> dict:
    indexed = list(enumerate(results))
    body = out.page(indexed, params, lambda entry: f"{entry[0]:08d}", "EvaluationResults")
    return out.shaped(body, "EvaluationResults", lambda entry: _evaluation(entry[1]))


@operation("iam", "SimulateCustomPolicy")
def simulate_custom_policy(caller, params: dict) -> dict:
    results = simulation.simulate_custom_policy(
        caller=caller, policy_input_list=params["PolicyInputList"], action_names=params["ActionNames"],
        resource_arns=params.get("ResourceArns"),
        permissions_boundary_policy_input_list=params.get("PermissionsBoundaryPolicyInputList"),
        caller_arn=params.get("CallerArn"), context_entries=_context_entries(params),
        resource_policy=params.get("ResourcePolicy"), resource_owner=params.get("ResourceOwner"))
    return _answer(results, params)


@operation("iam", "SimulatePrincipalPolicy")
def simulate_principal_policy(caller, params: dict) -> dict:
    results = simulation.simulate_principal_policy(
        caller=caller, policy_source_arn=params["PolicySourceArn"], action_names=params["ActionNames"],
        resource_arns=params.get("ResourceArns"), policy_input_list=params.get("PolicyInputList"),
        permissions_boundary_policy_input_list=params.get("PermissionsBoundaryPolicyInputList"),
        caller_arn=params.get("CallerArn"), context_entries=_context_entries(params),
        resource_policy=params.get("ResourcePolicy"), resource_owner=params.get("ResourceOwner"))
    return _answer(results, params)


_ENTITY_TYPES = {"user-inline": "USER", "group-inline": "GROUP", "role-inline": "ROLE"}


def _granting(source, entity_name: str) -> dict:
    if source.kind == "managed":
        return {"PolicyName": source.name, "PolicyType": "MANAGED", "PolicyArn": source.arn}
    entity_type = _ENTITY_TYPES[source.kind]
    # A group's inline policy reached through a user's membership names the group, not the user.
    return {"PolicyName": source.name, "PolicyType": "INLINE", "EntityType": entity_type,
            "EntityName": source.group_name if entity_type == "GROUP" and source.group_name else entity_name}


@operation("iam", "ListPoliciesGrantingServiceAccess")
def list_policies_granting_service_access(caller, params: dict) -> dict:
    found = service_access.list_policies_granting_service_access(caller=caller, arn=params["Arn"],
                                                                 service_namespaces=params["ServiceNamespaces"])
    return {"PoliciesGrantingServiceAccess": [
        {"ServiceNamespace": entry.service_namespace,
         "Policies": [_granting(source, entry.entity_name) for source in entry.policies]} for entry in found],
        "IsTruncated": False}
