"""Why an account cannot be created, as Organizations' CreateAccountStatus FailureReason names it."""

from __future__ import annotations

from iam_console.errors import EntityAlreadyExists


class EmailAlreadyExists(EntityAlreadyExists):
    """Another account of the directory already uses the e-mail address (compared case-insensitively)."""

    failure_reason = "EMAIL_ALREADY_EXISTS"
