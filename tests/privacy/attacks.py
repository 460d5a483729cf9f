"""Shared yardstick of the adversarial privacy tests.

Each attack is run against many targets and scored: how often did the attacker infer the
target's private answer? It must not do better than an attacker who guesses without looking
(the baseline: always answering the most common value among the targets), give or take
``MARGIN``. Without disclosure control the same attacks succeed every time, so each test can fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

MARGIN = 0.15  # sampling slack for a few dozen deterministic trials; unprotected attacks score 1.0


def baseline(truths: Sequence[object]) -> float:
    """Success rate of guessing the most common true value for every target."""
    if not truths:
        return 0.0
    return Counter(truths).most_common(1)[0][1] / len(truths)


def assert_no_better_than_guessing(guesses: Sequence[object], truths: Sequence[object], *, margin: float = MARGIN):
    assert len(guesses) == len(truths) and truths, "an attack needs targets"
    hits = sum(g == t for g, t in zip(guesses, truths, strict=True))
    rate = hits / len(truths)
    base = baseline(truths)
    assert rate <= base + margin, f"attack inferred {hits}/{len(truths)} ({rate:.0%}); guessing gets {base:.0%}"
    return rate, base
