"""Condition operators: parsing names, checking policy values, compiling clauses to tests."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .arn import arn_like
from .iam_grammar import parse_policy_date
from .variables import VariableError, context_string, parse_template, render, render_pattern

Context = Mapping[str, Any]
ConditionTest = Callable[[Context], bool]

# base name -> (family, negated, positive counterpart). IAM User Guide: "IAM JSON policy
# elements: Condition operators".
_BASES: dict[str, tuple[str, bool, str]] = {
    "StringEquals": ("String", False, "StringEquals"),
    "StringNotEquals": ("String", True, "StringEquals"),
    "StringEqualsIgnoreCase": ("String", False, "StringEqualsIgnoreCase"),
    "StringNotEqualsIgnoreCase": ("String", True, "StringEqualsIgnoreCase"),
    "StringLike": ("String", False, "StringLike"),
    "StringNotLike": ("String", True, "StringLike"),
    "NumericEquals": ("Numeric", False, "NumericEquals"),
    "NumericNotEquals": ("Numeric", True, "NumericEquals"),
    "NumericLessThan": ("Numeric", False, "NumericLessThan"),
    "NumericLessThanEquals": ("Numeric", False, "NumericLessThanEquals"),
    "NumericGreaterThan": ("Numeric", False, "NumericGreaterThan"),
    "NumericGreaterThanEquals": ("Numeric", False, "NumericGreaterThanEquals"),
    "DateEquals": ("Date", False, "DateEquals"),
    "DateNotEquals": ("Date", True, "DateEquals"),
    "DateLessThan": ("Date", False, "DateLessThan"),
    "DateLessThanEquals": ("Date", False, "DateLessThanEquals"),
    "DateGreaterThan": ("Date", False, "DateGreaterThan"),
    "DateGreaterThanEquals": ("Date", False, "DateGreaterThanEquals"),
    "Bool": ("Bool", False, "Bool"),
    "BinaryEquals": ("Binary", False, "BinaryEquals"),
    "IpAddress": ("Ip", False, "IpAddress"),
    "NotIpAddress": ("Ip", True, "IpAddress"),
    "ArnEquals": ("Arn", False, "ArnEquals"),
    "ArnLike": ("Arn", False, "ArnLike"),
    "ArnNotEquals": ("Arn", True, "ArnEquals"),
    "ArnNotLike": ("Arn", True, "ArnLike"),
    "Null": ("Null", False, "Null"),
}
_BASES_LOWER = {name.lower(): name for name in _BASES}
CONDITION_OPERATORS = tuple(_BASES)
SET_OPERATORS = ("ForAllValues", "ForAnyValue")
# Policy variables are honoured only by string and ARN operators (Access Analyzer:
# "Invalid variable for operator").
VARIABLE_FAMILIES = frozenset({"String", "Arn"})


@dataclass(frozen=True, slots=True)
class Operator:
    """A parsed operator name such as ``ForAnyValue:StringNotLikeIfExists``."""

    text: str
    base: str  # canonical, without qualifiers: "StringNotLike"
    family: str  # String, Numeric, Date, Bool, Binary, Ip, Arn, Null
    negated: bool
    positive: str  # the operator a negated one inverts: "StringLike"
    if_exists: bool
    set_operator: str | None  # "ForAllValues", "ForAnyValue" or None


    @property
    def canonical(self) -> str:
        """The name as IAM spells it; IAM refuses any other spelling (names are case-sensitive)."""
        prefix = f"{self.set_operator}:" if self.set_operator else ""
        return f"{prefix}{self.base}{'IfExists' if self.if_exists else ''}"


@lru_cache(maxsize=1024)
def parse_operator(text: str) -> Operator | None:
    """The operator, or None if unknown. Matching ignores case so that evaluation never
    depends on spelling; the validator holds the text to ``Operator.canonical``.

    Every base operator takes the ForAllValues:/ForAnyValue: prefixes and the IfExists
    suffix, Null included: IAM accepts them all (Access Analyzer only advises against
    "Null with IfExists").
    """
    set_operator = None
    rest = text
    prefix, sep, tail = text.partition(":")
    if sep:
        set_operator = next((s for s in SET_OPERATORS if s.lower() == prefix.lower()), None)
        if set_operator is None:
            return None
        rest = tail
    if_exists = rest.lower().endswith("ifexists")
    if if_exists:
        rest = rest[: -len("IfExists")]
    base = _BASES_LOWER.get(rest.lower())
    if base is None:
        return None
    family, negated, positive = _BASES[base]
    return Operator(text, base, family, negated, positive, if_exists, set_operator)


# ---------------------------------------------------------------- value coercion

_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def to_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        text = value.strip()
        return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else float(text)
    return None


def to_epoch(value: Any) -> float | None:
    """Seconds since the epoch from a datetime, an epoch number, or ISO 8601 text.

    IAM User Guide: Date condition operators — "You must specify date/time values with one
    of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time."
    """
    if isinstance(value, _dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
        return aware.timestamp()
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC).timestamp()
    number = to_number(value)
    if number is not None:
        return float(number)
    if not isinstance(value, str):
        return None
    parsed_date = parse_policy_date(value)
    if parsed_date is not None:
        return parsed_date
    try:
        parsed = _dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.UTC)
    return parsed.timestamp()


def to_bytes(value: Any) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def to_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def to_address(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def value_problem(operator: Operator, value: str) -> str | None:
    """Why a policy value cannot be used with this operator, or None if it can."""
    family = operator.family
    if family == "Numeric" and to_number(value) is None:
        return f"{operator.base} needs a number, not {value!r}"
    if family == "Date" and to_epoch(value) is None:
        return f"{operator.base} needs an ISO 8601 date (e.g. 2025-01-31T12:00:00Z) or epoch seconds, not {value!r}"
    if family in ("Bool", "Null") and value.lower() not in ("true", "false"):
        return f'{operator.base} needs "true" or "false", not {value!r}'
    if family == "Binary" and to_bytes(value) is None:
        return f"{operator.base} needs a base64-encoded value, not {value!r}"
    if family == "Ip" and to_network(value) is None:
        return f"{operator.base} needs an IPv4 or IPv6 address or CIDR block, not {value!r}"
    if family == "Arn" and "${" not in value and len(value.split(":", 5)) != 6:
        return f"{operator.base} needs an ARN (arn:partition:service:region:account:resource), not {value!r}"
    return None


# ---------------------------------------------------------------- compilation

_MULTI = (list, tuple, set, frozenset)


@lru_cache(maxsize=4096)
def _compile_regex(source: str) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL)


def _like_source(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


SingleMatch = Callable[[Any, Context], bool]


def _positive_matcher(positive: str, family: str, values: tuple[str, ...], variables: bool) -> SingleMatch:
    """A test "does one context value match any policy value" for a positive operator."""
    templates = [
        parse_template_safe(v) if variables and family in VARIABLE_FAMILIES else None for v in values
    ]
    static = [v for v, t in zip(values, templates, strict=True) if t is None]
    dynamic = [t for t in templates if t is not None]

    if positive == "StringEquals":
        exact = frozenset(static)

        def match(c: Any, ctx: Context) -> bool:
            s = c if c.__class__ is str else context_string(c)
            if s is None:
                return False
            if s in exact:
                return True
            for t in dynamic:
                if render(t, ctx) == s:
                    return True
            return False

        return match
    if positive == "StringEqualsIgnoreCase":
        folded = frozenset(v.casefold() for v in static)

        def match(c: Any, ctx: Context) -> bool:
            s = context_string(c)
            if s is None:
                return False
            s = s.casefold()
            return s in folded or any(
                (r := render(t, ctx)) is not None and r.casefold() == s for t in dynamic
            )

        return match
    if positive == "StringLike":
        regex = _compile_regex("|".join(f"(?:{_like_source(v)})" for v in static)) if static else None

        def match(c: Any, ctx: Context) -> bool:
            s = context_string(c)
            if s is None:
                return False
            if regex is not None and regex.fullmatch(s):
                return True
            for t in dynamic:
                source = render_pattern(t, ctx)
                if source is not None and _compile_regex(source).fullmatch(s):
                    return True
            return False

        return match
    if family == "Arn":

        def match(c: Any, ctx: Context) -> bool:
            s = context_string(c)
            if s is None:
                return False
            if any(arn_like(v, s) for v in static):
                return True
            return any((r := render(t, ctx)) is not None and arn_like(r, s) for t in dynamic)

        return match
    if family == "Numeric":
        numbers = [n for n in map(to_number, values) if n is not None]
        compare = _COMPARISONS[positive[len("Numeric") :]]
        return lambda c, ctx: (n := to_number(c)) is not None and any(compare(n, v) for v in numbers)
    if family == "Date":
        epochs = [e for e in map(to_epoch, values) if e is not None]
        compare = _COMPARISONS[positive[len("Date") :]]
        return lambda c, ctx: (e := to_epoch(c)) is not None and any(compare(e, v) for v in epochs)
    if family == "Bool":
        wanted = frozenset(v.lower() for v in values)

        def match(c: Any, ctx: Context) -> bool:
            if c is True or c is False:
                return ("true" if c else "false") in wanted
            s = context_string(c)
            return s is not None and s.lower() in wanted

        return match
    if family == "Binary":
        blobs = frozenset(b for b in map(to_bytes, values) if b is not None)
        return lambda c, ctx: (b := to_bytes(c)) is not None and b in blobs
    if family == "Ip":
        networks = [n for n in map(to_network, values) if n is not None]

        def match(c: Any, ctx: Context) -> bool:
            address = to_address(c)
            # An IPv4 address is never inside an IPv6 block and vice versa.
            return address is not None and any(
                address.version == net.version and address in net for net in networks
            )

        return match
    raise ValueError(f"no matcher for {positive}")  # pragma: no cover - table is exhaustive


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}


def parse_template_safe(value: str):  # type: ignore[no-untyped-def]
    """Template for a value, treating malformed ${...} as literal text (the validator reports it)."""
    try:
        return parse_template(value)
    except VariableError:
        return None


def _null_test(operator: Operator, key: str, values: tuple[str, ...]) -> ConditionTest:
    """Null: "true" matches an absent key, "false" a present one.

    An empty multivalued value is an absent key (IAM User Guide, "Multivalued context
    keys": a key that resolves to an empty data set). With a set operator or IfExists an
    absent key follows the usual rule (ForAllValues and IfExists true, ForAnyValue
    false); a present key's values are all present, so the prefix changes nothing else.
    """
    wanted = [v.lower() == "true" for v in values]
    if operator.if_exists or operator.set_operator == "ForAllValues":
        absent_result: bool | None = True
    elif operator.set_operator == "ForAnyValue":
        absent_result = False
    else:
        absent_result = None

    def null_test(context: Context) -> bool:
        raw = context.get(key)
        absent = raw is None or (isinstance(raw, _MULTI) and not raw)
        if absent and absent_result is not None:
            return absent_result
        return any(absent == want for want in wanted)

    return null_test


def compile_clause(operator: Operator, key: str, values: tuple[str, ...], variables: bool) -> ConditionTest:
    """Compile one operator/key/values triple into ``test(context) -> bool``.

    ``context`` must have lower-cased keys (RequestContext does that once per request).
    Semantics, from the IAM User Guide ("Condition operators", "...IfExists", "Condition
    operator to check existence of condition keys", "Multivalued context keys"):
    values under one key are ORed (for negated operators the key must match none of
    them); a missing key makes positive operators false and negated ones true, IfExists
    and ForAllValues true, ForAnyValue false.
    """
    key = key.lower()
    if operator.family == "Null":
        return _null_test(operator, key, values)

    positive = _positive_matcher(operator.positive, operator.family, values, variables)
    negated = operator.negated
    set_operator = operator.set_operator
    if operator.if_exists or set_operator == "ForAllValues":
        missing_result = True
    elif set_operator == "ForAnyValue":
        missing_result = False
    else:
        missing_result = negated

    def test(context: Context) -> bool:
        raw = context.get(key)
        if raw is None:
            return missing_result
        if isinstance(raw, _MULTI):
            if set_operator == "ForAllValues":
                return all(positive(c, context) != negated for c in raw)
            if set_operator == "ForAnyValue":
                return any(positive(c, context) != negated for c in raw)
            # No set operator on a multivalued key: the request matches when any of
            # its values matches; a negated operator needs none to match.
            return any(positive(c, context) for c in raw) != negated
        # "!= negated" inverts the positive operator's result for the Not* operators.
        return positive(raw, context) != negated

    if (
        operator.base == "StringEquals"
        and not operator.if_exists
        and set_operator is None
        and not (variables and any(parse_template_safe(v) is not None for v in values))
    ):
        # For a single-valued context value the test is exactly "its text is one of these
        # values" (and a missing key fails), so the evaluator may index statements by it.
        test.equals_gate = (key, frozenset(values))  # type: ignore[attr-defined]
    return test
