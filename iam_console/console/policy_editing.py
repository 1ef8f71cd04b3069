"""What the policy editor shows beside the JSON: findings grouped by severity and the per-service summary."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from iam_console.errors import IAMError, MalformedPolicyDocument
from policies.catalogue import ensure_catalogue_loaded
from policies.language import summarize

SEVERITIES = [("ERROR", "Errors", "error"), ("SECURITY_WARNING", "Security warnings", "security"),
              ("WARNING", "Warnings", "warning"), ("SUGGESTION", "Suggestions", "suggestion")]


def grouped_findings(findings: list[dict]) -> list[dict]:
    """Findings under AWS's four headings, each with its count, in document order."""
    groups = []
    for severity, title, css in SEVERITIES:
        items = [f for f in findings if f["severity"] == severity]
        groups.append({"severity": severity, "title": title, "css": css, "count": len(items), "items": items})
    return groups


def compared_with_saved(document: str) -> list[dict]:
    """What "Check no new access" compares an inline policy's draft with: the policy as saved."""
    return [{"version_id": "the saved policy", "label": "The saved policy", "default": True, "document": document}]


def findings_of(error: IAMError) -> list[dict]:
    """The findings a refused save carries (MalformedPolicyDocument), or none."""
    if isinstance(error, MalformedPolicyDocument) and isinstance(error.details, dict):
        return list(error.details.get("findings") or [])
    return []


def summary_rows(document: str) -> list[dict]:
    """summarize() as table rows: service, effect, access levels in AWS's order, resources, conditions."""
    ensure_catalogue_loaded()  # registered services are summarized by access level, as iam is
    rows = []
    for summary in summarize(document or ""):
        levels = [{"level": level, "extent": extent} for level, extent in summary.access_levels.items()]
        rows.append({"service": "All services" if summary.service == "*" else summary.service,
                     "effect": summary.effect, "levels": levels, "resources": summary.resources,
                     "actions": summary.actions, "has_conditions": summary.has_conditions})
    return rows


def editor_context(document: str, *, findings: list[dict] | None = None, policy_type: str = "IDENTITY_POLICY",
                   readonly: bool = False, line: int | None = None) -> dict:
    return {"editor": {"document": document, "findings": grouped_findings(findings or []),
                       "has_findings": bool(findings), "policy_type": policy_type, "readonly": readonly,
                       "line": line, "summary": summary_rows(document)}}


@dataclass(frozen=True)
class DiffRow:
    left_number: int | None
    left: str
    right_number: int | None
    right: str
    kind: str  # "same", "changed", "removed", "added"


def side_by_side(left: str, right: str) -> list[DiffRow]:
    """A line diff laid out in two columns, like a code review tool."""
    a, b = left.splitlines(), right.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow(i + 1, a[i], j + 1, b[j], "same") for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        left_lines, right_lines = list(range(i1, i2)), list(range(j1, j2))
        for k in range(max(len(left_lines), len(right_lines))):
            i = left_lines[k] if k < len(left_lines) else None
            j = right_lines[k] if k < len(right_lines) else None
            kind = "changed" if i is not None and j is not None else ("removed" if i is not None else "added")
            rows.append(DiffRow(i + 1 if i is not None else None, a[i] if i is not None else "",
                                j + 1 if j is not None else None, b[j] if j is not None else "", kind))
    return rows
