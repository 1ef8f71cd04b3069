"""/metrics: closed by default, opened by a token or a network, parsed as Prometheus text; what it counts."""

from __future__ import annotations

import json
import logging
import logging.config
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from directory.services import roles
from policies.authorization import Caller
from sts import services as sts_services

pytestmark = pytest.mark.django_db
TOKEN = "t" * 40


def scrape(client: Client | None = None, **headers) -> dict[str, dict[tuple, float]]:
    """The /metrics page, parsed by prometheus_client's own parser: sample name -> {labels: value}."""
    response = (client or Client()).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", **headers})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


@pytest.fixture
def open_metrics(settings):
    settings.IAM_METRICS_TOKEN = TOKEN
    settings.IAM_METRICS_ALLOWED_NETWORKS = []


def test_metrics_are_closed_to_everyone_by_default():
    assert not settings.IAM_METRICS_TOKEN and not settings.IAM_METRICS_ALLOWED_NETWORKS
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403 and b"iam_" not in response.content
    assert b"IAM_METRICS_TOKEN" in response.content


def test_metrics_refuse_a_missing_or_wrong_token_with_403(open_metrics):
    assert Client().get("/metrics").status_code == 403
    refused = Client().get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    assert refused.status_code == 403 and refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"iam_" not in refused.content


def test_network_allow_list_admits_its_networks_only(settings):
    import ipaddress

    settings.IAM_METRICS_TOKEN = None
    settings.IAM_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert Client().get("/metrics").status_code == 403  # the test client comes from 127.0.0.1
    settings.IAM_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.0/8")]
    assert Client().get("/metrics").status_code == 200


def test_token_and_network_together_need_both(settings):
    import ipaddress

    settings.IAM_METRICS_TOKEN = TOKEN
    settings.IAM_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403
    settings.IAM_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    assert Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_requests_are_counted_per_door_and_operation_with_latency(open_metrics, root_api):
    before = scrape()
    assert root_api.get("/api/v1/users/").status_code == 200
    assert root_api.get("/?Action=ListUsers&Version=2010-05-08").status_code == 200  # the Query API
    after = scrape()
    rest = {"door": "rest", "operation": "GET api-users", "status": "200"}
    assert value(after, "iam_http_requests_total", **rest) == value(before, "iam_http_requests_total", **rest) + 1
    listed = {"door": "query", "operation": "iam:ListUsers", "status": "200"}
    assert value(after, "iam_http_requests_total", **listed) == value(before, "iam_http_requests_total", **listed) + 1
    count = value(after, "iam_http_request_duration_seconds_count", door="rest", operation="GET api-users")
    assert count >= 1 and value(after, "iam_http_request_duration_seconds_sum", door="rest", operation="GET api-users") > 0
    assert value(after, "iam_authorization_decisions_total", outcome="allowed") > 0


def test_paths_with_names_do_not_become_labels(open_metrics, root_api, make_user):
    make_user("someone-unique-7")
    assert root_api.get("/api/v1/users/someone-unique-7").status_code == 200
    page = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert "someone-unique-7" not in page


def test_denied_decisions_and_sign_in_failures_are_counted(open_metrics, user_api):
    _user, api = user_api("nobody")
    before = scrape()
    assert api.get("/api/v1/users/").status_code == 403
    assert Client().post("/sign-in/", {"user_name": "nobody", "password": "wrong-password"}).status_code == 401
    after = scrape()
    denied = value(after, "iam_authorization_decisions_total", outcome="implicitDeny")
    assert denied == value(before, "iam_authorization_decisions_total", outcome="implicitDeny") + 1
    failed = value(after, "iam_sign_in_failures_total", reason="credentials")
    assert failed == value(before, "iam_sign_in_failures_total", reason="credentials") + 1


def test_sessions_issued_are_counted_once_committed(open_metrics, root_caller, make_user,
                                                    django_capture_on_commit_callbacks):
    user = make_user("assumer")
    role = roles.create_role(caller=root_caller, role_name="Counted", assume_role_policy_document={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": user.arn},
                                                "Action": "sts:AssumeRole"}]})
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        sts_services.assume_role(caller=Caller(principal=user, via="api"),
                                 role_arn=role.arn, role_session_name="counted")
    after = scrape()
    name, labels = "iam_sts_sessions_issued_total", {"operation": "sts:AssumeRole"}
    assert value(after, name, **labels) == value(before, name, **labels) + 1


def test_celery_job_outcomes_are_counted(open_metrics):
    from directory.tasks import flag_unused_access_keys

    before = scrape()
    flag_unused_access_keys.apply()
    after = scrape()
    labels = {"task": "directory.tasks.flag_unused_access_keys", "outcome": "succeeded"}
    assert value(after, "iam_celery_jobs_total", **labels) == value(before, "iam_celery_jobs_total", **labels) + 1


def test_database_and_redis_availability_are_reported(open_metrics):
    samples = scrape()
    assert value(samples, "iam_database_up") == 1.0 and value(samples, "iam_redis_up") == 1.0


def test_values_of_other_processes_sharing_the_folder_are_added_up(open_metrics):
    """Multi-process mode: a second process (a gunicorn worker, the Celery worker) counts into the same folder."""
    before = value(scrape(), "iam_celery_jobs_total", task="elsewhere", outcome="succeeded")
    code = ("import django; django.setup(); from iam_console import metrics; "
            "[metrics.job_finished('elsewhere', 'succeeded') for _ in range(3)]")
    env = {**__import__("os").environ, "IAM_METRICS_DIR": settings.IAM_METRICS_DIR,
           "DJANGO_SETTINGS_MODULE": "iam_console.settings", "SECRET_KEY": settings.SECRET_KEY}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120, cwd=settings.BASE_DIR)
    # The other process has ended: its totals stay until a process of this host starts and clears them.
    assert value(scrape(), "iam_celery_jobs_total", task="elsewhere", outcome="succeeded") == before + 3


def test_json_logs_carry_the_request_id_and_no_secret():
    stream = StringIO()
    config = settings.LOGGING
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["json"]))
    from iam_console.log_format import RequestIdFilter
    from iam_console.logging_filters import RedactSecretsFilter

    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/api/v1/nothing-here/password=hunter2-secret")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "the 404 was logged"
    assert all(line["request_id"] == response["x-amzn-RequestId"] for line in lines)
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert "hunter2" not in stream.getvalue()
