"""The IAM console project: settings, URLs, the Celery app, and the frame shared by every IAM operation."""

from iam_console.celery import app as celery_app

__all__ = ["celery_app"]
