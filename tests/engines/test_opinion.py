"""Opinion engine: formulas on hand-computed cases, projection, dedupe, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from convene.engines import opinion_stats as S
from convene.engines.opinion import OpinionInputError, OpinionState, analyze
from convene.engines.opinion_pca import project
from convene.engines.opinion_votes import prepare


def json_safe(m) -> dict:
    d = m.to_dict(full=True)
    json.dumps(d, allow_nan=False)  # raises on NaN / inf
    return d


# ---------------------------------------------------------------- formulas


def test_group_stats_hand_computed():
    # group 0: 3 agree, 1 disagree, 1 pass; group 1 ("rest"): 1 agree, 3 disagree
    na, nd, ns = np.array([[3], [1]]), np.array([[1], [3]]), np.array([[5], [4]])
    st = S.group_stats(na, nd, ns)
    assert st["pa"][0, 0] == pytest.approx(4 / 7)
    assert st["pd"][0, 0] == pytest.approx(2 / 7)
    assert st["pat"][0, 0] == pytest.approx(2 * math.sqrt(6) * (4 / 6 - 0.5))
    assert st["pdt"][0, 0] == pytest.approx(2 * math.sqrt(6) * (2 / 6 - 0.5))
    assert st["ra"][0, 0] == pytest.approx((4 / 7) / (2 / 6))
    assert st["rd"][0, 0] == pytest.approx((2 / 7) / (4 / 6))
    # rat: p1 = 4/6, p2 = 2/5, p_hat = 6/11, var = p(1-p)(1/6 + 1/5) = 1/11
    assert st["rat"][0, 0] == pytest.approx((4 / 6 - 2 / 5) / math.sqrt(1 / 11))
    # rdt: p1 = 2/6, p2 = 4/5, p_hat = 6/11
    assert st["rdt"][0, 0] == pytest.approx((2 / 6 - 4 / 5) / math.sqrt(1 / 11))
    # symmetric for group 1
    assert st["ra"][1, 0] == pytest.approx((2 / 6) / (4 / 7))


def test_two_prop_z_is_zero_when_p_hat_is_one():
    assert S.two_prop_z(5.0, 5.0, 3.0, 3.0) == 0.0
    z = S.two_prop_z(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]))
    assert np.isfinite(z).all()


def test_priority_and_gic_hand_computed():
    # A=2, P=1, S=4, E=0.5: p = 2/6, a = 3/6, importance = (4/6)(1.5)(3/6)
    imp = (1 - 2 / 6) * 1.5 * (3 / 6)
    expect = (imp * (1 + 8 * 2 ** (-4 / 5))) ** 2
    assert S.priority(2, 1, 4, 0.5) == pytest.approx(expect)
    gic = S.group_informed_consensus(np.array([[2], [0]]), np.array([[3], [2]]))
    assert gic[0] == pytest.approx((3 / 5) * (1 / 4))


def test_consensus_threshold_and_order():
    na = np.array([9, 20, 2, 6])
    nd = np.array([0, 0, 8, 0])
    ns = np.array([10, 20, 10, 10])
    agree, disagree = S.consensus(na, nd, ns, np.array([True, True, True, False]))
    # pa*pat: s1 (21/22) beats s0 (10/12); s3 is moderated out
    assert agree == [1, 0]
    assert disagree == [2]


def test_representative_selection_best_agree_first_agrees_before_disagrees():
    # Two groups of 10 voting on 3 statements.
    na = np.array([[10, 0, 6], [0, 10, 5]])
    nd = np.array([[0, 10, 0], [10, 0, 0]])
    ns = np.array([[10, 10, 10], [10, 10, 10]])
    st = S.group_stats(na, nd, ns)
    reps = S.representative(st, na, nd, ns, 0, np.ones(3, bool))
    assert [r["statement"] for r in reps] == [0, 1]
    assert [r["direction"] for r in reps] == ["agree", "disagree"]
    assert reps[0]["p"] == pytest.approx(11 / 12)
    # moderated-out statements are never representative
    reps = S.representative(st, na, nd, ns, 0, np.array([False, True, True]))
    assert 0 not in [r["statement"] for r in reps]


# ---------------------------------------------------------------- projection


def dense_reference(votes, n_p, n_s):
    """Independent dense PCA with Pol.is's imputation and scaling (tiny inputs only)."""
    m = np.full((n_p, n_s), np.nan)
    for p, s, v in votes:
        m[p, s] = v
    mu = np.nanmean(m, axis=0)
    c = np.where(np.isnan(m), 0.0, m - mu)
    _, _, vt = np.linalg.svd(c, full_matrices=False)
    pcs = vt[:2]
    nv = (~np.isnan(m)).sum(1)
    xy = (c @ pcs.T) * np.sqrt(n_s / np.maximum(nv, 1))[:, None]
    q = np.sqrt(n_s) * (1 - mu)[:, None] * pcs.T
    return xy, q


@pytest.mark.parametrize(
    ("n_p", "n_s"),
    [(30, 8), (6, 40)],  # more voters than statements, and fewer: the dense solve takes the smaller side
    ids=["tall", "wide"],
)
def test_projection_matches_dense_reference_up_to_sign(n_p, n_s):
    rng = np.random.default_rng(3)
    votes = [
        (p, s, int(rng.choice([-1, 0, 1]))) for p in range(n_p) for s in range(n_s) if rng.random() < 0.7 or s == 0
    ]
    table = prepare([(p, s, v, i) for i, (p, s, v) in enumerate(votes)], range(n_s))
    proj = project(table, np.zeros(n_s, bool))
    xy, q = dense_reference(votes, n_p, n_s)
    for i in range(2):
        sign = np.sign(xy[:, i] @ proj.xy[:, i])
        np.testing.assert_allclose(proj.xy[:, i], sign * xy[:, i], atol=1e-9)
        np.testing.assert_allclose(proj.statement_xy[:, i], sign * q[:, i], atol=1e-9)
    np.testing.assert_allclose(proj.extremity, np.hypot(q[:, 0], q[:, 1]), atol=1e-9)


def test_large_path_matches_dense_path():
    # Above the dense-Gram threshold the engine uses Lanczos (eigsh): same answer.
    from convene.engines import opinion_pca

    rng = np.random.default_rng(5)
    n_p, n_s = 400, 60
    p = np.repeat(np.arange(n_p), 30)
    s = np.concatenate([rng.choice(n_s, 30, replace=False) for _ in range(n_p)])
    v = rng.choice([-1, 0, 1], size=len(p))
    arr = np.column_stack([p, s, v, np.arange(len(p))])
    table = prepare(arr, range(n_s))
    a = project(table, np.zeros(n_s, bool))
    old = opinion_pca._DENSE_GRAM_COST
    try:
        opinion_pca._DENSE_GRAM_COST = 0
        b = project(table, np.zeros(n_s, bool))
    finally:
        opinion_pca._DENSE_GRAM_COST = old
    np.testing.assert_allclose(np.abs(a.xy), np.abs(b.xy), atol=1e-7)


def test_moderated_statement_counts_zero_and_is_excluded():
    votes = [(p, s, 1 if (p + s) % 3 else -1, p * 10 + s) for p in range(20) for s in range(6)]
    m = analyze(votes, statements=range(6), moderated_out=[2])
    j = int(np.flatnonzero(m.statements == 2)[0])
    assert m.extremity[j] == 0 and m.priority[j] == 0
    assert 2 not in m.consensus_agree + m.consensus_disagree
    for g in m.groups:
        assert all(r.statement != 2 for r in g.representative)
    assert "2" not in m.to_dict()["group_informed_consensus"]


# ---------------------------------------------------------------- votes / dedupe


def test_later_vote_wins_by_timestamp_then_input_order():
    votes = [(1, 0, 1, 5), (1, 0, -1, 3), (1, 1, 0, 7), (1, 1, 1, 7), (2, 0, -1, 1)]
    t = prepare(votes, [0, 1])
    got = {(int(t.participant_ids[p]), int(s)): int(v) for p, s, v in zip(t.p, t.s, t.v, strict=True)}
    assert got == {(1, 0): 1, (1, 1): 1, (2, 0): -1}


def test_numpy_and_list_inputs_agree_and_three_columns_use_row_order():
    rows = [(4, 1, 1), (4, 1, -1), (7, 0, 0)]
    t = prepare(np.array(rows), [0, 1])
    assert t.v.tolist() == [-1, 0]
    m1 = analyze([r + (i,) for i, r in enumerate(rows)], statements=[0, 1])
    m2 = analyze(np.array(rows), statements=[0, 1])
    assert m1.to_dict()["participants"] == m2.to_dict()["participants"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "votes, message",
    [
        ([(1, 0, 2, 0)], "unknown vote value"),
        ([(1, 0, "yes", 0)], "vote values"),
        ([("abc", 0, 1, 0)], "participant ids must be integers"),
        ([(1, 0.5, 1, 0)], "statement ids must be integers"),
        ([(1, 9, 1, 0)], "unknown statement 9"),
        ([(1, 0, 1)] + [(1, 0)], "same length"),
        ([(1, 0, 1, float("nan"))], "finite"),
        (np.zeros((3, 5)), "rows of"),
    ],
)
def test_bad_votes_raise_clear_errors(votes, message):
    with pytest.raises(OpinionInputError, match=message):
        analyze(votes, statements=[0, 1])
    assert issubclass(OpinionInputError, ValueError)


@pytest.mark.parametrize("kw", [{"k": 0}, {"k": "2"}, {"seed": 1.5}, {"mode": "x"}])
def test_bad_parameters(kw):
    with pytest.raises(OpinionInputError):
        analyze([(1, 0, 1, 0)], statements=[0], **kw)


def test_empty_conversation_is_well_defined():
    m = analyze([], statements=[])
    assert json_safe(m)["participants"] == [] and m.groups == ()
    m = analyze([], statements=[1, 2, 3])
    d = json_safe(m)
    assert [s["extremity"] for s in d["statements"]] == [0.0, 0.0, 0.0]
    assert d["consensus"] == {"agree": [], "disagree": []}


def test_single_participant():
    m = analyze([(5, s, 1, s) for s in range(4)], statements=range(4))
    d = json_safe(m)
    assert d["participants"] == [{"id": 5, "x": 0.0, "y": 0.0, "group": 0}]
    assert len(d["groups"]) == 1 and d["groups"][0]["size"] == 1


def test_all_pass_votes_put_everyone_at_the_origin():
    m = analyze([(p, s, 0, 0) for p in range(30) for s in range(5)], statements=range(5))
    d = json_safe(m)
    assert all(p["x"] == 0.0 and p["y"] == 0.0 for p in d["participants"])
    assert sum(g["size"] for g in d["groups"]) == 30


def test_statement_nobody_voted_on():
    votes = [(p, s, (-1) ** (p + s), 0) for p in range(20) for s in range(4)]
    m = analyze(votes, statements=range(6))
    d = json_safe(m)
    unvoted = [s for s in d["statements"] if s["id"] in (4, 5)]
    assert all(s["extremity"] == 0.0 and s["x"] == 0.0 for s in unvoted)
    assert m.priority[4] > 0  # never-seen statements stay in rotation


# ---------------------------------------------------------------- groups & output


def two_camps(n=40, n_s=12, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n):
        camp = 1 if p < n // 2 else -1
        for s in range(n_s):
            if rng.random() < 0.8:
                v = camp if s < n_s // 2 else -camp
                if rng.random() < 0.1:
                    v = 0
                rows.append((p, s, v, len(rows)))
    return rows


def test_two_camps_are_found_and_output_has_the_issue_shape():
    m = analyze(two_camps(), statements=range(12), k=2)
    d = json_safe(m)
    assert set(d) >= {
        "participants",
        "groups",
        "consensus",
        "group_informed_consensus",
        "statements",
        "seconds",
    }
    g, inc = m.group, m.included
    assert len(set(g[:20][inc[:20]])) == 1 and len(set(g[20:][inc[20:]])) == 1
    assert g[0] != g[-1] and np.all(g[~inc] == -1)
    for g in d["groups"]:
        assert set(g) == {"id", "size", "representative"}
        for r in g["representative"]:
            assert set(r) == {"statement", "direction", "p", "p_test", "repness", "repness_test"}
            assert r["direction"] in ("agree", "disagree")
    assert set(d["participants"][0]) == {"id", "x", "y", "group"}
    assert set(d["statements"][0]) == {"id", "x", "y", "extremity"}
    # string ids for the CLI
    s = m.to_dict(string_ids=True)
    assert isinstance(s["participants"][0]["id"], str)
    assert all(isinstance(k, str) for k in s["group_informed_consensus"])


def test_divisive_spread_and_common_ground():
    rows = two_camps()
    rows += [(p, 12, 1, 10_000 + p) for p in range(40)]  # everybody agrees on s12
    m = analyze(rows, statements=range(13), k=2)
    assert m.opinion.common_ground[0] == 12
    assert m.opinion.spread[12] < 0.1
    assert m.opinion.spread[0] > 0.6
    assert m.opinion.divisive[0] != 12
    assert 12 in m.consensus_agree
    assert len(m.divisive_by_extremity) > 0


def test_attributes_give_the_same_statistics_by_community():
    rows = two_camps()
    attrs = {p: ("north" if p % 2 else "south") for p in range(40)}
    attrs[999] = "ghost"  # participants without votes are ignored
    m = analyze(rows, statements=range(12), attributes=attrs)
    b = m.by_attribute
    assert b.stats.groups == ("north", "south")
    assert [g.size for g in b.groups] == [20, 20]
    na = sum(1 for p, s, v, _ in rows if s == 3 and v == 1 and p % 2)
    assert b.stats.n_agree[0, 3] == na
    assert b.stats.pa[0, 3] == pytest.approx((na + 1) / (b.stats.n_votes[0, 3] + 2))
    json.dumps(m.to_dict(full=True), allow_nan=False)


def test_deterministic_across_runs_and_seeds_matter_only_via_seed():
    rows = two_camps(60, 15, seed=2)
    a = analyze(rows, statements=range(15), seed=7).to_dict(full=True)
    b = analyze(list(reversed(rows)), statements=range(15), seed=7).to_dict(full=True)
    a.pop("seconds"), b.pop("seconds")
    assert a == b


# ---------------------------------------------------------------- OpinionState


def test_state_counts_priority_and_next_statement():
    rows = [r for r in two_camps() if not (r[0] == 0 and r[1] == 5)]
    st = OpinionState(rows, statements=range(12), moderated_out=[11])
    before = st.counts(5)
    other = st.priority(4)
    assert st.add_vote(0, 5, -1, 10**9) is True
    after = st.counts(5)
    assert after["votes"] == before["votes"] + 1
    assert after["disagree"] == before["disagree"] + 1
    assert st.priority(4) == other  # only the voted statement's priority moves
    assert st.add_vote(0, 5, 1, 10**9 + 1) is True  # a re-vote replaces
    assert st.counts(5)["votes"] == after["votes"]
    assert st.counts(5)["agree"] == before["agree"] + 1
    assert st.add_vote(0, 5, 0, 5) is False  # an older vote loses
    rng = np.random.default_rng(0)
    seen = {st.next_statement(0, rng) for _ in range(50)}
    assert 11 not in seen and 5 not in seen
    # a brand-new participant is served every statement except moderated-out ones
    while (nxt := st.next_statement(12345, rng)) is not None:
        st.add_vote(12345, nxt, 1)
    assert set(st.voted(12345).tolist()) == set(range(11))
    assert st.n_participants == 41


def test_state_recompute_equals_analyze_and_updates_extremity():
    rows = two_camps()
    st = OpinionState(rows[:300], statements=range(12))
    assert np.all(st._extremity == 0)
    for r in rows[300:]:
        st.add_vote(*r)
    m = st.recompute()
    ref = analyze(rows, statements=range(12))
    a, b = m.to_dict(full=True), ref.to_dict(full=True)
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    assert st.priority(0) == pytest.approx(ref.priority[0])
    st.add_statement(99)
    st.add_vote(1, 99, 1)
    assert st.counts(99) == {"agree": 1, "disagree": 0, "pass": 0, "votes": 1}
    assert 99 in st.recompute().statements


def test_state_rejects_bad_votes():
    st = OpinionState([], statements=[1])
    with pytest.raises(OpinionInputError):
        st.add_vote(1, 1, 3)
    with pytest.raises(OpinionInputError):
        st.add_vote(1, 2, 1)
    with pytest.raises(OpinionInputError):
        st.add_vote("x", 1, 1)
    assert st.next_statement(1) == 1
    st.add_vote(1, 1, 1)
    assert st.next_statement(1) is None


def test_dedupe_paths_agree_unsorted_time_sparse_ids_and_duplicates():
    rng = np.random.default_rng(3)
    n = 5000
    p = rng.integers(0, 300, n) * 1_000_003  # sparse ids: the np.unique path
    s = rng.integers(0, 40, n) * 7 + 10**9  # statement ids far from 0
    v = rng.integers(-1, 2, n)
    t = rng.integers(0, 50, n).astype(float)  # many equal timestamps, unsorted
    rows = np.column_stack([p, s, v, t])
    tb = prepare(rows, np.unique(s))
    # Reference: a dict in (timestamp, row) order, the later row winning ties.
    ref = {}
    for i in np.lexsort((np.arange(n), t)):
        ref[(int(p[i]), int(s[i]))] = int(v[i])
    got = {
        (int(tb.participant_ids[a]), int(tb.statement_ids[b])): int(c) for a, b, c in zip(tb.p, tb.s, tb.v, strict=True)
    }
    assert got == ref
    assert np.all(np.diff(tb.p * len(tb.statement_ids) + tb.s) > 0)  # sorted by (participant, statement)
    # Already unique and sorted input: the no-sort path gives the same table.
    again = prepare(np.column_stack([tb.participant_ids[tb.p], tb.statement_ids[tb.s], tb.v, tb.t]), np.unique(s))
    assert np.array_equal(again.p, tb.p) and np.array_equal(again.s, tb.s) and np.array_equal(again.v, tb.v)


def test_replay_mode_is_deterministic_and_keeps_the_output_shape():
    rng = np.random.default_rng(5)
    camp = rng.integers(0, 2, 120)
    rows = []
    for t in range(3000):
        i, j = int(rng.integers(0, 120)), int(rng.integers(0, 30))
        agree = (j < 15) == (camp[i] == 1)
        rows.append((i, j, 1 if agree else -1, t))
    a = analyze(rows, statements=range(30), replay=True)
    b = analyze(list(reversed(rows)), statements=range(30), replay=True)
    assert np.array_equal(a.group, b.group) and a.k == b.k == 2
    one_shot = analyze(rows, statements=range(30))
    assert set(a.to_dict()) == set(one_shot.to_dict())
    assert a.replay and not one_shot.replay and a.to_dict(full=True)["replay"] is True
    inc = a.group >= 0
    assert _ari(a.group[inc], camp[a.participants[inc]]) == 1.0
    with pytest.raises(OpinionInputError):
        analyze(rows, statements=range(30), replay="yes")


def _ari(a, b) -> float:
    a = np.unique(np.asarray(a), return_inverse=True)[1]
    b = np.unique(np.asarray(b), return_inverse=True)[1]
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

    def pairs(x):
        return float((x * (x - 1) / 2).sum())

    s_ij, s_a, s_b = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    expected = s_a * s_b / (len(a) * (len(a) - 1) / 2)
    top = (s_a + s_b) / 2
    return 1.0 if top == expected else (s_ij - expected) / (top - expected)


def test_threaded_kernels_give_the_serial_result(monkeypatch):
    from convene.engines import opinion_threads as T

    rng = np.random.default_rng(11)
    a = rng.integers(0, 50, 1000)
    monkeypatch.setattr(T, "WORKERS", 2)
    monkeypatch.setattr(T, "_MIN_ITEMS", 10)
    assert np.array_equal(T.sort_int64(a.copy()), np.sort(a))
    rows = np.column_stack([rng.integers(0, 60, 3000), rng.integers(0, 20, 3000), rng.integers(-1, 2, 3000)])
    threaded = analyze(rows, statements=range(20))
    monkeypatch.setattr(T, "WORKERS", 1)
    serial = analyze(rows, statements=range(20))
    assert np.array_equal(threaded.group, serial.group) and np.allclose(threaded.x, serial.x)
