"""Celery job outcomes, counted from Celery's signals in whichever process runs the job; its logs carry its id."""

from __future__ import annotations

from celery import signals

_tokens: dict[str, object] = {}


def _count(sender: object, outcome: str) -> None:
    from iam_console import metrics  # after Django's settings: the metrics folder comes from them

    metrics.job_finished(getattr(sender, "name", "unknown"), outcome)


@signals.task_prerun.connect
def _started(task_id: str | None = None, **kwargs: object) -> None:
    from iam_console.log_format import current_request_id

    if task_id:
        _tokens[task_id] = current_request_id.set(f"task:{task_id}")


@signals.task_postrun.connect
def _ended(task_id: str | None = None, **kwargs: object) -> None:
    from iam_console.log_format import current_request_id

    token = _tokens.pop(task_id or "", None)
    if token is not None:
        current_request_id.reset(token)  # type: ignore[arg-type]


@signals.worker_init.connect
def _worker_starting(**kwargs: object) -> None:
    # A database created under another credential key: the worker refuses to start, naming the problem.
    from iam_console.credential_key import refuse_to_start_on_mismatch

    refuse_to_start_on_mismatch()


@signals.task_success.connect
def _succeeded(sender: object = None, **kwargs: object) -> None:
    _count(sender, "succeeded")


@signals.task_failure.connect
def _failed(sender: object = None, **kwargs: object) -> None:
    _count(sender, "failed")


@signals.task_retry.connect
def _retried(sender: object = None, **kwargs: object) -> None:
    _count(sender, "retried")
