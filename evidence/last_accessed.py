"""IAM's last-accessed operations: GenerateServiceLastAccessedDetails starts a job, a worker builds its report
(evidence.reports), GetServiceLastAccessedDetails and GetServiceLastAccessedDetailsWithEntities read it.

As in AWS, a job's report is read only by the principal that asked for it, and the job runs asynchronously: it
folds the decisions recorded so far into the database first, so the report holds everything acknowledged
before it was asked for.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import redis
from django.db import DatabaseError, transaction
from django.utils import timezone

from evidence import recording
from evidence.jobs import claimed, publish, requeue_pending
from evidence.models import LastAccessedJob
from evidence.reports import build_report, find_target
from iam_console.errors import IAMError, InvalidInput, NoSuchEntity
from iam_console.operations import iam_operation
from iam_console.pagination import clean_max_items, decode_marker, encode_marker
from policies.authorization import Caller, authorize_caller

logger = logging.getLogger(__name__)

Granularity = LastAccessedJob.Granularity
Status = LastAccessedJob.Status


@iam_operation("GenerateServiceLastAccessedDetails")
def generate_service_last_accessed_details(*, caller: Caller, arn: str,
                                           granularity: str | None = None) -> LastAccessedJob:
    granularity = granularity or Granularity.SERVICE_LEVEL
    if granularity not in Granularity.values:
        raise InvalidInput(f"Granularity must be one of {', '.join(Granularity.values)}.")
    target = find_target(caller.account_id, arn)
    authorize_caller(caller, "iam:GenerateServiceLastAccessedDetails", target.arn)
    job = LastAccessedJob.objects.create(account_id=caller.account_id, requested_by=caller.principal.arn,
                                         arn=target.arn, granularity=granularity)
    transaction.on_commit(lambda: _publish(str(job.job_id)))
    return job


def _publish(job_id: str) -> None:
    from evidence.tasks import generate_last_accessed_report as task  # tasks import this module

    publish(task, job_id, "last-accessed job")


def run_job(job_id: str) -> bool:
    """Build job `job_id`'s report; False when there is nothing to do (done already, or gone)."""
    with claimed(LastAccessedJob, job_id, "last-accessed job") as job:
        if job is None:
            return False
        try:
            job.report = build_report(job.account_id, job.arn, job.granularity)
            job.status = Status.COMPLETED
        except IAMError as error:  # the entity was deleted since the job was asked for
            job.status, job.error_code, job.error_message = Status.FAILED, error.code, error.message[:1024]
        job.completed_at = timezone.now()
        job.save(update_fields=["report", "status", "error_code", "error_message", "completed_at"])
    return True


def requeue_pending_jobs() -> int:
    """The periodic sweep: queue again every job whose message was lost or whose worker died. Returns how many."""
    return requeue_pending(LastAccessedJob, "created_at", _publish)


def access_advisor(*, caller: Caller, arn: str) -> list[dict]:
    """The console's Access Advisor tab: an entity's report at action level, built right away (the services as
    GetServiceLastAccessedDetails lists them, dates as datetimes). What was recorded is folded in first, outside
    the operation's transaction: a fold is never undone by a refusal."""
    try:
        recording.flush()
    except (redis.RedisError, DatabaseError) as error:
        logger.warning("Access Advisor: recorded decisions could not be flushed (%s)", type(error).__name__)
    return _report_now(caller=caller, arn=arn)


@iam_operation("GenerateServiceLastAccessedDetails")
def _report_now(*, caller: Caller, arn: str) -> list[dict]:
    target = find_target(caller.account_id, arn)
    authorize_caller(caller, "iam:GenerateServiceLastAccessedDetails", target.arn)
    authorize_caller(caller, "iam:GetServiceLastAccessedDetails", "*")
    report = build_report(caller.account_id, target.arn, Granularity.ACTION_LEVEL)
    return with_datetimes(report["services"])


def _job(caller: Caller, job_id: object) -> LastAccessedJob:
    """The caller's own job: another principal's, another account's or an unknown id is not found."""
    try:
        parsed = uuid.UUID(str(job_id))
    except ValueError:
        raise NoSuchEntity(f"The job with ID {str(job_id)[:64]} cannot be found.") from None
    job = LastAccessedJob.objects.filter(job_id=parsed, account_id=caller.account_id,
                                         requested_by=caller.principal.arn).first()
    if job is None:
        raise NoSuchEntity(f"The job with ID {parsed} cannot be found.")
    return job


@dataclass(frozen=True)
class JobPage:
    """A job's status and one page of its report (services, or one service's entities)."""

    job: LastAccessedJob
    items: list[dict]
    is_truncated: bool
    marker: str | None

    @property
    def error(self) -> dict | None:
        if self.job.status != Status.FAILED:
            return None
        return {"Code": self.job.error_code, "Message": self.job.error_message}


def _page(items: list[dict], max_items: object, marker: str | None) -> tuple[list[dict], bool, str | None]:
    limit = clean_max_items(max_items)
    after = decode_marker(marker)
    start = int(after) if after is not None and after.isdigit() else 0
    chunk = items[start:start + limit]
    truncated = start + limit < len(items)
    return chunk, truncated, encode_marker(str(start + limit)) if truncated else None


@iam_operation("GetServiceLastAccessedDetails")
def get_service_last_accessed_details(*, caller: Caller, job_id: str, max_items: int | None = None,
                                      marker: str | None = None) -> JobPage:
    authorize_caller(caller, "iam:GetServiceLastAccessedDetails", "*")
    job = _job(caller, job_id)
    items, truncated, next_marker = _page(job.report.get("services", []), max_items, marker)
    return JobPage(job, items, truncated, next_marker)


@iam_operation("GetServiceLastAccessedDetailsWithEntities")
def get_service_last_accessed_details_with_entities(*, caller: Caller, job_id: str, service_namespace: str,
                                                    max_items: int | None = None,
                                                    marker: str | None = None) -> JobPage:
    authorize_caller(caller, "iam:GetServiceLastAccessedDetailsWithEntities", "*")
    job = _job(caller, job_id)
    entities = job.report.get("entities", {})
    if job.status == Status.COMPLETED and str(service_namespace).lower() not in entities:
        raise InvalidInput(f"The service namespace {str(service_namespace)[:64]} is not granted by the policies "
                           "of the report's entity.")
    items, truncated, next_marker = _page(entities.get(str(service_namespace).lower(), []), max_items, marker)
    return JobPage(job, items, truncated, next_marker)


def with_datetimes(item: object) -> object:
    """A stored report item with its ISO-8601 dates as datetimes (for the Query API's renderer)."""
    if isinstance(item, dict):
        return {key: (datetime.fromisoformat(value) if key in _DATE_KEYS and isinstance(value, str)
                      else with_datetimes(value)) for key, value in item.items()}
    if isinstance(item, list):
        return [with_datetimes(value) for value in item]
    return item


_DATE_KEYS = frozenset({"LastAuthenticated", "LastAccessedTime"})
