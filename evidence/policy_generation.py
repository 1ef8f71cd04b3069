"""Policy generation jobs: a worker generates a user's or role's least-privilege policy from the decision record
(evidence.policy_builder); Access Analyzer's operations that start and read them live in the analyzers app."""

from __future__ import annotations

from django.utils import timezone

from directory.models import Role, User
from evidence.jobs import claimed, publish, requeue_pending
from evidence.models import PolicyGenerationJob
from evidence.policy_builder import Principal, build, policy_texts
from policies.language.arn import parse_arn

Status = PolicyGenerationJob.Status


def principal_named(account_id: str, arn: object) -> User | Role | None:
    """The user or role of the account that `arn` names exactly (names case-insensitively), or None."""
    parsed = parse_arn(arn) if isinstance(arn, str) else None
    kind, _, rest = parsed.resource.partition("/") if parsed and parsed.service == "iam" else ("", "", "")
    name = rest.rsplit("/", 1)[-1]
    if kind not in ("user", "role") or not name or parsed.account != account_id:
        return None
    if kind == "user":
        entity = User.objects.iam_users(account_id).filter(user_name_key=name.lower()).first()
    else:
        entity = Role.objects.filter(account_id=account_id, role_name_key=name.lower()).first()
    return entity if entity is not None and entity.arn.lower() == arn.lower() else None


def queue_job(job_id: str) -> None:
    from evidence.tasks import generate_policy as task  # tasks import this module

    publish(task, job_id, "policy generation job")


def _principal_of(job: PolicyGenerationJob) -> Principal | None:
    entity = principal_named(job.account_id, job.principal_arn)
    if entity is None:
        return None
    if isinstance(entity, User):
        return Principal(job.account_id, "user", entity.user_id)
    return Principal(job.account_id, "role", entity.role_id)


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
    return requeue_pending(PolicyGenerationJob, "started_on", queue_job)


def generated_policies(job: PolicyGenerationJob, *, resource_placeholders: bool = False) -> list[str]:
    """The job's policy texts, each within a managed policy's size: none until it has succeeded, none when the
    principal used nothing in the period."""
    statements = job.result.get("statements") or [] if job.status == Status.SUCCEEDED else []
    return policy_texts(statements, resource_placeholders=resource_placeholders)
