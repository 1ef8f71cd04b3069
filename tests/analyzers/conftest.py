"""Fixtures the analyzers' tests share with other suites: roles, the console signed in, and a real Celery worker."""

from tests.console.conftest import root_console, user_console  # noqa: F401
from tests.reports.conftest import celery_queue, start_worker  # noqa: F401
from tests.sts.conftest import make_role  # noqa: F401
