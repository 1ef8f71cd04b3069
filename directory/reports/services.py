"""Credential report operations: GenerateCredentialReport, GetCredentialReport, the history, and the job itself.

Each account has its own reports (of its root and users) and at most one job in progress."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import Account
from directory.models import CredentialReport, CredentialReportChunk
from directory.reports.generation import write_report
from iam_console import errors
from iam_console.operations import iam_operation
from iam_console.pagination import Page, clean_max_items, decode_marker, encode_marker
from policies.authorization import Caller, authorize_caller

logger = logging.getLogger(__name__)

# GenerateCredentialReport hands back the newest report instead of starting a job while it is this young (AWS).
REUSE_AGE = timedelta(hours=4)
CHUNK_BYTES = 1 << 20
# Reports are spooled in memory up to this size, then on disk: generation memory stays flat for any user count.
SPOOL_BYTES = 8 << 20
# Queueing a report job waits for the broker at most this long per step (connecting, its first answer).
PUBLISH_TIMEOUT_SECONDS = 0.4
# One advisory lock serializes the decision "reuse, wait, or start a job", so two requests start one job.
_GENERATION_LOCK = 0x49414D_435250  # "IAM" "CRP"

State = CredentialReport.State


@dataclass(frozen=True)
class GenerationState:
    """GenerateCredentialReport's answer: STARTED, INPROGRESS or COMPLETE, with AWS's description."""

    state: str
    description: str
    report_id: int

    def audit_elements(self) -> dict:
        return {"state": self.state, "report_id": self.report_id}


def history_start():
    return timezone.now() - timedelta(days=settings.IAM_CREDENTIAL_REPORT_HISTORY_DAYS)


def visible_reports(account_id: str) -> QuerySet[CredentialReport]:
    """An account's finished reports still inside the configured history; jobs and purged-to-be reports stay
    hidden."""
    return CredentialReport.objects.filter(account_id=account_id, state=State.COMPLETE,
                                           generated_at__gte=history_start())


def newest_report(account_id: str) -> CredentialReport | None:
    return visible_reports(account_id).order_by("-generated_at", "-id").first()


def job_in_progress(account_id: str) -> CredentialReport | None:
    return CredentialReport.objects.filter(account_id=account_id, state=State.INPROGRESS).first()


def _enqueue(report_id: int) -> None:
    """Queue the job once its row is committed; if the broker cannot take it, say so (the row stays)."""
    transaction.on_commit(lambda: _publish(report_id))


def _publish(report_id: int) -> None:
    from directory.tasks import generate_credential_report as task  # tasks import this module

    try:
        # A connection of its own, tried once with short timeouts: a broker that refuses, or accepts and then says
        # nothing, is told to the caller within PUBLISH_TIMEOUT_SECONDS twice over, never after kombu's retries.
        with task.app.connection_for_write(connect_timeout=PUBLISH_TIMEOUT_SECONDS, transport_options={
                "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS, "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
                "max_retries": 0}) as broker:
            broker.ensure_connection(max_retries=0, timeout=PUBLISH_TIMEOUT_SECONDS)
            task.apply_async(args=[report_id], retry=False, connection=broker)
    except Exception as error:  # noqa: BLE001 - kombu, redis-py and socket errors alike: the broker is out
        logger.warning("credential report job %s could not be queued (%s); it is queued again once the job "
                       "queue is back", report_id, error)
        raise errors.ServiceUnavailable(
            "The job queue is unavailable right now. The credential report request is recorded and will be "
            "generated once the queue is back; call GenerateCredentialReport again in a minute.") from error


def _due_for_requeue(job: CredentialReport, now) -> bool:
    """Whether the job's message may be lost: never started after the requeue delay (its publish may have
    failed), or older than the job timeout; and in either case no worker is generating it right now."""
    waited = now - job.requested_at
    never_started = job.attempts == 0 and waited >= timedelta(seconds=settings.IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS)
    stalled = waited >= timedelta(seconds=settings.IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS)
    return (never_started or stalled) and not _worker_holds(job)


def requeue_pending_jobs() -> int:
    """The periodic sweep: queue again every job whose message may be lost. Returns how many."""
    requeued = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GENERATION_LOCK])
        now = timezone.now()
        for job in CredentialReport.objects.filter(state=State.INPROGRESS):
            if _due_for_requeue(job, now):
                CredentialReport.objects.filter(pk=job.pk).update(requested_at=now)
                _enqueue(job.pk)
                requeued += 1
    return requeued


def _worker_holds(job: CredentialReport) -> bool:
    """Whether a worker is generating this job right now: it holds the job row's lock until it commits."""
    return not CredentialReport.objects.select_for_update(skip_locked=True).filter(pk=job.pk).exists()


@iam_operation("GenerateCredentialReport")
def generate_credential_report(*, caller: Caller) -> GenerationState:
    authorize_caller(caller, "iam:GenerateCredentialReport", "*")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GENERATION_LOCK])
    now = timezone.now()
    account = caller.account_id
    newest = newest_report(account)
    # An expired report is never handed back, even when the configured expiry is under four hours.
    reuse_age = min(REUSE_AGE, timedelta(seconds=settings.IAM_CREDENTIAL_REPORT_MAX_AGE_SECONDS))
    if newest is not None and now - newest.generated_at < reuse_age:
        return GenerationState(State.COMPLETE, "The credential report is ready.", newest.pk)
    job = job_in_progress(account)
    if job is None:
        job = CredentialReport.objects.create(account_id=account, requested_by=caller.principal.arn)
        _enqueue(job.pk)
        description = ("No report exists. Starting a new report generation task" if newest is None
                       else "The newest report is older than four hours. Starting a new report generation task")
        return GenerationState("STARTED", description, job.pk)
    if _due_for_requeue(job, now):
        # Not picked up, and no worker is on it: its message or its worker was lost. Queue it again.
        CredentialReport.objects.filter(pk=job.pk).update(requested_at=now)
        _enqueue(job.pk)
        logger.warning("credential report job %s was stalled; queued again", job.pk)
    return GenerationState(State.INPROGRESS, "The credential report is being generated.", job.pk)


def start_scheduled_report(account_id: str) -> int:
    """The account's job in progress, or a new one (scheduled runs always add a report)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GENERATION_LOCK])
        job = job_in_progress(account_id) or CredentialReport.objects.create(account_id=account_id,
                                                                             requested_by="schedule")
        return job.pk


def start_scheduled_reports() -> list[int]:
    """The beat's entry point: a report job for every active account (one each at most)."""
    accounts = Account.objects.filter(status=Account.Status.ACTIVE).order_by("pk").values_list("pk", flat=True)
    return [start_scheduled_report(account_id) for account_id in accounts]


def run_report_job(report_id: int) -> bool:
    """Generate the report of job `report_id`; False when there is nothing to do (done already, or gone).

    Everything happens in ONE transaction that holds the job row's lock: read the users, store the CSV, mark
    the job COMPLETE. A worker killed half-way rolls all of it back, so no partial report is ever visible, and
    the job stays INPROGRESS for the retry. A second worker given the same job waits on the lock, then finds
    it COMPLETE and stops.
    """
    CredentialReport.objects.filter(pk=report_id, state=State.INPROGRESS).update(attempts=F("attempts") + 1)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as buffer, transaction.atomic():
        job = CredentialReport.objects.select_for_update().filter(pk=report_id).first()
        if job is None or job.state != State.INPROGRESS:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            (generated_at,) = cursor.fetchone()
        rows = write_report(buffer, account_id=job.account_id)
        size = buffer.tell()
        buffer.seek(0)
        _store_chunks(job.pk, buffer)
        job.state, job.generated_at, job.row_count, job.size_bytes = State.COMPLETE, generated_at, rows, size
        job.save(update_fields=["state", "generated_at", "row_count", "size_bytes"])
    logger.info("credential report %s generated: %s rows, %s bytes", report_id, rows, size)
    return True


def _store_chunks(report_id: int, buffer: BinaryIO) -> None:
    """Copy the spooled CSV into chunk rows with one COPY, a megabyte at a time."""
    with connection.connection.cursor() as cursor:
        statement = "COPY directory_credentialreportchunk (report_id, seq, data) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            copy.set_types(["bigint", "integer", "bytea"])
            seq = 0
            while block := buffer.read(CHUNK_BYTES):
                copy.write_row((report_id, seq, block))
                seq += 1


def report_bytes(report_id: int) -> Iterator[bytes]:
    """The stored CSV, a chunk at a time (a server-side cursor: constant memory for any report size)."""
    chunks = CredentialReportChunk.objects.filter(report_id=report_id).order_by("seq").values_list("data", flat=True)
    for data in chunks.iterator(chunk_size=4):
        yield bytes(data)


@iam_operation("GetCredentialReport")
def get_credential_report(*, caller: Caller, report_id: int | None = None) -> CredentialReport:
    """The newest report (AWS's GetCredentialReport), or one report of the history by id."""
    authorize_caller(caller, "iam:GetCredentialReport", "*")
    account = caller.account_id
    if report_id is not None:
        report = visible_reports(account).filter(pk=report_id).first()
        if report is None:
            raise errors.NoSuchEntity(f"The credential report with id {report_id} cannot be found.")
        return report
    newest = newest_report(account)
    in_progress = job_in_progress(account) is not None
    if newest is None:
        if in_progress:
            raise errors.ReportInProgress("The credential report is being generated. Try again in a few seconds.")
        raise errors.ReportNotPresent("No credential report exists. Call GenerateCredentialReport to generate one.")
    if timezone.now() - newest.generated_at > timedelta(seconds=settings.IAM_CREDENTIAL_REPORT_MAX_AGE_SECONDS):
        if in_progress:
            raise errors.ReportInProgress("A new credential report is being generated. Try again in a few seconds.")
        raise errors.ReportExpired("The most recent credential report has expired. To generate a new credential "
                            "report, use GenerateCredentialReport.")
    return newest


@iam_operation("ListCredentialReports", action="iam:GetCredentialReport")
def list_credential_reports(*, caller: Caller, marker: str | None = None,
                            max_items: int | None = None) -> Page[CredentialReport]:
    """The history, newest first, paginated by id."""
    authorize_caller(caller, "iam:GetCredentialReport", "*")
    limit = clean_max_items(max_items)
    reports = visible_reports(caller.account_id).order_by("-id")
    after = decode_marker(marker)
    if after is not None:
        if not after.isdigit():
            raise errors.ValidationError("marker is not valid: pass back the marker of the previous page unchanged")
        reports = reports.filter(pk__lt=int(after))
    rows = list(reports[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, is_truncated=truncated,
                marker=encode_marker(str(rows[-1].pk)) if truncated and rows else None)
