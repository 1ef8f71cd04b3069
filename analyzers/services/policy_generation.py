"""StartPolicyGeneration, GetGeneratedPolicy, ListPolicyGenerations, CancelPolicyGeneration: Access Analyzer's
policy generation over the directory's own decision record (the jobs and the generation: evidence).

The directory decides every request itself, so its decision record stands in for CloudTrail: cloudTrailDetails is
optional, and when given only its startTime and endTime are used (its trails are echoed back, its accessRole is
never assumed). Without it the period is the last 90 days, the longest AWS accepts.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from analyzers.access import EVENT_SOURCE, action
from analyzers.errors import conflict, invalid
from analyzers.paging import page
from evidence.models import PolicyGenerationJob
from evidence.policy_generation import generated_policies, principal_named, queue_job
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from policies.authorization import authorize_caller

Status = PolicyGenerationJob.Status
RESOURCE_TYPE = "PolicyGeneration"
MAX_PERIOD = timedelta(days=90)
LISTED_FOR = timedelta(days=7)  # ListPolicyGenerations lists the generations of the last seven days, as AWS
PRINCIPAL_FIELD = "policyGenerationDetails.principalArn"


def _moment(value: object, field: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, f"{field} must be a timestamp.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def period(details: dict | None, now: datetime) -> tuple[datetime, datetime, list[dict]]:
    """(start, end, the trails to echo) of a request's cloudTrailDetails, refused as AWS refuses them."""
    if not details:
        return now - MAX_PERIOD, now, []
    start = _moment(details.get("startTime"), "cloudTrailDetails.startTime")
    end = _moment(details.get("endTime"), "cloudTrailDetails.endTime") or now
    if start is None:
        raise invalid("cloudTrailDetails.startTime", "cloudTrailDetails.startTime is required.")
    if start > now:
        raise invalid("cloudTrailDetails.startTime", "startTime must not be in the future.")
    if end <= start:
        raise invalid("cloudTrailDetails.endTime", "endTime must be later than startTime.")
    if end - start > MAX_PERIOD:
        raise invalid("cloudTrailDetails.endTime", "The period from startTime to endTime must not exceed 90 days.")
    trails = [{key: trail[key] for key in ("cloudTrailArn", "regions", "allRegions") if key in trail}
              for trail in details.get("trails") or [] if isinstance(trail, dict)]
    return start, end, trails


@iam_operation("StartPolicyGeneration", event_source=EVENT_SOURCE)
def start_policy_generation(*, caller: Caller, principal_arn: str, cloud_trail_details: dict | None = None,
                            client_token: str | None = None) -> PolicyGenerationJob:
    """A job generating `principal_arn`'s policy; the same clientToken answers the same job again."""
    authorize_caller(caller, action("StartPolicyGeneration"), "*")
    account = caller.account_id
    token = str(client_token or "")[:256]
    if token:
        earlier = PolicyGenerationJob.objects.filter(account_id=account, client_token=token).first()
        if earlier is not None:
            if earlier.principal_arn.lower() != str(principal_arn).lower():
                raise conflict(str(earlier.job_id), RESOURCE_TYPE,
                               "The clientToken was used for another policy generation request.")
            return earlier
    entity = principal_named(account, principal_arn)
    if entity is None:
        raise invalid(PRINCIPAL_FIELD, f"The principal {str(principal_arn)[:2048]} is not a user or role of account "
                                       f"{account}.")
    now = timezone.now()
    start, end, trails = period(cloud_trail_details, now)
    try:
        with transaction.atomic():
            job = PolicyGenerationJob.objects.create(
                account_id=account, principal_arn=entity.arn, requested_by=caller.principal.arn, client_token=token,
                start_time=start, end_time=end, trails=trails, started_on=now)
    except IntegrityError:
        raise conflict(entity.arn, RESOURCE_TYPE, f"A policy generation for {entity.arn} is already in progress: "
                                                  "wait for it to finish or cancel it.") from None
    transaction.on_commit(lambda: queue_job(str(job.job_id)))
    return job


def _job(caller: Caller, job_id: object, *, lock: bool = False) -> PolicyGenerationJob:
    """A job of the caller's account; any other id is refused as AWS refuses it (ValidationException)."""
    try:
        parsed = uuid.UUID(str(job_id))
    except ValueError:
        parsed = None
    rows = PolicyGenerationJob.objects.filter(job_id=parsed, account_id=caller.account_id) if parsed else None
    job = (rows.select_for_update() if lock else rows).first() if rows is not None else None
    if job is None:
        raise invalid("jobId", f"The policy generation job {str(job_id)[:64]} cannot be found.")
    return job


def job_details(job: PolicyGenerationJob) -> dict:
    details = {"jobId": str(job.job_id), "status": job.status, "startedOn": job.started_on}
    if job.completed_on is not None:
        details["completedOn"] = job.completed_on
    if job.status == Status.FAILED:
        details["jobError"] = {"code": job.error_code, "message": job.error_message}
    return details


@iam_operation("GetGeneratedPolicy", event_source=EVENT_SOURCE)
def get_generated_policy(*, caller: Caller, job_id: str, include_resource_placeholders: bool = False,
                         include_service_level_template: bool = False) -> dict:
    """GetGeneratedPolicy's answer. The decision record is action level for every service, so a service-level
    template has no service to add beyond the action-level statements: the flag is accepted and changes nothing."""
    authorize_caller(caller, action("GetGeneratedPolicy"), "*")
    job = _job(caller, job_id)
    properties = {"principalArn": job.principal_arn,
                  "cloudTrailProperties": {"trailProperties": job.trails, "startTime": job.start_time,
                                           "endTime": job.end_time}}
    if job.status == Status.SUCCEEDED:
        properties["isComplete"] = bool(job.result.get("isComplete", True))
    texts = generated_policies(job, resource_placeholders=bool(include_resource_placeholders))
    return {"jobDetails": job_details(job),
            "generatedPolicyResult": {"properties": properties, "generatedPolicies": [{"policy": text}
                                                                                      for text in texts]}}


@iam_operation("ListPolicyGenerations", event_source=EVENT_SOURCE)
def list_policy_generations(*, caller: Caller, principal_arn: str | None = None, max_results: int | None = None,
                            next_token: str | None = None) -> tuple[list[PolicyGenerationJob], str | None]:
    """The account's generations of the last seven days, the newest first, and the token of the next page."""
    authorize_caller(caller, action("ListPolicyGenerations"), "*")
    rows = PolicyGenerationJob.objects.filter(account_id=caller.account_id,
                                              started_on__gte=timezone.now() - LISTED_FOR)
    if principal_arn:
        rows = rows.filter(principal_arn__iexact=principal_arn)
    return page(rows.order_by("-started_on", "-pk"), next_token=next_token, max_results=max_results)


@iam_operation("CancelPolicyGeneration", event_source=EVENT_SOURCE)
def cancel_policy_generation(*, caller: Caller, job_id: str) -> PolicyGenerationJob:
    """Stop a job in progress (canceling a canceled job again changes nothing); a finished job stays finished."""
    authorize_caller(caller, action("CancelPolicyGeneration"), "*")
    job = _job(caller, job_id, lock=True)  # a worker generating it holds the lock: wait, then see
    if job.status == Status.CANCELED:
        return job
    if job.status != Status.IN_PROGRESS:
        raise invalid("jobId", f"The policy generation job {job.job_id} has already finished ({job.status}): only "
                               "a job in progress can be canceled.", reason="other")
    job.status, job.completed_on = Status.CANCELED, timezone.now()
    job.save(update_fields=["status", "completed_on"])
    return job
