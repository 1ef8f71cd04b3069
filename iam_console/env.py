"""Typed readers for settings that come from the environment; each fails fast with a clear message."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
_MISSING = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _parse(name: str, default: object, parse: Callable[[str], T], expected: str) -> T:
    raw = _raw(name)
    if raw is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"{name} must be set ({expected}).")
        return default  # type: ignore[return-value]
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not valid: expected {expected}.") from exc


def env_str(name: str, default: object = _MISSING) -> str:
    return _parse(name, default, str, "a non-empty string")


def env_optional_str(name: str) -> str | None:
    return _raw(name)


def env_bool(name: str, default: object = _MISSING) -> bool:
    def parse(raw: str) -> bool:
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(raw)

    return _parse(name, default, parse, "true or false")


def env_int(name: str, default: object = _MISSING, *, minimum: int | None = None, maximum: int | None = None) -> int:
    def parse(raw: str) -> int:
        value = int(raw)
        if minimum is not None and value < minimum:
            raise ValueError(raw)
        if maximum is not None and value > maximum:
            raise ValueError(raw)
        return value

    bounds = f" between {minimum} and {maximum}" if minimum is not None and maximum is not None else ""
    return _parse(name, default, parse, f"an integer{bounds}")


def env_list(name: str, default: object = _MISSING) -> list[str]:
    return _parse(name, default, lambda raw: [item.strip() for item in raw.split(",") if item.strip()],
                  "a comma-separated list")


def env_account_id(name: str, default: object = _MISSING) -> str:
    def parse(raw: str) -> str:
        if not re.fullmatch(r"\d{12}", raw):
            raise ValueError(raw)
        return raw

    return _parse(name, default, parse, "exactly 12 digits, like an AWS account id")
