"""The TOTP algorithm against RFC 6238's test vectors, the tolerance window, and the enrolment URI and QR code."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django_otp.oath import TOTP

from directory.mfa import qr, totp

RFC_SEED = b"12345678901234567890"
# RFC 6238 Appendix B, SHA1 rows: (Unix time, 8-digit TOTP).
RFC_6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "expected"), RFC_6238_SHA1)
def test_codes_match_rfc_6238_appendix_b_sha1_vectors(unix_time, expected):
    assert totp.code_at(RFC_SEED, unix_time // 30, digits=8) == expected
    engine = TOTP(RFC_SEED, step=30, digits=8)
    engine.time = unix_time
    assert f"{engine.token():08d}" == expected


@pytest.mark.parametrize(("unix_time", "expected"), RFC_6238_SHA1)
def test_six_digit_codes_are_the_last_six_digits_of_the_rfc_vectors(unix_time, expected):
    assert totp.code_at(RFC_SEED, unix_time // 30) == expected[-6:]


def test_a_code_one_step_either_side_is_accepted_and_two_steps_away_is_not(settings):
    settings.IAM_MFA_TOLERANCE_STEPS = 1
    now = 1111111111
    step = now // 30
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        match = totp.verify(RFC_SEED, totp.code_at(RFC_SEED, step + offset), now=now)
        assert (match is not None) is accepted, offset
        if match:
            assert (match.step, match.drift) == (step + offset, offset)


def test_tolerance_is_configurable(settings):
    settings.IAM_MFA_TOLERANCE_STEPS = 0
    step = 1111111111 // 30
    assert totp.verify(RFC_SEED, totp.code_at(RFC_SEED, step - 1), now=1111111111) is None
    assert totp.verify(RFC_SEED, totp.code_at(RFC_SEED, step), now=1111111111) is not None


def test_a_code_at_or_before_the_last_accepted_step_is_refused():
    now, step = 1111111111, 1111111111 // 30
    code = totp.code_at(RFC_SEED, step)
    assert totp.verify(RFC_SEED, code, after_step=step - 1, now=now).step == step
    assert totp.verify(RFC_SEED, code, after_step=step, now=now) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", " 123456", None, 123456, "１２３４５６"])
def test_anything_but_six_ascii_digits_is_refused(code):
    assert totp.verify(RFC_SEED, code, now=59) is None


def test_consecutive_codes_must_be_in_order_and_consecutive():
    now, step = 1111111111, 1111111111 // 30
    code = lambda s: totp.code_at(RFC_SEED, s)  # noqa: E731
    assert totp.verify_consecutive(RFC_SEED, code(step - 1), code(step), window=1, now=now).step == step
    assert totp.verify_consecutive(RFC_SEED, code(step), code(step - 1), window=1, now=now) is None
    assert totp.verify_consecutive(RFC_SEED, code(step), code(step), window=1, now=now) is None
    assert totp.verify_consecutive(RFC_SEED, code(step - 2), code(step), window=1, now=now) is None


def test_otpauth_uri_carries_issuer_account_user_and_the_common_parameters(settings):
    settings.IAM_MFA_ISSUER = "Acme IAM"
    uri = totp.otpauth_uri(RFC_SEED, account="123456789012", user_name="alice")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/Acme IAM:alice@123456789012"
    assert parse_qs(parts.query) == {"secret": ["GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"], "issuer": ["Acme IAM"],
                                     "algorithm": ["SHA1"], "digits": ["6"], "period": ["30"]}


def test_qr_code_is_an_inline_svg():
    svg = qr.qr_svg("otpauth://totp/IAM:alice@123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "<path" in svg
