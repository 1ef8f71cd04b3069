"""What changed between two reports: users added and removed, keys gained and lost, MFA and passwords."""

from __future__ import annotations

from dataclasses import dataclass

from directory.reports.reading import iter_rows

_TRACKED = ("password_enabled", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
            "access_key_2_active", "access_key_2_last_rotated")


@dataclass(frozen=True)
class Change:
    user: str
    kind: str
    detail: str


def _keys(values: tuple[str, ...]) -> set[str]:
    # A key is identified by its creation time; only active keys count as usable credentials.
    return {values[3] if values[2] == "true" else "", values[5] if values[4] == "true" else ""} - {""}


def _snapshot(report_id: int) -> dict[str, tuple[str, ...]]:
    return {row["user"]: tuple(row[column] for column in _TRACKED) for row in iter_rows(report_id)}


def compare(old_id: int, new_id: int) -> list[Change]:
    old, new = _snapshot(old_id), _snapshot(new_id)
    changes: list[Change] = []
    for user in sorted(old.keys() | new.keys(), key=str.lower):
        before, after = old.get(user), new.get(user)
        if before is None:
            changes.append(Change(user, "added", "user created"))
            before = ("false", "false", "false", "N/A", "false", "N/A")
        if after is None:
            changes.append(Change(user, "removed", "user deleted"))
            continue
        if before[1] != after[1]:
            changes.append(Change(user, "mfa", "gained MFA" if after[1] == "true" else "lost MFA"))
        if before[0] != after[0] and "not_supported" not in (before[0], after[0]):
            changes.append(Change(user, "password", "console password enabled" if after[0] == "true"
                                  else "console password removed"))
        gained, lost = _keys(after) - _keys(before), _keys(before) - _keys(after)
        changes += [Change(user, "key-gained", f"gained an active access key (created {when})") for when in sorted(gained)]
        changes += [Change(user, "key-lost", f"lost an active access key (created {when})") for when in sorted(lost)]
    return changes
