"""The Celery app: Redis broker, JSON only, schedules declared in settings.CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")

app = Celery("iam_console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
