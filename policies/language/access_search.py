"""The search for a request that matches some policy statements and none of others, dimension by dimension."""

from __future__ import annotations

import datetime as _dt
import ipaddress
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from .access_model import (
    ACTION_SHAPE,
    PRINCIPAL_SHAPE,
    RESOURCE_SHAPE,
    Clause,
    Dim,
    Stmt,
    Witness,
    current_catalogue,
)
from .condition_keys import is_multivalued
from .conditions import to_bytes, to_epoch, to_network, to_number
from .globs import Glob, explore, minimal, pattern_glob

_ABSENT = object()
_MAX_TYPES = 8  # element types per multivalued key before subsets are capped at pairs


@dataclass
class SearchOptions:
    with_principal: bool = False
    # condition keys whose value an outsider cannot choose (public-access check) -> value filter
    outsider_keys: dict[str, Callable[[Any], bool]] | None = None
    # extra forbidden principal patterns (public-access check: every principal the policy names)
    forbidden_principals: tuple[Glob, ...] = ()


class Imprecise(Exception):
    """A step could not be decided exactly (too many element types)."""


def _split(dims: Sequence[Dim | None]) -> tuple[list[Glob], list[Glob]]:
    required, forbidden = [], []
    for dim in dims:
        if dim is not None:
            (forbidden if dim[1] else required).append(dim[0])
    return required, forbidden


def _dimension(
    positives: Sequence[Dim | None],
    negatives: Sequence[Stmt],
    dim_of: Callable[[Stmt], Dim | None],
    shape: Glob,
    extra_forbidden: Sequence[Glob] = (),
) -> list[tuple[list[Stmt], str]]:
    """For each subset-minimal set of negatives whose component here holds, a witness value."""
    required, forbidden = _split(positives)
    required.append(shape)
    forbidden.extend(extra_forbidden)
    optional: list[Glob] = []
    owners: list[int] = []
    always: list[int] = []
    for i, stmt in enumerate(negatives):
        dim = dim_of(stmt)
        if dim is None:
            always.append(i)
        else:
            optional.append(dim[0])
            owners.append(i)
    negated = [dim_of(negatives[owners[j]])[1] for j in range(len(optional))]  # type: ignore[index]
    found = explore(required, forbidden, optional, negated=negated)
    holding: dict[frozenset[int], str] = {}
    for signature, witness in found.items():
        held = frozenset(always) | frozenset(owners[j] for j in signature)
        holding.setdefault(held, witness)
    return [([negatives[i] for i in sorted(held)], holding[held]) for held in minimal(holding)]


def _actions(positives: Sequence[Stmt], negatives: Sequence[Stmt]) -> list[tuple[list[Stmt], str]]:
    cat = current_catalogue()
    options: dict[frozenset[int], str] = {}
    mask = cat.everything
    for stmt in positives:
        mask &= stmt.action_mask
    if mask:
        classes: list[tuple[int, frozenset[int]]] = [(mask, frozenset())]
        for i, stmt in enumerate(negatives):
            inside = stmt.action_mask
            refined = []
            for bits, held in classes:
                both, rest = bits & inside, bits & ~inside
                if both:
                    refined.append((both, held | {i}))
                if rest:
                    refined.append((rest, held))
            classes = refined
        for bits, held in classes:
            if held not in options:
                options[held] = cat.canonical[(bits & -bits).bit_length() - 1]
    # Services the catalogue does not know: any action name, as a string.
    for stmts, witness in _dimension([s.action for s in positives], negatives, lambda s: s.action, ACTION_SHAPE,
                                     [cat.known_services]):
        options.setdefault(frozenset(negatives.index(s) for s in stmts), witness)
    return [([negatives[i] for i in sorted(held)], options[held]) for held in minimal(options)]


def find_requests(positives: Sequence[Stmt], negatives: Sequence[Stmt], options: SearchOptions) -> Iterator[Witness]:
    """Requests matching every positive statement and no negative one (one per search branch)."""
    for after_action, action in _actions(positives, negatives):
        for after_resource, resource in _dimension([s.resource for s in positives], after_action,
                                                   lambda s: s.resource, RESOURCE_SHAPE):
            principals: list[tuple[list[Stmt], str | None]] = [(after_resource, None)]
            if options.with_principal:
                principals = _dimension([s.principal for s in positives], after_resource, lambda s: s.principal,
                                        PRINCIPAL_SHAPE, options.forbidden_principals)  # type: ignore[assignment]
            for remaining, principal in principals:
                context = _conditions(positives, remaining, options)
                if context is not None:
                    yield Witness(action, resource, principal, context)


# ---------------------------------------------------------------- condition keys


def _conditions(positives: Sequence[Stmt], negatives: Sequence[Stmt], options: SearchOptions) -> dict | None:  # type: ignore[type-arg]
    """A context in which every positive clause holds and each negative statement has a clause that fails."""
    if any(not stmt.clauses for stmt in negatives):
        return None
    by_key: dict[str, list[Clause]] = {}
    for stmt in [*positives, *negatives]:
        for clause in stmt.clauses:
            key = f"\x00opaque{id(clause)}" if clause.opaque else clause.key
            group = by_key.setdefault(key, [])
            if clause not in group:
                group.append(clause)
    required = {id(c) for stmt in positives for c in stmt.clauses}
    choices: dict[str, list[tuple[dict[int, bool], Any]]] = {}
    for key, clauses in by_key.items():
        found = []
        for truth, value in _key_options(key, clauses, options):
            if all(truth[id(c)] for c in clauses if id(c) in required):
                found.append((truth, value))
        if not found:
            return None
        choices[key] = found
    open_negatives = [stmt for stmt in negatives]
    order = sorted(choices, key=lambda k: -sum(1 for s in open_negatives for c in s.clauses if c in by_key[k]))
    assignment: dict[str, tuple[dict[int, bool], Any]] = {}

    def falsified(stmt: Stmt) -> bool | None:
        undecided = False
        for clause in stmt.clauses:
            key = f"\x00opaque{id(clause)}" if clause.opaque else clause.key
            chosen = assignment.get(key)
            if chosen is None:
                undecided = True
            elif not chosen[0][id(clause)]:
                return True
        return None if undecided else False

    def search(depth: int) -> bool:
        if any(falsified(s) is False for s in open_negatives):
            return False
        if depth == len(order):
            return True
        key = order[depth]
        for option in choices[key]:
            assignment[key] = option
            if search(depth + 1):
                return True
        del assignment[key]
        return False

    if not search(0):
        return None
    context: dict[str, Any] = {}
    for key, (_truth, value) in assignment.items():
        if key.startswith("\x00") or value is _ABSENT:
            continue
        context[by_key[key][0].key_text] = value
    return context


def _key_options(key: str, clauses: list[Clause], options: SearchOptions) -> list[tuple[dict[int, bool], Any]]:
    if key.startswith("\x00"):  # a clause on policy variables: its truth is left free
        return [({id(clauses[0]): True}, _ABSENT), ({id(clauses[0]): False}, _ABSENT)]
    elements = _representatives(clauses)
    keep = options.outsider_keys.get(key) if options.outsider_keys else None
    if keep is not None:
        elements = [e for e in elements if keep(e)]
    values: list[Any] = [_ABSENT]
    multi = is_multivalued(clauses[0].key_text) or any(c.operator.set_operator for c in clauses)
    if multi:
        types = _distinct(elements, clauses)
        size = len(types) if len(types) <= _MAX_TYPES else 2
        for count in range(1, size + 1):
            values.extend(list(group) for group in combinations(types, count))
    else:
        values.extend(elements)
    seen: dict[tuple[bool, ...], Any] = {}
    for value in values:
        context = {} if value is _ABSENT else {key: value}
        truth = tuple(bool(c.test(context)) for c in clauses)
        seen.setdefault(truth, value)
    return [({id(c): t for c, t in zip(clauses, truth, strict=True)}, value) for truth, value in seen.items()]


def _distinct(elements: list[Any], clauses: list[Clause]) -> list[Any]:
    """One element per distinct truth vector of the clauses' single-value tests."""
    seen: dict[tuple[bool, ...], Any] = {}
    for element in elements:
        vector = tuple(bool(c.test({c.key: element})) for c in clauses)
        seen.setdefault(vector, element)
    return list(seen.values())


def _representatives(clauses: list[Clause]) -> list[Any]:
    """Values covering every region the clauses' values carve out of the key's domain."""
    families = {c.operator.family for c in clauses}
    out: list[Any] = []
    if families & {"String", "Arn", "Null"} or not families - {"Null"}:
        globs = []
        for clause in clauses:
            family = clause.operator.family
            if family == "String":
                wild = clause.operator.positive == "StringLike"
                ignore_case = clause.operator.positive == "StringEqualsIgnoreCase"
                globs.append(pattern_glob(list(clause.values), wildcards=wild, ignore_case=ignore_case))
            elif family == "Arn":
                globs.append(pattern_glob(list(clause.values), arn=True))
        out.extend(explore([], [], globs, want_all=True).values() if globs else ["x"])
    if "Numeric" in families:
        numbers = sorted({n for c in clauses if c.operator.family == "Numeric" for v in c.values
                          if (n := to_number(v)) is not None})
        out.extend(_around(numbers, 1))
    if "Date" in families:
        epochs = sorted({e for c in clauses if c.operator.family == "Date" for v in c.values
                         if (e := to_epoch(v)) is not None})
        out.extend(_dt.datetime.fromtimestamp(e, _dt.UTC).isoformat() for e in _around(epochs, 1)
                   if -62135596800 < e < 253402300799)
    if "Bool" in families:
        out.extend([True, False])
    if "Ip" in families:
        out.extend(_addresses(clauses))
    if "Binary" in families:
        out.extend({v for c in clauses if c.operator.family == "Binary" for v in c.values if to_bytes(v) is not None})
        out.append("eA==")
    return out


def _around(points: list[float], step: float) -> list[float]:
    if not points:
        return [0]
    out = [points[0] - step, points[-1] + step]
    for a, b in zip(points, points[1:], strict=False):
        out.append((a + b) / 2)
    out.extend(points)
    return [int(p) if float(p).is_integer() else p for p in out]


def _addresses(clauses: list[Clause]) -> list[str]:
    # the ends of both address spaces: the regions outside every block reach them
    out = {"0.0.0.0", "255.255.255.255", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}  # noqa: S104
    for clause in clauses:
        if clause.operator.family != "Ip":
            continue
        for value in clause.values:
            network = to_network(value)
            if network is None:
                continue
            first, last = int(network.network_address), int(network.broadcast_address)
            top = 2 ** network.max_prefixlen - 1
            make = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
            for point in (first, last, first - 1, last + 1):
                if 0 <= point <= top:
                    out.add(str(make(point)))
    return sorted(out)
