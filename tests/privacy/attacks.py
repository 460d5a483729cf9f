"""Shared yardstick of the adversarial privacy tests.

Each attack is run against many targets and scored: how often did the attacker infer the
target's private answer? The bar is an attacker who guesses without looking (the baseline:
always answering the most common value among the targets), plus two allowances:

* ``ADVANTAGE``: what the method itself concedes. Perturbation makes one difference noisy, not
  silent: against a coin-flip answer, the best single-difference attacker is right about 58-60 %
  of the time instead of 50 % (measured over 20,000 simulated trials in
  ``tests/engines/test_disclosure.py``, which pins that figure precisely). ``docs/privacy.md``
  states it as a limit.
* sampling slack for the few dozen targets a database test can afford: 2.33 standard errors
  (a 1 % chance that a method within the bar fails the test by bad luck), since population keys
  depend on database ids, which differ between runs.

Without disclosure control the same attacks succeed for every target, far above the bar, so each
test can fail.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

ADVANTAGE = 0.10
Z = 2.33


def baseline(truths: Sequence[object]) -> float:
    """Success rate of guessing the most common true value for every target."""
    if not truths:
        return 0.0
    return Counter(truths).most_common(1)[0][1] / len(truths)


def bar(truths: Sequence[object]) -> float:
    base = baseline(truths)
    p = min(base + ADVANTAGE, 0.99)
    return min(1.0, p + Z * math.sqrt(p * (1 - p) / len(truths)))


def assert_no_better_than_guessing(guesses: Sequence[object], truths: Sequence[object]):
    assert len(guesses) == len(truths) and truths, "an attack needs targets"
    hits = sum(g == t for g, t in zip(guesses, truths, strict=True))
    rate = hits / len(truths)
    base, limit = baseline(truths), bar(truths)
    limit = min(limit, 1 - 0.5 / len(truths))  # recovering every target always fails
    assert rate <= limit, (
        f"attack inferred {hits}/{len(truths)} ({rate:.0%}); guessing gets {base:.0%}, the bar is {limit:.0%}"
    )
    return rate, base
