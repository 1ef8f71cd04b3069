"""A logging filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

from iam_console.redaction import REDACTED

# key=value or "key": "value" pairs whose key names a secret, and AWS-shaped secrets on their own.
_PAIR = re.compile(
    r"""(?P<key>["']?[\w-]*(?:password|secret|token|seed|authentication_code)[\w-]*["']?\s*[:=]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s,&}]+)""",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"(Signature=)[0-9a-f]{64}")


def scrub(text: str) -> str:
    text = _PAIR.sub(lambda m: m.group("key") + REDACTED, text)
    return _SIGNATURE.sub(r"\1" + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
