"""Every environment variable the project reads is declared once, in iam_console/settings_registry.py, which both
settings.py and the documentation's settings reference read."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from iam_console.settings_registry import BY_NAME, SETTINGS

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["iam_console", "accounts", "directory", "policies", "sts", "audit"]
# Read by libraries or the test machinery, not settings of the directory.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER", "PROMETHEUS_MULTIPROC_DIR"}
READS = re.compile(r"""(?:\bread|env_\w+)\(\s*"([A-Z][A-Z0-9_]+)"|os\.environ(?:\.get\(|\.setdefault\(|\[)\s*"([A-Z][A-Z0-9_]+)\"""")


def names_read() -> set[str]:
    found = set()
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            if "migrations" in source.parts or source.name == "settings_registry.py":
                continue
            for match in READS.finditer(source.read_text()):
                found.add(match.group(1) or match.group(2))
    return found - NOT_SETTINGS


def test_every_environment_variable_read_is_declared_in_the_registry():
    undeclared = names_read() - set(BY_NAME)
    assert not undeclared, f"declare these in iam_console/settings_registry.py (the docs list them from there): " \
                           f"{sorted(undeclared)}"


def test_every_declared_setting_is_read_somewhere():
    assert set(BY_NAME) - names_read() == set()


def test_settings_take_their_defaults_from_the_registry():
    assert settings.IAM_LOCKOUT_THRESHOLD == BY_NAME["IAM_LOCKOUT_THRESHOLD"].default
    assert settings.IAM_SAML_AUDIENCES == BY_NAME["IAM_SAML_AUDIENCES"].default
    assert all(s.section and s.meaning.endswith((".", ")")) for s in SETTINGS)
