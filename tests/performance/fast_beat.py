"""The directory's Celery app with one job due every fifth of a second, sent to a queue of the test's own: run by
several beats at once in test_single_beat.py to see which of them schedules."""

from __future__ import annotations

import os

from iam_console.celery import app

app.conf.beat_schedule = {"probe": {"task": "directory.tasks.flag_unused_access_keys", "schedule": 0.2,
                                    "options": {"queue": os.environ["IAM_TEST_BEAT_QUEUE"], "expires": 60}}}
