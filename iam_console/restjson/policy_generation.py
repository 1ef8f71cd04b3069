"""Access Analyzer's policy generation operations on the REST-JSON door: translation only (analyzers.services)."""

from __future__ import annotations

from analyzers.services import policy_generation as generation
from iam_console.restjson.registry import operation

SERVICE = "accessanalyzer"


@operation(SERVICE, "StartPolicyGeneration")
def start_policy_generation(caller, params: dict) -> dict:
    job = generation.start_policy_generation(
        caller=caller, principal_arn=params["policyGenerationDetails"]["principalArn"],
        cloud_trail_details=params.get("cloudTrailDetails"), client_token=params.get("clientToken"))
    return {"jobId": str(job.job_id)}


@operation(SERVICE, "GetGeneratedPolicy")
def get_generated_policy(caller, params: dict) -> dict:
    return generation.get_generated_policy(
        caller=caller, job_id=params["jobId"],
        include_resource_placeholders=params.get("includeResourcePlaceholders", False),
        include_service_level_template=params.get("includeServiceLevelTemplate", False))


@operation(SERVICE, "ListPolicyGenerations")
def list_policy_generations(caller, params: dict) -> dict:
    jobs, next_token = generation.list_policy_generations(
        caller=caller, principal_arn=params.get("principalArn"), max_results=params.get("maxResults"),
        next_token=params.get("nextToken"))
    answer: dict = {"policyGenerations": [{**generation.job_details(job), "principalArn": job.principal_arn}
                                          for job in jobs]}
    if next_token:
        answer["nextToken"] = next_token
    return answer


@operation(SERVICE, "CancelPolicyGeneration")
def cancel_policy_generation(caller, params: dict) -> dict:
    generation.cancel_policy_generation(caller=caller, job_id=params["jobId"])
    return {}
