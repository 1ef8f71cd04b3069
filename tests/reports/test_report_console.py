"""Console: the credential report page, its health charts with links to the users behind each bar, and diffs."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from directory.models import AccessKey, CredentialReport, User
from tests.reports.helpers import generate_now

PAGE = "/credential-report/"


def test_page_without_a_report_offers_generation_and_post_starts_a_job(root_console):
    response = root_console.get(PAGE)
    assert response.status_code == 200
    assert b"No report yet" in response.content
    response = root_console.post(PAGE, follow=True)
    assert b"Generating a new credential report" in response.content
    assert CredentialReport.objects.get().state == "INPROGRESS"


def test_health_charts_count_users_and_each_bar_links_to_them(root_console, root_caller, make_user):
    now = timezone.now()
    make_user("keyed", password="Keyed-Passw0rd!1", access_key=True)
    make_user("plain")
    AccessKey.objects.filter(user__user_name="keyed").update(create_date=now - timedelta(days=120))
    User.objects.filter(user_name="keyed").update(password_last_changed=now - timedelta(days=100))
    report = generate_now(root_caller)
    html = root_console.get(PAGE).content.decode()
    assert "<svg" in html
    link = f"/credential-report/{report.pk}/users/?bucket=keyage%3A90%2B"
    assert link in html
    bar = re.search(r'href="' + re.escape(link) + r'"[^>]*>\s*<span class="bar-label">([^<]+)</span>\s*'
                    r'<span class="bar-count">(\d+)</span>', html)
    assert bar.groups() == ("90+ days", "1")
    users = root_console.get(link).content.decode()
    assert ">keyed</a>" in users and ">plain<" not in users
    never = root_console.get(f"/credential-report/{report.pk}/users/?bucket=signin%3Anever").content.decode()
    assert ">keyed</a>" in never
    nomfa = root_console.get(f"/credential-report/{report.pk}/users/?bucket=mfa%3Anone-no-password").content.decode()
    assert ">plain</a>" in nomfa and ">keyed<" not in nomfa


def test_compare_shows_who_gained_a_key_and_who_was_added(root_console, root_caller, make_user):
    make_user("alice")
    first = generate_now(root_caller)
    CredentialReport.objects.filter(pk=first.pk).update(generated_at=timezone.now() - timedelta(hours=5))
    from directory.services import access_keys
    access_keys.create_access_key(caller=root_caller, user_name="alice")
    make_user("bob")
    second = generate_now(root_caller)
    html = root_console.get(f"/credential-report/compare/?from={first.pk}&to={second.pk}").content.decode()
    assert "2 changes" in html
    assert re.search(r"<td>alice</td><td>gained an active access key \(created [0-9T:+-]+\)</td>", html)
    assert "<td>bob</td><td>user created</td>" in html


def test_download_is_the_csv(root_console, root_caller):
    report = generate_now(root_caller)
    response = root_console.get(f"/credential-report/{report.pk}/download/")
    assert response["Content-Type"] == "text/csv"
    assert b"".join(response.streaming_content).startswith(b"user,arn,user_creation_time,")


def test_a_user_without_permission_sees_access_denied(user_console, root_caller):
    report = generate_now(root_caller)
    _, client = user_console("mallory")
    for path in (PAGE, f"/credential-report/{report.pk}/download/", f"/credential-report/{report.pk}/users/?bucket=mfa%3Aactive"):
        assert client.get(path).status_code == 403
    assert client.post(PAGE).status_code == 302
    assert CredentialReport.objects.count() == 1
