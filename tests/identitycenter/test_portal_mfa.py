"""MFA at the access portal's sign-in, decided in the service: where the management account's MFA requirement
covers everyone, a person registers an authenticator app at sign-in; from then on a right password alone signs
nobody in, each code is good once, and wrong codes are refused without a session."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.mfa import totp
from directory.mfa.requirement import update_mfa_requirement
from iam_console.callers import Caller
from identitycenter.models import PortalMfaDevice, PortalSession
from identitycenter.services import portal
from sts.federation.principals import ANONYMOUS
from tests.identitycenter.test_portal import PASSWORD, setup  # noqa: F401 - the portal's fixture

pytestmark = pytest.mark.django_db


def _seed(page: str) -> bytes:
    secret = re.search(r'id="portal-mfa-secret">([A-Z2-7]+)<', page).group(1)
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _password_step(browser: Client):
    response = browser.post("/start/", {"user_name": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/start/mfa/", response.content[:300]
    return response


def _signed_in(browser: Client) -> bool:
    return b'id="portal-sign-in"' not in browser.get("/start/").content


@pytest.fixture
def required(setup, root_caller):  # noqa: F811
    update_mfa_requirement(caller=root_caller, scope="All")


def test_a_person_registers_an_app_at_sign_in_and_then_needs_its_code(required):
    browser = Client()
    _password_step(browser)
    assert not _signed_in(browser) and PortalSession.objects.count() == 0
    page = browser.get("/start/mfa/").content.decode()
    seed = _seed(page)
    assert "otpauth://totp/" in page
    step = totp.current_step()

    wrong = browser.post("/start/mfa/", {"code": f"{(int(totp.code_at(seed, step)) + 1) % 10**6:06d}"})
    assert wrong.status_code == 401 and b"The code is not right" in wrong.content
    seed = _seed(wrong.content.decode())  # a failed registration shows a new secret
    done = browser.post("/start/mfa/", {"code": totp.code_at(seed, step)})
    assert done.status_code == 302 and done["Location"] == "/start/"
    assert _signed_in(browser)
    assert PortalMfaDevice.objects.get(confirmed=True).user.user_name == "ana"

    again = Client()
    _password_step(again)
    page = again.get("/start/mfa/").content.decode()
    assert "portal-mfa-secret" not in page  # the code of the registered app, no new registration
    reused = again.post("/start/mfa/", {"code": totp.code_at(seed, step)})
    assert reused.status_code == 401 and not _signed_in(again)  # a code is good once
    assert again.post("/start/mfa/", {"code": totp.code_at(seed, step + 1)}).status_code == 302
    assert _signed_in(again)


def test_the_service_starts_no_session_without_the_code(required):
    caller = Caller(principal=ANONYMOUS, via="console", source_ip="192.0.2.10")
    half = portal.sign_in(caller=caller, user_name="ana", password=PASSWORD)
    assert half.session is None and half.second_step == "enrol" and half.pending
    new = portal.start_mfa_registration(half.pending)
    for forged in ("", half.pending + "x", half.pending.replace(half.pending[:8], "AAAAAAAA")):
        with pytest.raises(portal.PortalSignInFailed):
            portal.finish_sign_in(caller=caller, pending_token=forged,
                                  authentication_code=totp.code_at(new.seed, totp.current_step()))
    assert PortalSession.objects.count() == 0
    with pytest.raises(portal.PortalSignInFailed):
        portal.finish_sign_in(caller=caller, pending_token=half.pending, authentication_code="12345")
    code = totp.code_at(new.seed, totp.current_step())
    done = portal.finish_sign_in(caller=caller, pending_token=half.pending, authentication_code=code)
    assert done.session is not None and done.second_step == "enrol"
    # Neither the code nor the pending sign-in's token is in the audit record.
    recorded = json.dumps([event.request_parameters for event in AuditEvent.objects.all()])
    assert code not in recorded and half.pending not in recorded and "12345" not in recorded
    # Registered: the next sign-in's second step is the code, and registering again is refused.
    later = portal.sign_in(caller=caller, user_name="ana", password=PASSWORD)
    assert later.second_step == "code"
    with pytest.raises(portal.PortalSignInFailed):
        portal.start_mfa_registration(later.pending)


def test_without_a_requirement_or_a_device_the_password_signs_in(setup):  # noqa: F811
    browser = Client()
    response = browser.post("/start/", {"user_name": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/start/"
    assert Client().get("/start/mfa/").status_code == 401  # no pending sign-in: back to the password
