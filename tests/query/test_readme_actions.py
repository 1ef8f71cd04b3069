"""The README's list of implemented Query API actions is the registry's."""

from __future__ import annotations

import re
from pathlib import Path

from iam_console.query import registry

README = Path(__file__).resolve().parents[2] / "README.md"


def listed(service: str) -> list[str]:
    text = README.read_text()
    block = text.split("<!-- query-actions -->", 1)[1].split("<!-- /query-actions -->", 1)[0]
    entry = re.search(rf"- {service.upper()}: (.*?)(?=\n- |\Z)", block, re.S)
    return sorted(name.strip() for name in entry.group(1).replace("\n", " ").split(",")) if entry else []


def test_readme_lists_exactly_the_implemented_iam_actions():
    assert listed("iam") == registry.implemented("iam")


def test_readme_lists_exactly_the_implemented_sts_actions():
    assert listed("sts") == registry.implemented("sts")
