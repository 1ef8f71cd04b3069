"""A policy generation job against a real Celery worker: a worker killed mid-job leaves nothing half-written, the
sweep queues the job again and the next worker finishes it; a finished job is never generated twice. The
generation reads the evidence in a constant number of queries, whatever the number of actions used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analyzers.services import policy_generation as generation
from directory.services import users
from evidence import policy_generation as jobs
from evidence import recording
from evidence.models import ActionUsage, PolicyGenerationJob
from evidence.policy_builder import Principal, build
from iam_console.callers import Caller
from tests.reports.conftest import wait_for
from tests.support.database import raw_connection

pytestmark = [pytest.mark.celery, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

READ_ONLY = ("arn:aws:iam::aws:policy/IAMReadOnlyAccess",)


def _generations_waiting(probe) -> int:
    return probe.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND wait_event_type = 'Lock' AND query LIKE '%%audit_auditevent%%'").fetchone()[0]


def test_a_worker_killed_mid_job_leaves_it_for_the_sweep_and_the_next_worker_finishes_it(
        root_caller, make_user, start_worker):
    alice = make_user("alice", policies=READ_ONLY)
    users.list_users(caller=Caller(principal=alice, via="api"))
    job = generation.start_policy_generation(caller=root_caller, principal_arn=alice.arn)
    # The blocker's lock lapses on its own if this test dies before releasing it.
    blocker = raw_connection(options="-c idle_in_transaction_session_timeout=60000")
    probe = raw_connection(autocommit=True)
    with blocker, probe:
        # Hold the worker inside the job's transaction: the generation reads the audit trail, locked here.
        blocker.execute("LOCK TABLE audit_auditevent IN ACCESS EXCLUSIVE MODE")
        worker = start_worker()
        wait_for(lambda: _generations_waiting(probe) == 1)
        worker.kill()
        blocker.rollback()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result, job.completed_on) == ("IN_PROGRESS", 1, {}, None)

    # Its message died with the worker: once the job has stalled, the sweep queues it again.
    PolicyGenerationJob.objects.filter(pk=job.pk).update(started_on=job.started_on - timedelta(minutes=16))
    wait_for(lambda: jobs.requeue_pending_jobs() == 1)  # the dead worker's row lock goes with its connection
    start_worker()
    wait_for(lambda: PolicyGenerationJob.objects.get(pk=job.pk).status == "SUCCEEDED")
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.result["statements"] == [{"service": "iam", "actions": ["ListUsers"], "resources": None}]
    assert jobs.run_job(str(job.job_id)) is False  # finished: a message delivered twice changes nothing
    assert jobs.requeue_pending_jobs() == 0


def test_the_generation_reads_the_evidence_in_a_constant_number_of_queries(make_user):
    alice = make_user("alice")
    principal = Principal(alice.account_id, "user", alice.user_id)
    recording.flush()
    counts = []
    for used in (3, 60):
        ActionUsage.objects.filter(entity_id=alice.user_id).delete()
        rows = [recording.Recorded(alice.account_id, "user", alice.user_id, "docs", f"Action{index}", True, 2,
                                   alice.create_date + timedelta(seconds=index), "service", alice.arn)
                for index in range(used)]
        recording.upsert(rows)
        with CaptureQueriesContext(connection) as queries:
            generated = build(principal, alice.create_date - timedelta(days=1), alice.create_date + timedelta(days=1))
        assert len(generated.statements[0]["actions"]) == used
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3
