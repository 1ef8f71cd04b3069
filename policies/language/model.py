"""Typed policy document model; every element remembers its line, column and path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VALID_VERSIONS = (VERSION_2012, VERSION_2008)


@dataclass(frozen=True, slots=True)
class Located:
    """A scalar from the document with its 1-based position and Access Analyzer path.

    ``json_type`` records what the author wrote ("string", "number", "boolean") because
    AWS accepts unquoted numbers and booleans in Condition values; ``value`` is always
    the textual form used for matching.
    """

    value: str
    line: int
    column: int
    path: str
    json_type: str = "string"


@dataclass(frozen=True, slots=True)
class Principal:
    """A Principal or NotPrincipal element.

    ``wildcard`` is true for ``"Principal": "*"``; otherwise ``entries`` maps the
    principal type exactly as written ("AWS", "Service", "Federated", "CanonicalUser",
    or anything else, which the validator reports) to its values.
    """

    wildcard: bool
    entries: Mapping[str, tuple[Located, ...]]
    line: int
    column: int
    path: str

    def values(self, principal_type: str) -> tuple[Located, ...]:
        return self.entries.get(principal_type, ())


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One ``"Operator": {"key": values}`` pair from a Condition block."""

    operator: Located
    key: Located
    values: tuple[Located, ...]
    line: int
    column: int
    path: str


@dataclass(frozen=True, slots=True)
class Statement:
    """One policy statement. ``None`` means the element is absent; ``()`` means an empty list."""

    index: int
    line: int
    column: int
    path: str
    sid: Located | None = None
    effect: Located | None = None
    action: tuple[Located, ...] | None = None
    not_action: tuple[Located, ...] | None = None
    resource: tuple[Located, ...] | None = None
    not_resource: tuple[Located, ...] | None = None
    principal: Principal | None = None
    not_principal: Principal | None = None
    condition: tuple[ConditionClause, ...] | None = None
    # Element name -> the key token's position, for findings about the element itself.
    elements: Mapping[str, Located] = field(default_factory=dict)
    # Elements written as a non-empty array of nulls: no values, yet IAM counts them present.
    only_nulls: frozenset[str] = frozenset()

    @property
    def is_allow(self) -> bool:
        return self.effect is not None and self.effect.value == "Allow"


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A whole policy document."""

    version: Located | None
    id: Located | None
    statements: tuple[Statement, ...]
    line: int = 1
    column: int = 1
    elements: Mapping[str, Located] = field(default_factory=dict)

    @property
    def supports_variables(self) -> bool:
        """Policy variables are only substituted under Version 2012-10-17 (IAM User Guide:
        IAM policy elements: Version); with 2008-10-17 or no Version they are literal text."""
        return self.version is not None and self.version.value == VERSION_2012
