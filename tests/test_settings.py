"""Settings fail fast: a bad environment stops start-up with a clear ImproperlyConfigured message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = "import django; from django.conf import settings; django.setup(); print(repr(getattr(settings, {name!r})))"


def load_settings(env: dict[str, str], name: str = "IAM_ACCOUNT_ID") -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment over a production baseline."""
    base = {key: value for key, value in os.environ.items()
            if key in {"PATH", "HOME", "DATABASE_URL", "REDIS_URL", "LANG"}}
    base.update({"DJANGO_SETTINGS_MODULE": "iam_console.settings", "SECRET_KEY": "s" * 50})
    base.update(env)
    base = {key: value for key, value in base.items() if value is not None}
    return subprocess.run([sys.executable, "-c", PROBE.format(name=name)], cwd=ROOT, env=base,
                          capture_output=True, text=True, timeout=60)


def improperly_configured(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last.removeprefix("django.core.exceptions.ImproperlyConfigured: ")


def test_valid_production_environment_loads():
    result = load_settings({"IAM_ACCOUNT_ID": "210987654321"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "'210987654321'"


@pytest.mark.parametrize("value", ["12345678901", "1234567890123", "12345678901a", "abc"])
def test_account_id_that_is_not_twelve_digits_is_refused(value):
    assert improperly_configured(load_settings({"IAM_ACCOUNT_ID": value})) == (
        f"IAM_ACCOUNT_ID={value!r} is not valid: expected exactly 12 digits, like an AWS account id.")


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_boolean_that_is_not_true_or_false_is_refused(value):
    assert improperly_configured(load_settings({"DEBUG": value})) == (
        f"DEBUG={value!r} is not valid: expected true or false.")


@pytest.mark.parametrize("value", ["yes", "on", "1", "TRUE"])
def test_boolean_accepts_the_usual_spellings_of_true(value):
    result = load_settings({"SESSION_COOKIE_SECURE": value}, name="SESSION_COOKIE_SECURE")
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr


@pytest.mark.parametrize("value", ["ten", "0", "101", "5.5"])
def test_integer_outside_its_bounds_or_not_an_integer_is_refused(value):
    assert improperly_configured(load_settings({"IAM_LOCKOUT_THRESHOLD": value})) == (
        f"IAM_LOCKOUT_THRESHOLD={value!r} is not valid: expected an integer between 1 and 100.")


def test_missing_secret_key_in_production_is_refused():
    message = improperly_configured(load_settings({"SECRET_KEY": None, "DEBUG": "false"}))
    assert message == ("SECRET_KEY must be set in production (set DEBUG=true or IAM_EMBEDDED=true for a local "
                       "console).")


def test_short_secret_key_is_refused():
    assert improperly_configured(load_settings({"SECRET_KEY": "too-short"})) == (
        "SECRET_KEY must be at least 32 characters long.")


def test_database_url_of_another_engine_is_refused():
    assert improperly_configured(load_settings({"DATABASE_URL": "mysql://root@127.0.0.1/iam"})) == (
        "DATABASE_URL must be a postgresql:// URL, not 'mysql'.")


def test_database_url_without_a_database_name_is_refused():
    assert improperly_configured(load_settings({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432"})) == (
        "DATABASE_URL must name a database, e.g. postgresql://user@host:5432/iam.")


def test_production_keeps_secure_cookies_by_default():
    result = load_settings({}, name="SESSION_COOKIE_SECURE")
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr
