"""The Celery app: Redis broker, JSON only, schedules declared in settings.CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")

app = Celery("iam_console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Job outcomes reach the metrics, and a job's log lines carry its id.
from iam_console import job_signals  # noqa: E402,F401
