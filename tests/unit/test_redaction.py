"""Secrets never reach an audit record or a log line."""

import logging

from iam_console.logging_filters import RedactSecretsFilter, scrub
from iam_console.redaction import REDACTED, redact


def test_secret_named_fields_are_redacted_at_any_depth():
    record = redact({"user_name": "alice", "password": "p", "nested": {"secret_access_key": "s",
                     "items": [{"session_token": "t", "authentication_code_1": "123456"}]}})
    assert record == {"user_name": "alice", "password": REDACTED,
                      "nested": {"secret_access_key": REDACTED,
                                 "items": [{"session_token": REDACTED, "authentication_code_1": REDACTED}]}}


def test_non_json_values_become_strings():
    assert redact({"when": object}) == {"when": str(object)}


def test_log_lines_with_secret_pairs_are_scrubbed():
    line = 'payload {"password": "hunter2", "user_name": "bob"} secret_access_key=abc/DEF+123 ok'
    cleaned = scrub(line)
    assert "hunter2" not in cleaned and "abc/DEF+123" not in cleaned and '"user_name": "bob"' in cleaned


def test_logging_filter_rewrites_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("abcdef",), None)
    RedactSecretsFilter().filter(record)
    assert "abcdef" not in record.getMessage()
