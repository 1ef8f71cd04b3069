"""A required pattern without wildcards is answered from the strings it spells: the same signatures as walking the
product automaton, on random patterns."""

from __future__ import annotations

import random

import pytest

from policies.language.globs import explore, minimal, pattern_glob

ALPHABET = "ab:*?"


def _pattern(rnd: random.Random, wildcards: bool = True) -> str:
    return "".join(rnd.choice(ALPHABET if wildcards else "ab:") for _ in range(rnd.randint(0, 5)))


def _walked(required, forbidden, optional, negated, want_all):
    """explore() with the spelled-out shortcut turned off for the first required pattern."""
    first = required[0]
    saved = first.words, first.literal
    first.words = first.literal = None
    try:
        return explore(required, forbidden, optional, negated=negated, want_all=want_all)
    finally:
        first.words, first.literal = saved


@pytest.mark.parametrize("seed", range(4))
def test_spelled_out_patterns_give_the_signatures_the_automaton_walk_gives(seed):
    rnd = random.Random(seed)
    for _ in range(400):
        words = pattern_glob([_pattern(rnd, wildcards=False) for _ in range(rnd.randint(1, 4))])
        assert words.words is not None
        required = [words, *(pattern_glob([_pattern(rnd)]) for _ in range(rnd.randint(0, 1)))]
        forbidden = [pattern_glob([_pattern(rnd)]) for _ in range(rnd.randint(0, 2))]
        optional = [pattern_glob([_pattern(rnd)]) for _ in range(rnd.randint(0, 4))]
        negated = [rnd.random() < 0.3 for _ in optional]
        assert set(explore(required, forbidden, optional, negated=negated, want_all=True)) == \
            set(_walked(required, forbidden, optional, negated, True))
        assert set(minimal(explore(required, forbidden, optional, negated=negated))) == \
            set(minimal(_walked(required, forbidden, optional, negated, False)))


def test_a_spelled_out_witness_is_the_shortest_word_with_its_signature():
    found = explore([pattern_glob(["s3:putobject", "s3:get", "s3:getobject"])], [], [pattern_glob(["s3:get*"])],
                    want_all=True)
    assert found == {frozenset({0}): "s3:get", frozenset(): "s3:putobject"}
