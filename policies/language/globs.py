"""Wildcard patterns as automata: which combinations of patterns one string can match, with a witness string.

IAM's Action, Resource and Principal values and String/Arn condition values are glob languages
(``*`` any run, ``?`` one character; in ArnLike each of the first five ARN fields is matched
separately, so there a wildcard does not cross ``:``). The custom policy checks reduce to
questions such as "is there a string that matches pattern A, matches none of B1..Bn, and which
of C1..Cm can it match at the same time?". ``explore`` answers them exactly by walking the
product of the patterns' automata (subset construction, state by state), trying per state only
the characters some pattern can consume there plus one stand-in for every other character.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from functools import lru_cache

STAR, STAR_NC, ANY, ANY_NC = 0, 1, 2, 3  # NC: "no colon", for the first five fields of an ArnLike value
Token = int | frozenset  # a wildcard kind, or the set of characters a literal position accepts
State = frozenset  # of (alternative, position)

# Characters tried for "any character no pattern names here", in order of preference.
_FRESH = "xyzqjkvw0123456789"
# Private-use characters stand for a policy variable's value (one per variable key).
SYMBOL_BASE = 0xE000


class Undecided(Exception):
    """The automaton grew past the exploration budget: the question was not answered."""


class Glob:
    """One predicate: a string matches when it matches any of the alternatives."""

    __slots__ = ("alts", "universal", "literal", "words", "start", "_steps", "_regex", "key")

    def __init__(self, alts: tuple[tuple[Token, ...], ...]) -> None:
        self.alts = alts
        self.key = alts
        self.universal = any(alt == (STAR,) for alt in alts)
        self.literal: str | None = None
        # Every alternative spelled out (no wildcard, one character a position): the language is these strings.
        self.words: tuple[str, ...] | None = None
        if alts and all(isinstance(t, frozenset) and len(t) == 1 for alt in alts for t in alt):
            self.words = tuple("".join(next(iter(t)) for t in alt) for alt in alts)  # type: ignore[arg-type]
            if len(alts) == 1:
                self.literal = self.words[0]
        self.start: State = self._closure((a, 0) for a in range(len(alts)))
        self._steps: dict[tuple[State, str], State] = {}
        self._regex: re.Pattern[str] | None = None

    def _closure(self, items: Iterable[tuple[int, int]]) -> State:
        out: set[tuple[int, int]] = set()
        todo = list(items)
        while todo:
            alt, pos = todo.pop()
            if (alt, pos) in out:
                continue
            out.add((alt, pos))
            tokens = self.alts[alt]
            if pos < len(tokens) and (tokens[pos] == STAR or tokens[pos] == STAR_NC):
                todo.append((alt, pos + 1))
        return frozenset(out)

    def accepts(self, state: State) -> bool:
        alts = self.alts
        return any(pos == len(alts[alt]) for alt, pos in state)

    def step(self, state: State, char: str) -> State:
        key = (state, char)
        found = self._steps.get(key)
        if found is not None:
            return found
        moved: list[tuple[int, int]] = []
        for alt, pos in state:
            tokens = self.alts[alt]
            if pos >= len(tokens):
                continue
            token = tokens[pos]
            if token == STAR or (token == STAR_NC and char != ":"):
                moved.append((alt, pos))
            elif token == ANY or (token == ANY_NC and char != ":"):
                moved.append((alt, pos + 1))
            elif isinstance(token, frozenset) and char in token:
                moved.append((alt, pos + 1))
        found = self._closure(moved) if moved else frozenset()
        if len(self._steps) > 20000:
            self._steps.clear()
        self._steps[key] = found
        return found

    def relevant(self, state: State, into: set[str]) -> None:
        """Add the characters that move this automaton differently from "any other character"."""
        for alt, pos in state:
            tokens = self.alts[alt]
            if pos < len(tokens):
                token = tokens[pos]
                if isinstance(token, frozenset):
                    into.update(token)
                elif token == STAR_NC or token == ANY_NC:
                    into.add(":")

    def matches(self, text: str) -> bool:
        if self.universal:
            return True
        if self.literal is not None:
            return text == self.literal
        if self._regex is None:
            self._regex = re.compile("|".join(f"(?:{_regex_source(alt)})" for alt in self.alts) or "(?!)", re.DOTALL)
        return self._regex.fullmatch(text) is not None


def _regex_source(tokens: tuple[Token, ...]) -> str:
    parts = []
    for token in tokens:
        if token == STAR:
            parts.append(".*")
        elif token == STAR_NC:
            parts.append("[^:]*")
        elif token == ANY:
            parts.append(".")
        elif token == ANY_NC:
            parts.append("[^:]")
        elif len(token) == 1:  # type: ignore[arg-type]
            parts.append(re.escape(next(iter(token))))  # type: ignore[call-overload]
        else:
            parts.append("[" + "".join(re.escape(c) for c in sorted(token)) + "]")  # type: ignore[arg-type]
    return "".join(parts)


_interned: dict[tuple, Glob] = {}  # type: ignore[type-arg]


def glob(alts: Iterable[tuple[Token, ...]]) -> Glob:
    """The shared Glob for these alternatives (automaton steps are memoised on it)."""
    key = tuple(dict.fromkeys(alts))  # order kept: the same patterns in the same order share one automaton
    found = _interned.get(key)
    if found is None:
        if len(_interned) > 50000:
            _interned.clear()
        found = _interned[key] = Glob(key)
    return found


def _chars(char: str, ignore_case: bool) -> frozenset[str]:
    if ignore_case and char.lower() != char.upper():
        return frozenset({char.lower(), char.upper()})
    return frozenset({char})


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@lru_cache(maxsize=16384)
def tokens(text: str, *, wildcards: bool = True, ignore_case: bool = False, arn: bool = False,
           variables: tuple[str, ...] | None = None) -> tuple[Token, ...]:
    """Tokens of one pattern. ``variables`` (lower-case keys, in order) turns ``${key}`` into the
    key's symbol character; without it ``${...}`` is literal text, as under Version 2008-10-17."""
    out: list[Token] = []
    colons = 0
    position = 0
    pieces: list[tuple[str, str | None]] = []  # (literal text, variable key)
    if variables is not None and "${" in text:
        for match in _VARIABLE.finditer(text):
            pieces.append((text[position:match.start()], None))
            inner = match.group(1).strip()
            if inner in _ESCAPES:
                pieces.append(("\x00" + _ESCAPES[inner], None))  # an escaped literal character
            else:
                key = inner.split(",", 1)[0].strip().lower()
                pieces.append(("", key))
            position = match.end()
    pieces.append((text[position:], None))
    # ArnLike matches the first five fields separately; a Resource pattern is read the same way
    # only when it spells all six fields (a shorter one, "arn:aws:iam::*", lets "*" span the rest).
    arn = arn and text.count(":") >= 5
    for literal, key in pieces:
        if key is not None:
            index = variables.index(key) if variables is not None and key in variables else 0
            out.append(frozenset({chr(SYMBOL_BASE + index)}))
            continue
        if literal.startswith("\x00"):
            out.append(frozenset({literal[1]}))
            continue
        for char in literal:
            in_fields = arn and colons < 5
            if wildcards and char == "*":
                out.append(STAR_NC if in_fields else STAR)
            elif wildcards and char == "?":
                out.append(ANY_NC if in_fields else ANY)
            else:
                if char == ":":
                    colons += 1
                out.append(_chars(char, ignore_case))
    return tuple(out)


def pattern_glob(patterns: Sequence[str], **options: object) -> Glob:
    return glob(tokens(p, **options) for p in patterns)  # type: ignore[arg-type]


def _fresh(relevant: set[str]) -> str | None:
    for char in _FRESH:
        if char not in relevant:
            return char
    return None


def explore(
    required: Sequence[Glob],
    forbidden: Sequence[Glob],
    optional: Sequence[Glob],
    *,
    negated: Sequence[bool] | None = None,
    want_all: bool = False,
    limit: int = 20000,
) -> dict[frozenset[int], str]:
    """The sets of ``optional`` predicates (by index) that one string can satisfy together while
    it matches every ``required`` pattern and no ``forbidden`` one, each with a shortest witness.
    Predicate i is "matches optional[i]", or "does not match it" where ``negated[i]``.

    With ``want_all`` False only what the callers need is guaranteed: every subset-minimal set
    (the search stops early once the empty set is found). Raises Undecided past ``limit`` states.
    """
    results: dict[frozenset[int], str] = {}
    flips = list(negated) if negated is not None else [False] * len(optional)
    always = frozenset(i for i, g in enumerate(optional) if g.universal and not flips[i])
    live = [i for i, g in enumerate(optional) if not g.universal]
    if any(g.universal for g in forbidden):
        return results
    # A required pattern without wildcards leaves only the strings it spells: test each, shortest first. Every
    # signature one string can have is then found, exactly, without walking the automata.
    words = min((g.words for g in required if g.words is not None), key=len, default=None)
    if words is not None:
        for word in sorted(words, key=lambda w: (len(w), w)):
            if all(g.matches(word) for g in required) and not any(g.matches(word) for g in forbidden):
                results.setdefault(always | frozenset(i for i in live if optional[i].matches(word) != flips[i]), word)
        return results
    required = [g for g in required if not g.universal]
    if not want_all:
        # Most questions have an answer among the plainest strings the required patterns spell:
        # try those before building the product automaton.
        for candidate in _plain_candidates(required):
            if all(g.matches(candidate) for g in required) and not any(g.matches(candidate) for g in forbidden):
                held = always | frozenset(i for i in live if optional[i].matches(candidate) != flips[i])
                results.setdefault(held, candidate)
                if not held:
                    return results
        if optional and not explore(required, forbidden, (), limit=limit):
            return {}  # nothing satisfies the required and forbidden patterns at all
    automata = [*required, *forbidden, *(optional[i] for i in live)]
    n_required, n_forbidden = len(required), len(forbidden)
    start = tuple(g.start for g in automata)
    seen = {start}
    queue: deque[tuple[tuple[State, ...], str]] = deque([(start, "")])
    while queue:
        states, text = queue.popleft()
        if all(automata[i].accepts(states[i]) for i in range(n_required)) and not any(
            automata[i].accepts(states[i]) for i in range(n_required, n_required + n_forbidden)
        ):
            base = n_required + n_forbidden
            signature = always | frozenset(
                live[j] for j in range(len(live)) if automata[base + j].accepts(states[base + j]) != flips[live[j]]
            )
            if signature not in results:
                results[signature] = text
                if not want_all and not signature:
                    return results
        relevant: set[str] = set()
        for automaton, state in zip(automata, states, strict=True):
            automaton.relevant(state, relevant)
        chars = sorted(relevant)
        fresh = _fresh(relevant)
        if fresh is not None:
            chars.append(fresh)
        for char in chars:
            following = tuple(a.step(s, char) for a, s in zip(automata, states, strict=True))
            if any(not following[i] for i in range(n_required)):
                continue  # a required pattern can no longer match
            if following in seen:
                continue
            seen.add(following)
            if len(seen) > limit:
                raise Undecided("pattern automaton too large")
            queue.append((following, text + char))
    return results


def _plain_candidates(required: Sequence[Glob]) -> list[str]:
    out: list[str] = []
    for g in required[:2]:
        for alt in g.alts[:4]:
            for filler in ("", "x"):
                chars = []
                for token in alt:
                    if token == STAR or token == STAR_NC:
                        chars.append(filler)
                    elif token == ANY or token == ANY_NC:
                        chars.append("x")
                    else:
                        chars.append(min(token))  # type: ignore[type-var]
                out.append("".join(chars))
    return out


def minimal(signatures: Iterable[frozenset[int]]) -> list[frozenset[int]]:
    """The subset-minimal sets, smallest first."""
    ordered = sorted(set(signatures), key=len)
    kept: list[frozenset[int]] = []
    for candidate in ordered:
        if not any(k <= candidate for k in kept):
            kept.append(candidate)
    return kept
