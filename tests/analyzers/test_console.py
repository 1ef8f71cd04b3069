"""The console's findings pages: an analyzer's findings filtered by status and type, archived and unarchived,
exported as CSV, in a constant number of queries; the dashboard's unused-access card leads there."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analyzers import evaluation
from analyzers.models import Finding
from analyzers.services import analyzers
from directory.models import AccessKey, User

pytestmark = pytest.mark.django_db
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
PAGE = "/access-analyzer/analyzers/unused/findings/"


@pytest.fixture
def unused_findings(root_caller, make_user):
    for n in range(3):
        make_user(f"user{n}", access_key=True, policies=(READ_ONLY,))
    analyzer = analyzers.create_analyzer(caller=root_caller, analyzer_name="unused", type="ACCOUNT_UNUSED_ACCESS")
    long_ago = timezone.now() - timedelta(days=120)
    User.objects.filter(is_superuser=False).update(create_date=long_ago)
    AccessKey.objects.update(create_date=long_ago)
    evaluation.evaluate(analyzer.pk)
    return analyzer


def test_findings_are_listed_filtered_and_exported(root_console, unused_findings):
    listing = root_console.get("/access-analyzer/analyzers/").content.decode()
    assert f'href="{PAGE}"' in listing
    page = root_console.get(PAGE).content.decode()
    assert page.count('name="ids"') == 6 and "UnusedPermission" in page and "never used" in page
    keys = root_console.get(PAGE, {"finding_type": "UnusedIAMUserAccessKey"}).content.decode()
    assert keys.count('name="ids"') == 3 and "UnusedPermission</td>" not in keys
    exported = root_console.get(PAGE, {"finding_type": "UnusedPermission", "format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:2] == ["Id", "Resource"] and len(rows) == 4
    assert {row[4] for row in rows[1:]} == {"UnusedPermission"}


def test_the_findings_page_takes_a_constant_number_of_queries(root_console, unused_findings, make_user,
                                                              root_caller):
    root_console.get(PAGE)  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert root_console.get(PAGE).status_code == 200
    for n in range(3, 8):
        make_user(f"user{n}", access_key=True, policies=(READ_ONLY,))
    User.objects.filter(is_superuser=False).update(create_date=timezone.now() - timedelta(days=120))
    AccessKey.objects.update(create_date=timezone.now() - timedelta(days=120))
    evaluation.evaluate(unused_findings.pk)
    with CaptureQueriesContext(connection) as many:
        page = root_console.get(PAGE)
    assert page.content.decode().count('name="ids"') == 16
    assert len(many) == len(few)


def test_archive_and_unarchive_from_the_page(root_console, unused_findings):
    chosen = [str(pk) for pk in Finding.objects.filter(finding_type="UnusedIAMUserAccessKey").values_list(
        "id", flat=True)[:2]]
    answer = root_console.post(PAGE, {"action": "archive", "ids": chosen, "query": "status=ACTIVE"})
    assert answer.status_code == 302 and answer["Location"] == f"{PAGE}?status=ACTIVE"
    assert Finding.objects.filter(status="ARCHIVED").count() == 2
    archived = root_console.get(PAGE, {"status": "ARCHIVED"}).content.decode()
    assert archived.count('name="ids"') == 2
    root_console.post(PAGE, {"action": "unarchive", "ids": chosen[:1]})
    assert Finding.objects.filter(status="ARCHIVED").count() == 1


def test_the_dashboard_card_leads_to_the_findings(root_console, unused_findings):
    dashboard = root_console.get("/").content.decode()
    assert f'href="{PAGE}?status=ACTIVE"' in dashboard


def test_a_user_without_permission_is_refused(user_console, unused_findings):
    _, client = user_console("reader", policies=(READ_ONLY,))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"action": "archive", "ids": ["x"]}).status_code == 403
    assert 'id="unused-access-findings"' not in client.get("/").content.decode()
