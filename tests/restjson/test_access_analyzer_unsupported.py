"""The README lists exactly the Access Analyzer operations the REST-JSON door does not serve: a handler module
added to HANDLER_MODULES takes its operations off the list, or this fails."""

from __future__ import annotations

from pathlib import Path

from iam_console.restjson import registry

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_the_access_analyzer_operations_not_served():
    section = README.read_text().split("## IAM Access Analyzer: what is not supported yet", 1)[1].split("\n## ", 1)[0]
    listed = section.split("UnknownOperationException`:", 1)[1].split(".\n", 1)[0]
    assert sorted(name.strip() for name in listed.replace("\n", " ").split(",")) == \
        registry.not_implemented("accessanalyzer")


def test_the_policy_checks_are_served():
    assert {"ValidatePolicy", "CheckNoNewAccess", "CheckAccessNotGranted", "CheckNoPublicAccess"} <= \
        set(registry.implemented("accessanalyzer"))
