"""Validation findings: IAM's blocking verdict and Access-Analyzer-style advice, in one shape."""

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

    ``blocking`` marks IAM's own verdict: a document with a blocking finding is one that
    IAM refuses with MalformedPolicyDocument (or a size quota). Every other finding is
    advice, whatever its severity: IAM stores the document, and so do we.
    """

    severity: Severity
    issue_code: str
    message: str
    line: int
    column: int
    path: str = ""
    blocking: bool = False

    def sort_key(self) -> tuple[int, int, int, int, str, str]:
        return (self.line, self.column, 0 if self.blocking else 1, _SEVERITY_RANK[self.severity], self.issue_code,
                self.path)

    def to_dict(self) -> dict[str, object]:
        """The one JSON shape of a finding, used by every API response and the editor."""
        return {
            "severity": self.severity.value,
            "issue_code": self.issue_code,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "blocking": self.blocking,
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
