"""Hypothesis properties of the opinion engine: relabelling, duplicates, determinism."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convene.engines.opinion import analyze

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conversations(draw, max_p=14, max_s=8):
    # <= 14 participants: everyone is included (Pol.is fills up to 15), so the
    # comparison does not hinge on tie-breaks among equally heavy voters.
    n_p = draw(st.integers(1, max_p))
    n_s = draw(st.integers(1, max_s))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, n_p - 1), st.integers(0, n_s - 1), st.sampled_from([-1, 0, 1])),
            min_size=1,
            max_size=60,
        )
    )
    rows = [(p, s, v, i) for i, (p, s, v) in enumerate(cells)]
    return rows, n_s


def partition(ids, groups) -> set[frozenset]:
    out: dict[int, set] = {}
    for i, g in zip(ids, groups, strict=True):
        out.setdefault(int(g), set()).add(int(i))
    return {frozenset(v) for v in out.values()}


@SETTINGS
@given(conversations(), st.randoms(use_true_random=False))
def test_relabelling_participants_permutes_output(conv, rnd):
    rows, n_s = conv
    pids = sorted({r[0] for r in rows})
    new = rnd.sample(range(1000, 5000), len(pids))
    relabel = dict(zip(pids, new, strict=True))
    a = analyze(rows, statements=range(n_s))
    b = analyze([(relabel[p], s, v, t) for p, s, v, t in rows], statements=range(n_s))
    back = {v: k for k, v in relabel.items()}
    order = np.argsort([back[int(p)] for p in b.participants])

    # The map is the same up to a rotation or reflection of the plane: when two principal components
    # explain exactly the same variance (symmetric toy conversations), any rotation between them is as
    # good, and which one the solver returns depends on row order. Distances between people do not.
    def distances(x, y):
        points = np.column_stack([x, y])
        return np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)

    np.testing.assert_allclose(distances(b.x[order], b.y[order]), distances(a.x, a.y), atol=1e-7)
    assert partition(a.participants, a.group) == partition([back[int(p)] for p in b.participants], b.group)
    np.testing.assert_allclose(a.extremity, b.extremity, atol=1e-9)
    assert a.consensus_agree == b.consensus_agree
    assert a.consensus_disagree == b.consensus_disagree


@SETTINGS
@given(conversations())
def test_order_preserving_statement_relabelling_changes_nothing_else(conv):
    rows, n_s = conv
    a = analyze(rows, statements=range(n_s)).to_dict(full=True)
    b = analyze([(p, 3 * s + 7, v, t) for p, s, v, t in rows], statements=[3 * s + 7 for s in range(n_s)])
    b = b.to_dict(full=True)

    def relabel(x):
        return 3 * x + 7

    assert [relabel(s["id"]) for s in a["statements"]] == [s["id"] for s in b["statements"]]
    assert a["participants"] == b["participants"]
    assert [[relabel(r["statement"]) for r in g["representative"]] for g in a["groups"]] == [
        [r["statement"] for r in g["representative"]] for g in b["groups"]
    ]
    assert [relabel(s) for s in a["consensus"]["agree"]] == b["consensus"]["agree"]


@SETTINGS
@given(conversations(), st.randoms(use_true_random=False))
def test_statement_permutation_keeps_statistics(conv, rnd):
    rows, n_s = conv
    perm = list(range(n_s))
    rnd.shuffle(perm)
    a = analyze(rows, statements=range(n_s), k=1)
    b = analyze([(p, perm[s], v, t) for p, s, v, t in rows], statements=range(n_s), k=1)
    inv = np.argsort(perm)
    for name in ("n_agree", "n_disagree", "n_pass"):
        np.testing.assert_array_equal(getattr(b, name)[perm], getattr(a, name))
    if top2_space_is_unique(rows, n_s):
        # Unique up to a rotation inside the top-2 eigenspace: compare norms.
        np.testing.assert_allclose(b.extremity[perm], a.extremity, atol=1e-7)
        np.testing.assert_allclose(np.hypot(b.x, b.y), np.hypot(a.x, a.y), atol=1e-7)
    assert sorted(perm[s] for s in a.consensus_agree) == sorted(b.consensus_agree)
    assert len(inv) == n_s


def top2_space_is_unique(rows, n_s) -> bool:
    """False when the 2nd and 3rd eigenvalues tie (PC2 is then arbitrary)."""
    last = {(p, s): v for p, s, v, _t in rows}
    pids = sorted({p for p, _ in last})
    m = np.full((len(pids), n_s), np.nan)
    for (p, s), v in last.items():
        m[pids.index(p), s] = v
    cnt = (~np.isnan(m)).sum(0)
    mu = np.where(cnt > 0, np.nansum(m, 0) / np.maximum(cnt, 1), 0.0)
    c = np.where(np.isnan(m), 0.0, m - mu)
    ev = np.sort(np.linalg.eigvalsh(c.T @ c))[::-1]
    if len(ev) < 3:
        return True
    return ev[1] - ev[2] > 1e-6 * max(ev[0], 1.0)


@SETTINGS
@given(conversations(), st.randoms(use_true_random=False))
def test_duplicates_resolve_to_the_last_vote(conv, rnd):
    rows, n_s = conv
    last = {}
    for p, s, v, _t in rows:
        last[(p, s)] = v
    # add stale duplicates with earlier timestamps, in random positions
    stale = [(p, s, rnd.choice([-1, 0, 1]), -1 - i) for i, (p, s, _v, _t) in enumerate(rows)]
    mixed = rows + stale
    rnd.shuffle(mixed)
    a = analyze(list(last_rows(last)), statements=range(n_s)).to_dict(full=True)
    b = analyze(mixed, statements=range(n_s)).to_dict(full=True)
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def last_rows(last):
    for i, ((p, s), v) in enumerate(sorted(last.items())):
        yield (p, s, v, i)


@SETTINGS
@given(conversations(max_p=40, max_s=10), st.integers(0, 3))
def test_identical_across_runs_and_json_safe(conv, seed):
    rows, n_s = conv
    a = analyze(rows, statements=range(n_s), seed=seed).to_dict(full=True)
    b = analyze(np.array(rows), statements=range(n_s), seed=seed).to_dict(full=True)
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    json.dumps(a, allow_nan=False)
