"""The documentation site: built strictly (a page left out of the navigation fails it), needing no network, with
reference pages generated from the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iam_console.query import registry
from iam_console.settings_registry import SETTINGS
from scripts import docs_reference

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = str(Path(sys.executable).parent / "mkdocs")


def build(project: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([MKDOCS, "build", "--strict", "--site-dir", str(site)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    result = build(ROOT, target)
    assert result.returncode == 0, result.stderr[-4000:]
    return target


def copy_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "scripts", project / "scripts")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


def test_a_page_missing_from_the_navigation_fails_the_strict_build(tmp_path):
    project = copy_project(tmp_path)
    (project / "docs" / "accounts.md").write_text("# Accounts\n")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "accounts.md" in result.stderr and "not included in the \"nav\"" in result.stderr


def test_a_broken_link_fails_the_strict_build(tmp_path):
    project = copy_project(tmp_path)
    page = project / "docs" / "getting-started.md"
    page.write_text(page.read_text() + "\nSee [the missing page](nowhere.md).\n")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0 and "nowhere.md" in result.stderr


def test_the_site_fetches_nothing_from_the_network(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        text = page.read_text()
        assert not re.search(r"<(?:link|script|img)[^>]+(?:href|src)=\"(?:https?:)?//", text), page
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page


def test_reference_pages_are_built_from_the_code(site):
    settings_page = (site / "reference" / "settings" / "index.html").read_text()
    assert all(f"<code>{setting.name}</code>" in settings_page for setting in SETTINGS)
    query_page = (site / "reference" / "query-api" / "index.html").read_text()
    assert all(f"<code>{action}</code>" in query_page for action in registry.implemented("iam"))
    assert all(f"<code>{action}</code>" in query_page for action in registry.not_implemented("sts"))
    metrics_page = (site / "reference" / "metrics" / "index.html").read_text()
    assert "<code>iam_http_requests_total</code>" in metrics_page


def test_every_rest_route_of_the_schema_is_in_the_reference():
    from drf_spectacular.generators import SchemaGenerator

    page = docs_reference.rest_page()
    for path, item in SchemaGenerator().get_schema(request=None, public=True)["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                assert f"| {method.upper()} | `{path}` |" in page


def test_every_setting_shows_its_default_and_range():
    page = docs_reference.settings_page()
    assert "| `IAM_LOCKOUT_THRESHOLD` | 5 | 1–100 |" in page
    assert "| `IAM_CREDENTIAL_KEY` | SECRET_KEY |" in page
    assert "| `ALLOWED_HOSTS` | localhost,127.0.0.1,[::1],testserver | comma-separated |" in page
