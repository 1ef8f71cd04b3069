"""A signed-in person's own authenticator app in the access portal: register it (QR code and secret, confirmed by
its first code), replace it (the new app's code retires the old), remove it with a current code; wrong codes change
nothing; where the management account requires MFA of everyone, removal is refused. Each step is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.mfa import totp
from directory.mfa.requirement import update_mfa_requirement
from identitycenter.models import PortalMfaDevice
from tests.identitycenter.test_portal import PASSWORD, setup, signed_in  # noqa: F401 - the portal's fixture
from tests.identitycenter.test_portal_mfa import _seed

pytestmark = pytest.mark.django_db

PAGE = "/start/mfa-device/"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _register(browser: Client) -> bytes:
    started = browser.post(PAGE, {"action": "register"})
    page = started.content.decode()
    assert started.status_code == 200 and 'id="portal-mfa-qr"><svg' in page
    return _seed(page)


def _event(name: str) -> AuditEvent:
    return AuditEvent.objects.filter(event_name=name).latest("id")


def test_a_person_registers_replaces_and_removes_their_app(setup):  # noqa: F811
    browser = signed_in()
    assert 'href="/start/mfa-device/"' in browser.get("/start/").content.decode()
    assert b'id="portal-mfa-none"' in browser.get(PAGE).content
    seed = _register(browser)
    step = totp.current_step()

    wrong = browser.post(PAGE, {"action": "confirm", "code": _wrong(totp.code_at(seed, step))})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    assert _seed(wrong.content.decode()) == seed  # the same app, to retype its code
    assert not PortalMfaDevice.objects.filter(confirmed=True).exists()
    done = browser.post(PAGE, {"action": "confirm", "code": totp.code_at(seed, step)})
    assert done.status_code == 200 and b'id="portal-mfa-notice"' in done.content
    first = PortalMfaDevice.objects.get(confirmed=True)
    event = _event("CompleteVirtualMfaDeviceRegistration")
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.event_source == "sso-directory.amazonaws.com"
    assert totp.code_at(seed, step) not in str(event.request_parameters)
    assert _event("StartVirtualMfaDeviceRegistration").response_elements == {"mfaDeviceId": first.serial_number}

    replacement = _register(browser)
    assert PortalMfaDevice.objects.get(confirmed=True) == first  # the old app works until the new one is confirmed
    replaced = browser.post(PAGE, {"action": "confirm", "code": totp.code_at(replacement, step)})
    assert replaced.status_code == 200
    second = PortalMfaDevice.objects.get()
    assert second.confirmed and second.pk != first.pk

    kept = browser.post(PAGE, {"action": "remove", "code": totp.code_at(seed, step + 1)})  # the old app's code
    assert kept.status_code == 400 and PortalMfaDevice.objects.filter(pk=second.pk).exists()
    assert _event("DeleteMfaDeviceForUser").outcome == AuditEvent.Outcome.FAILURE
    removed = browser.post(PAGE, {"action": "remove", "code": totp.code_at(replacement, step + 1)})
    assert removed.status_code == 200 and not PortalMfaDevice.objects.exists()
    assert _event("DeleteMfaDeviceForUser").outcome == AuditEvent.Outcome.SUCCESS


def test_the_app_is_asked_at_the_next_sign_in(setup):  # noqa: F811
    browser = signed_in()
    seed = _register(browser)
    assert browser.post(PAGE, {"action": "confirm", "code": totp.code_at(seed, totp.current_step())}).status_code == 200
    password_only = Client().post("/start/", {"user_name": "ana", "password": PASSWORD})
    assert password_only.status_code == 302 and password_only["Location"] == "/start/mfa/"


def test_removal_is_refused_where_everyone_must_use_mfa(setup, root_caller):  # noqa: F811
    browser = signed_in()
    seed = _register(browser)
    step = totp.current_step()
    assert browser.post(PAGE, {"action": "confirm", "code": totp.code_at(seed, step)}).status_code == 200
    update_mfa_requirement(caller=root_caller, scope="All")
    page = browser.get(PAGE).content.decode()
    assert 'id="portal-mfa-required"' in page and 'id="portal-mfa-remove"' not in page
    refused = browser.post(PAGE, {"action": "remove", "code": totp.code_at(seed, step + 1)})
    assert refused.status_code == 403 and b"cannot be removed" in refused.content
    assert PortalMfaDevice.objects.filter(confirmed=True).count() == 1
    event = _event("DeleteMfaDeviceForUser")
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.error_code == "AccessDeniedException"


def test_the_page_reads_a_bounded_number_of_rows(setup, django_assert_max_num_queries):  # noqa: F811
    browser = signed_in()
    with django_assert_max_num_queries(5):
        assert browser.get(PAGE).status_code == 200


def test_the_page_is_the_signed_in_persons_only(setup):  # noqa: F811
    assert Client().get(PAGE)["Location"] == "/start/"
    assert Client().post(PAGE, {"action": "register"})["Location"] == "/start/"
    assert not PortalMfaDevice.objects.exists()
    assert signed_in().post(PAGE, {"action": "nonsense"}).status_code == 400
