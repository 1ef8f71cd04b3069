"""IAM Query API: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails(WithEntities)."""

from __future__ import annotations

from evidence import last_accessed
from iam_console.query.registry import operation


@operation("iam", "GenerateServiceLastAccessedDetails")
def generate_service_last_accessed_details(caller, params: dict) -> dict:
    job = last_accessed.generate_service_last_accessed_details(caller=caller, arn=params["Arn"],
                                                               granularity=params.get("Granularity"))
    return {"JobId": str(job.job_id)}


def _job_status(page: last_accessed.JobPage) -> dict:
    job = page.job
    answer = {"JobStatus": job.status, "JobCreationDate": job.created_at, "IsTruncated": page.is_truncated}
    if job.completed_at is not None:
        answer["JobCompletionDate"] = job.completed_at
    if page.marker:
        answer["Marker"] = page.marker
    if page.error:
        answer["Error"] = page.error
    return answer


@operation("iam", "GetServiceLastAccessedDetails")
def get_service_last_accessed_details(caller, params: dict) -> dict:
    page = last_accessed.get_service_last_accessed_details(
        caller=caller, job_id=params["JobId"], max_items=params.get("MaxItems"), marker=params.get("Marker"))
    return {**_job_status(page), "JobType": page.job.granularity,
            "ServicesLastAccessed": last_accessed.with_datetimes(page.items)}


@operation("iam", "GetServiceLastAccessedDetailsWithEntities")
def get_service_last_accessed_details_with_entities(caller, params: dict) -> dict:
    page = last_accessed.get_service_last_accessed_details_with_entities(
        caller=caller, job_id=params["JobId"], service_namespace=params["ServiceNamespace"],
        max_items=params.get("MaxItems"), marker=params.get("Marker"))
    return {**_job_status(page), "EntityDetailsList": last_accessed.with_datetimes(page.items)}
