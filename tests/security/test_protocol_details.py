"""Protocol details SDKs and security tools rely on: request ids, HSTS, the client behind a proxy."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db


def test_every_api_response_carries_a_request_id_that_errors_and_audit_events_repeat(root_api, user_api):
    ok = root_api.get("/api/v1/users/")
    assert uuid.UUID(ok["x-amzn-RequestId"])
    _, api = user_api("nobody")
    denied = api.post("/api/v1/users/", {"user_name": "intruder"})
    request_id = denied["x-amzn-RequestId"]
    assert denied.json()["error"]["request_id"] == request_id
    assert AuditEvent.objects.get(event_name="CreateUser", error_code="AccessDenied").request_id == request_id
    anonymous = Client().get("/api/v1/users/")
    assert anonymous.json()["error"]["request_id"] == anonymous["x-amzn-RequestId"]
    assert ok["x-amzn-RequestId"] != request_id != anonymous["x-amzn-RequestId"]


def test_hsts_is_on_by_default_in_production_and_can_be_turned_off():
    assert load_settings({}, name="SECURE_HSTS_SECONDS").stdout.strip() == "31536000"
    assert load_settings({"SECURE_HSTS_SECONDS": "0"}, name="SECURE_HSTS_SECONDS").stdout.strip() == "0"
    assert load_settings({"DEBUG": "true"}, name="SECURE_HSTS_SECONDS").stdout.strip() == "0"


def test_hsts_header_is_sent_over_https(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/api/v1/health/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def source_ip_of_a_sign_in(forwarded_for: str, remote: str = "10.0.0.5") -> str:
    Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for).post(
        "/sign-in/", {"user_name": "nobody-at-all", "password": "wrong"})
    return AuditEvent.objects.filter(event_name="ConsoleLogin").latest("event_time").source_ip


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(settings):
    settings.IAM_TRUSTED_PROXIES = 0
    assert source_ip_of_a_sign_in("198.51.100.7") == "10.0.0.5"


def test_behind_a_trusted_proxy_the_client_is_seen_and_a_forged_hop_is_not(settings):
    settings.IAM_TRUSTED_PROXIES = 1
    assert source_ip_of_a_sign_in("198.51.100.7") == "198.51.100.7"
    # A client that writes its own X-Forwarded-For only adds hops to the left of what the proxy appends.
    assert source_ip_of_a_sign_in("6.6.6.6, 198.51.100.8") == "198.51.100.8"
    assert source_ip_of_a_sign_in("not-an-address") == "10.0.0.5"


def test_aws_source_ip_sees_the_client_behind_a_trusted_proxy(settings, root_api):
    settings.IAM_TRUSTED_PROXIES = 1
    root_api.client.defaults["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    root_api.post("/api/v1/groups/", {"group_name": "proxied"})
    assert AuditEvent.objects.get(event_name="CreateGroup").source_ip == "198.51.100.9"
