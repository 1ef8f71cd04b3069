"""Evidence fixtures: every test starts with nothing recorded in Redis, and reads what it recorded after a flush."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from evidence import recording
from evidence.models import ActionUsage

# Fixtures these tests share with other suites: boto3 against the live server, a real Celery worker, roles, the
# console, a registered service asking for decisions.
from tests.authorization_api.conftest import docs_service, document_user, service_identity  # noqa: F401
from tests.console.conftest import root_console, user_console  # noqa: F401
from tests.query.conftest import aws, iam  # noqa: F401
from tests.reports.conftest import celery_queue, start_worker  # noqa: F401
from tests.sts.conftest import make_role  # noqa: F401


def clear_recorded() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(recording.live_key())
    for key in client.scan_iter(match=f"{recording.live_key().rsplit(':', 1)[0]}:batch:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _nothing_recorded_yet():
    clear_recorded()
    yield
    clear_recorded()


@pytest.fixture
def usage():
    """Flush, then {(entity_id, "service:Action", allowed): ActionUsage} of everything recorded."""

    def read() -> dict:
        recording.flush()
        return {(row.entity_id, f"{row.service}:{row.action}", row.allowed): row
                for row in ActionUsage.objects.all()}

    return read
