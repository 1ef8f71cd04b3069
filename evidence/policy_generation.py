"""Access Analyzer's policy generation over the directory's own decision record: StartPolicyGeneration starts a
job, a worker generates the policy (evidence.policy_builder), GetGeneratedPolicy, ListPolicyGenerations and
CancelPolicyGeneration read and stop jobs.

The directory decides every request itself, so its decision record stands in for CloudTrail: cloudTrailDetails is
optional, and when given only its startTime and endTime are used (its trails and accessRole are echoed back, never
read). Without it the period is the last 90 days, the longest AWS accepts.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from directory.models import Role, User
from evidence.analyzer_errors import AnalyzerConflict, AnalyzerValidation
from evidence.jobs import claimed, publish, requeue_pending
from evidence.models import PolicyGenerationJob
from evidence.policy_builder import Principal, build, policy_text
from iam_console.errors import IAMError
from iam_console.operations import iam_operation
from iam_console.pagination import decode_marker, encode_marker
from policies.authorization import Caller, authorize_caller
from policies.language.arn import parse_arn

logger = logging.getLogger(__name__)

Status = PolicyGenerationJob.Status
SOURCE = "access-analyzer.amazonaws.com"
MAX_PERIOD = timedelta(days=90)
LISTED_FOR = timedelta(days=7)  # ListPolicyGenerations lists the generations of the last seven days, as AWS
DEFAULT_MAX_RESULTS = 100
MAX_RESULTS = 1000


def _operation(name: str):
    return iam_operation(name, event_source=SOURCE, action=f"access-analyzer:{name}")


def find_principal(account_id: str, arn: object, field: str = "policyGenerationDetails.principalArn"
                   ) -> User | Role:
    """The user or role of the account that `arn` names; ValidationException otherwise (another account's, one
    that does not exist, or an ARN of anything else)."""
    parsed = parse_arn(arn) if isinstance(arn, str) else None
    kind, _, rest = parsed.resource.partition("/") if parsed and parsed.service == "iam" else ("", "", "")
    name = rest.rsplit("/", 1)[-1]
    if kind not in ("user", "role") or not name:
        raise AnalyzerValidation(f"Invalid principal ARN {str(arn)[:2048]}: give the ARN of an IAM user or role.",
                                 field=field)
    entity = None
    if parsed.account == account_id:
        if kind == "user":
            entity = User.objects.iam_users(account_id).filter(user_name_key=name.lower()).first()
        else:
            entity = Role.objects.filter(account_id=account_id, role_name_key=name.lower()).first()
    if entity is None or entity.arn.lower() != arn.lower():
        raise AnalyzerValidation(f"The principal {arn[:2048]} is not a user or role of account {account_id}.",
                                 field=field)
    return entity


def _moment(value: object, field: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise AnalyzerValidation(f"{field} must be a timestamp.", field=field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _period(details: dict | None, now: datetime) -> tuple[datetime, datetime, list[dict]]:
    if not details:
        return now - MAX_PERIOD, now, []
    start = _moment(details.get("startTime"), "cloudTrailDetails.startTime")
    end = _moment(details.get("endTime"), "cloudTrailDetails.endTime") or now
    if start is None:
        raise AnalyzerValidation("cloudTrailDetails.startTime is required.", field="cloudTrailDetails.startTime")
    if start > now:
        raise AnalyzerValidation("startTime must not be in the future.", field="cloudTrailDetails.startTime")
    if end <= start:
        raise AnalyzerValidation("endTime must be later than startTime.", field="cloudTrailDetails.endTime")
    if end - start > MAX_PERIOD:
        raise AnalyzerValidation("The period from startTime to endTime must not exceed 90 days.",
                                 field="cloudTrailDetails.endTime")
    trails = [{key: trail[key] for key in ("cloudTrailArn", "regions", "allRegions") if key in trail}
              for trail in details.get("trails") or [] if isinstance(trail, dict)]
    return start, end, trails


@_operation("StartPolicyGeneration")
def start_policy_generation(*, caller: Caller, principal_arn: str, cloud_trail_details: dict | None = None,
                            client_token: str | None = None) -> PolicyGenerationJob:
    """A job generating `principal_arn`'s policy; the same clientToken answers the same job again."""
    authorize_caller(caller, "access-analyzer:StartPolicyGeneration", "*")
    account = caller.account_id
    token = str(client_token or "")[:256]
    if token:
        earlier = PolicyGenerationJob.objects.filter(account_id=account, client_token=token).first()
        if earlier is not None:
            if earlier.principal_arn.lower() != str(principal_arn).lower():
                raise AnalyzerConflict("The clientToken was used for another policy generation request.",
                                       resource_id=str(earlier.job_id), resource_type="PolicyGeneration")
            return earlier
    entity = find_principal(account, principal_arn)
    now = timezone.now()
    start, end, trails = _period(cloud_trail_details, now)
    try:
        with transaction.atomic():
            job = PolicyGenerationJob.objects.create(
                account_id=account, principal_arn=entity.arn, requested_by=caller.principal.arn, client_token=token,
                start_time=start, end_time=end, trails=trails, started_on=now)
    except IntegrityError:
        raise AnalyzerConflict(f"A policy generation for {entity.arn} is already in progress: wait for it to "
                               "finish or cancel it.", resource_id=entity.arn, resource_type="PolicyGeneration"
                               ) from None
    transaction.on_commit(lambda: _publish(str(job.job_id)))
    return job


def _publish(job_id: str) -> None:
    from evidence.tasks import generate_policy as task  # tasks import this module

    publish(task, job_id, "policy generation job")


def _principal_of(job: PolicyGenerationJob) -> Principal | None:
    try:
        entity = find_principal(job.account_id, job.principal_arn)
    except AnalyzerValidation:
        return None
    kind = "user" if isinstance(entity, User) else "role"
    return Principal(job.account_id, kind, entity.user_id if kind == "user" else entity.role_id)


def run_job(job_id: str) -> bool:
    """Generate job `job_id`'s policy; False when there is nothing to do (finished, canceled, or gone)."""
    with claimed(PolicyGenerationJob, job_id, "policy generation job") as job:
        if job is None:
            return False
        principal = _principal_of(job)
        if principal is None:
            job.status, job.error_code = Status.FAILED, "RESOURCE_NOT_FOUND_ERROR"
            job.error_message = f"The principal {job.principal_arn} no longer exists."[:1024]
        else:
            job.result = build(principal, job.start_time, job.end_time).as_json()
            job.status = Status.SUCCEEDED
        job.completed_on = timezone.now()
        job.save(update_fields=["result", "status", "error_code", "error_message", "completed_on"])
    return True


def requeue_pending_jobs() -> int:
    """The periodic sweep: queue again every job whose message was lost or whose worker died. Returns how many."""
    return requeue_pending(PolicyGenerationJob, "started_on", _publish)


def _job(caller: Caller, job_id: object, *, for_update: bool = False) -> PolicyGenerationJob:
    """A job of the caller's account; any other id is refused as AWS refuses it (ValidationException)."""
    try:
        parsed = uuid.UUID(str(job_id))
    except ValueError:
        parsed = None
    queryset = PolicyGenerationJob.objects.select_for_update() if for_update else PolicyGenerationJob.objects
    job = queryset.filter(job_id=parsed, account_id=caller.account_id).first() if parsed else None
    if job is None:
        raise AnalyzerValidation(f"The policy generation job {str(job_id)[:64]} cannot be found.", field="jobId")
    return job


def generated_policies(job: PolicyGenerationJob, *, resource_placeholders: bool = False) -> list[str]:
    """The job's policy texts: none until it has succeeded, none when the principal used nothing in the period."""
    statements = job.result.get("statements") or [] if job.status == Status.SUCCEEDED else []
    return [policy_text(statements, resource_placeholders=resource_placeholders)] if statements else []


def job_details(job: PolicyGenerationJob) -> dict:
    details = {"jobId": str(job.job_id), "status": job.status, "startedOn": job.started_on}
    if job.completed_on is not None:
        details["completedOn"] = job.completed_on
    if job.status == Status.FAILED:
        details["jobError"] = {"code": job.error_code, "message": job.error_message}
    return details


@_operation("GetGeneratedPolicy")
def get_generated_policy(*, caller: Caller, job_id: str, include_resource_placeholders: bool = False,
                         include_service_level_template: bool = False) -> dict:
    """GetGeneratedPolicy's answer. The decision record is action level for every service, so a service-level
    template has no service to add beyond the action-level statements: the flag is accepted and changes nothing."""
    authorize_caller(caller, "access-analyzer:GetGeneratedPolicy", "*")
    job = _job(caller, job_id)
    properties = {"principalArn": job.principal_arn,
                  "cloudTrailProperties": {"trailProperties": job.trails, "startTime": job.start_time,
                                           "endTime": job.end_time}}
    if job.status == Status.SUCCEEDED:
        properties["isComplete"] = bool(job.result.get("isComplete", True))
    result = {"properties": properties, "generatedPolicies": [
        {"policy": text} for text in generated_policies(job, resource_placeholders=bool(include_resource_placeholders))]}
    return {"jobDetails": job_details(job), "generatedPolicyResult": result}


@_operation("ListPolicyGenerations")
def list_policy_generations(*, caller: Caller, principal_arn: str | None = None, max_results: int | None = None,
                            next_token: str | None = None) -> tuple[list[PolicyGenerationJob], str | None]:
    """The account's generations of the last seven days, the newest first, and the token of the next page."""
    authorize_caller(caller, "access-analyzer:ListPolicyGenerations", "*")
    limit = DEFAULT_MAX_RESULTS if max_results is None else max_results
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise AnalyzerValidation("maxResults must be a positive integer.", field="maxResults")
    limit = min(limit, MAX_RESULTS)
    queryset = PolicyGenerationJob.objects.filter(account_id=caller.account_id,
                                                  started_on__gte=timezone.now() - LISTED_FOR)
    if principal_arn:
        queryset = queryset.filter(principal_arn__iexact=principal_arn)
    if next_token:
        try:
            when, _, pk = (decode_marker(next_token) or "").partition("|")
            cursor = (datetime.fromisoformat(when), int(pk))
        except (IAMError, ValueError):
            raise AnalyzerValidation("nextToken is not valid: pass back the token of the previous page unchanged.",
                                     field="nextToken") from None
        queryset = queryset.filter(Q(started_on__lt=cursor[0]) | Q(started_on=cursor[0], pk__lt=cursor[1]))
    rows = list(queryset.order_by("-started_on", "-pk")[:limit + 1])
    token = encode_marker(f"{rows[limit - 1].started_on.isoformat()}|{rows[limit - 1].pk}") if len(
        rows) > limit else None
    return rows[:limit], token


@_operation("CancelPolicyGeneration")
def cancel_policy_generation(*, caller: Caller, job_id: str) -> PolicyGenerationJob:
    """Stop a job in progress; a job that has already finished cannot be canceled."""
    authorize_caller(caller, "access-analyzer:CancelPolicyGeneration", "*")
    job = _job(caller, job_id, for_update=True)  # a worker generating it holds the lock: wait, then see
    if job.status == Status.CANCELED:
        return job
    if job.status != Status.IN_PROGRESS:
        raise AnalyzerValidation(f"The policy generation job {job.job_id} has already finished ({job.status}): "
                                 "only a job in progress can be canceled.", field="jobId")
    job.status, job.completed_on = Status.CANCELED, timezone.now()
    job.save(update_fields=["status", "completed_on"])
    return job
