"""The credential-health dashboard's figures, drawn from one stored report (cached: reports never change)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache

from directory.models import CredentialReport
from directory.reports.generation import ROOT_USER
from directory.reports.reading import iter_rows

UNUSED_DAYS = 90
_CACHE_VERSION = 1


@dataclass
class Chart:
    key: str
    title: str
    bars: list[tuple[str, str, int]] = field(default_factory=list)  # (bucket, label, count)

    @property
    def maximum(self) -> int:
        return max((count for _, _, count in self.bars), default=0)


def _parse(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value[:1].isdigit() else None


def _buckets(row: dict[str, str], now: datetime) -> set[str]:
    """The dashboard buckets a user (one report row) falls into."""
    found: set[str] = set()
    stale = now - timedelta(days=UNUSED_DAYS)
    has_password = row["password_enabled"] == "true"
    if row["mfa_active"] == "true":
        found.add("mfa:active")
    else:
        found.add("mfa:none-password" if has_password else "mfa:none-no-password")
    if has_password:
        used = _parse(row["password_last_used"])
        if used is None:
            found.add("signin:never")
        changed = _parse(row["password_last_changed"])
        if (used or changed) and (used or changed) < stale:
            found.add("unused:password")
    for number in (1, 2):
        if row[f"access_key_{number}_active"] != "true":
            continue
        rotated = _parse(row[f"access_key_{number}_last_rotated"])
        used = _parse(row[f"access_key_{number}_last_used_date"])
        age = (now - rotated).days if rotated else 0
        found.add("keyage:0-30" if age < 30 else "keyage:30-90" if age < 90 else "keyage:90+")
        if used is None:
            found.add("keyage:never-used")
        if (used or rotated) and (used or rotated) < stale:
            found.add("unused:key")
    return found


def _counts(report: CredentialReport) -> dict[str, int]:
    counts: dict[str, int] = {"users": 0}
    for row in iter_rows(report.pk):
        if row["user"] == ROOT_USER:
            continue
        counts["users"] += 1
        for bucket in _buckets(row, report.generated_at):
            counts[bucket] = counts.get(bucket, 0) + 1
    return counts


def counts(report: CredentialReport) -> dict[str, int]:
    key = f"credential-report-health:{_CACHE_VERSION}:{report.pk}"
    found = cache.get(key)
    if found is None:
        found = _counts(report)
        cache.set(key, found, timeout=7 * 86400)
    return found


def charts(report: CredentialReport) -> tuple[int, list[Chart]]:
    c = counts(report)

    def bars(*pairs: tuple[str, str]) -> list[tuple[str, str, int]]:
        return [(bucket, label, c.get(bucket, 0)) for bucket, label in pairs]

    return c["users"], [
        Chart("mfa", "MFA adoption (users)", bars(("mfa:active", "MFA active"),
                                                 ("mfa:none-password", "No MFA, console password"),
                                                 ("mfa:none-no-password", "No MFA, no password"))),
        Chart("keyage", "Active access keys by age", bars(("keyage:0-30", "0–30 days"), ("keyage:30-90", "30–90 days"),
                                                          ("keyage:90+", "90+ days"),
                                                          ("keyage:never-used", "Never used (any age)"))),
        Chart("unused", f"Unused for {UNUSED_DAYS}+ days (users)", bars(("unused:password", "Passwords"),
                                                                         ("unused:key", "Access keys"))),
        Chart("signin", "Sign-in (users with a password)", bars(("signin:never", "Never signed in"))),
    ]


BUCKET_LABELS = {
    "mfa:active": "MFA active", "mfa:none-password": "No MFA, with a console password",
    "mfa:none-no-password": "No MFA, no console password", "keyage:0-30": "An active key 0–30 days old",
    "keyage:30-90": "An active key 30–90 days old", "keyage:90+": "An active key 90+ days old",
    "keyage:never-used": "An active key never used", "unused:password": f"Password unused for {UNUSED_DAYS}+ days",
    "unused:key": f"An access key unused for {UNUSED_DAYS}+ days", "signin:never": "Never signed in",
}


def users_in(report: CredentialReport, bucket: str) -> list[dict[str, str]]:
    """The rows behind one bar."""
    return [row for row in iter_rows(report.pk)
            if row["user"] != ROOT_USER and bucket in _buckets(row, report.generated_at)]
