"""Access Analyzer's policy checks on the REST-JSON door: ValidatePolicy, CheckNoNewAccess, CheckAccessNotGranted,
CheckNoPublicAccess. AWS's shapes only: the counterexample travels in the FAIL reason's description."""

from __future__ import annotations

from iam_console.restjson.registry import operation
from policies.services import custom_checks


@operation("accessanalyzer", "ValidatePolicy")
def validate_policy(caller, params: dict) -> dict:
    return custom_checks.validate_policy(
        caller=caller, policy_document=params.get("policyDocument"), policy_type=params.get("policyType"),
        locale=params.get("locale"), validate_policy_resource_type=params.get("validatePolicyResourceType"),
        max_results=params.get("maxResults"), next_token=params.get("nextToken")).to_dict()


@operation("accessanalyzer", "CheckNoNewAccess")
def check_no_new_access(caller, params: dict) -> dict:
    return custom_checks.check_no_new_access(
        caller=caller, new_policy_document=params.get("newPolicyDocument"),
        existing_policy_document=params.get("existingPolicyDocument"), policy_type=params.get("policyType")).to_dict()


@operation("accessanalyzer", "CheckAccessNotGranted")
def check_access_not_granted(caller, params: dict) -> dict:
    return custom_checks.check_access_not_granted(
        caller=caller, policy_document=params.get("policyDocument"), access=params.get("access"),
        policy_type=params.get("policyType")).to_dict()


@operation("accessanalyzer", "CheckNoPublicAccess")
def check_no_public_access(caller, params: dict) -> dict:
    return custom_checks.check_no_public_access(
        caller=caller, policy_document=params.get("policyDocument"), resource_type=params.get("resourceType")).to_dict()
