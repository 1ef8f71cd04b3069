"""Validation findings shaped like IAM Access Analyzer's ValidatePolicy output."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    """Finding types, named and ordered as Access Analyzer names them."""

    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"


# Used only to break ties between findings at the same position, so the most
# serious one is listed first.
_SEVERITY_RANK = {
    Severity.ERROR: 0,
    Severity.SECURITY_WARNING: 1,
    Severity.WARNING: 2,
    Severity.SUGGESTION: 3,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a policy document, located by 1-based line/column and a path.

    ``path`` uses Access Analyzer's notation, e.g. ``Statement[1].Condition.StringEquals``.
    """

    severity: Severity
    issue_code: str
    message: str
    line: int
    column: int
    path: str = ""

    def sort_key(self) -> tuple[int, int, int, str, str]:
        return (self.line, self.column, _SEVERITY_RANK[self.severity], self.issue_code, self.path)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form (for API responses)."""
        return {
            "findingType": self.severity.value,
            "issueCode": self.issue_code,
            "findingDetails": self.message,
            "locations": [{"path": self.path, "span": {"start": {"line": self.line, "column": self.column}}}],
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in document order (line, column), most severe first at one spot; deduplicated."""
    seen: set[Finding] = set()
    unique = []
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            unique.append(finding)
    return sorted(unique, key=Finding.sort_key)
