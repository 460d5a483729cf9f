"""Tests for convene.engines.matching (pure numpy/scipy, no Django)."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convene.engines import _matching_solver as solver_module
from convene.engines.matching import (
    Candidate,
    MatchingError,
    ProjectNeed,
    Shortfall,
    match_teams,
    rematch,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _matching_ref import dense_lsa, exhaustive, objective  # noqa: E402


def mentor(i, teaches, opp=0, hours=10.0, cap=1, current=0, conflicts=(), wants=()):
    return Candidate(
        i, True, False, frozenset(teaches), frozenset(wants), hours, cap, current, opp,
        frozenset(conflicts),
    )  # fmt: skip


def mentee(i, wants, opp=0, hours=10.0, cap=1, current=0, conflicts=()):
    return Candidate(
        i, False, True, frozenset(), frozenset(wants), hours, cap, current, opp,
        frozenset(conflicts),
    )  # fmt: skip


def project(i, required=(), learning=(), mentors=1, mentees=1, **kw):
    return ProjectNeed(i, frozenset(required), frozenset(learning), mentors, mentees, **kw)


# --------------------------------------------------------------------------- use case


def ignite():
    """The Ignite use case: 2 mentors + 4 mentees automate a manual process."""
    proj = project(
        1, {"python", "pandas", "sql"}, {"python", "pandas"}, 2, 4, min_hours=6,
        requesting_team={90, 91},
    )  # fmt: skip
    cands = [
        mentor(10, {"python", "pandas", "sql"}, opp=2),
        mentor(11, {"python", "pandas"}, opp=0),
        mentor(12, {"python"}, opp=5),
        mentor(90, {"python", "pandas", "sql"}, opp=0),  # on the requesting team
        mentee(20, {"python", "pandas"}, opp=0),
        mentee(21, {"python"}, opp=0),
        mentee(22, {"pandas"}, opp=1),
        mentee(23, {"python", "pandas"}, opp=3),
        mentee(24, {"python", "pandas"}, opp=4),
        mentee(25, {"python"}, opp=0, hours=2),  # below min_hours
        mentee(26, {"excel"}, opp=0),  # nothing to learn here
    ]
    return [proj], cands


def test_use_case_team_shape_explanations_and_pairs():
    projects, cands = ignite()
    res = match_teams(projects, cands)
    roles = Counter(a.role for a in res.assignments)
    assert roles == {"mentor": 2, "mentee": 4}
    people = {a.person for a in res.assignments}
    assert 90 not in people and 25 not in people and 26 not in people
    # fewer opportunities first: the two lowest-opportunity mentors, the 4 lowest mentees
    assert {a.person for a in res.assignments if a.role == "mentor"} == {10, 11}
    assert {a.person for a in res.assignments if a.role == "mentee"} == {20, 21, 22, 23}
    assert all(a.status == "proposed" for a in res.assignments)
    m10 = next(a for a in res.assignments if a.person == 10)
    e = m10.explanation
    assert e.skills == ("pandas", "python", "sql") and e.basis_size == 3
    assert e.opportunities == 2 and e.priority_tier == 3  # levels 0 < 1 < 2 in the pool
    assert e.score == pytest.approx(m10.score)
    assert "teaches pandas, python, sql (3 of 3 required skills)" in e.text
    assert "2 opportunities in the last 12 months (priority 3)" in e.summary()
    m20 = next(a for a in res.assignments if a.person == 20)
    assert "wants to learn pandas, python (2 of 2 skills on offer)" in m20.explanation.text
    assert "0 opportunities in the last 12 months (priority 1)" in m20.explanation.text
    # pairing: every mentee once, balanced 2/2
    assert sorted(p.mentee for p in res.pairs) == [20, 21, 22, 23]
    assert sorted(Counter(p.mentor for p in res.pairs).values()) == [2, 2]
    assert res.shortfalls == ()
    assert res.seconds >= 0 and dict(res.timings).keys() >= {"assignment", "pairing"}


def test_pairing_maximises_overlap_and_balances():
    proj = project(1, {"a", "b"}, {"a", "b"}, 2, 5)
    cands = [
        mentor(1, {"a"}),
        mentor(2, {"b"}),
        *[mentee(10 + i, {"a"}) for i in range(3)],
        *[mentee(20 + i, {"b"}) for i in range(2)],
    ]
    res = match_teams([proj], cands)
    assert sorted(Counter(p.mentor for p in res.pairs).values()) == [2, 3]
    by_mentee = {p.mentee: p for p in res.pairs}
    assert all(by_mentee[20 + i].mentor == 2 for i in range(2))
    assert all(by_mentee[10 + i].mentor == 1 for i in range(3))
    assert by_mentee[20].shared_skills == ("b",)


# ------------------------------------------------------------------------ hard filters


def test_hard_filters():
    projects = [
        project(1, {"py"}, {"py"}, 1, 1, min_hours=5, requesting_team={5}),
        project(2, {"py"}, {"py"}, 1, 1, fixed={7: "mentor"}),
    ]
    cands = [
        mentor(1, {"py"}, conflicts={1, 2}),  # conflicts of interest
        mentor(2, {"py"}, hours=4, conflicts={2}),  # too few hours for 1
        mentor(3, {"py"}, cap=2, current=2),  # already at capacity
        mentor(4, {"py"}, cap=1, current=5),  # over capacity (counts existing load)
        mentor(5, {"py"}, conflicts={2}),  # requesting team of 1
        mentor(7, {"py"}, cap=3),  # already published on 2
        mentee(8, {"py"}, hours=0),  # no availability at all
        Candidate(9, False, False, frozenset({"py"}), frozenset({"py"}), 10, 1, 0, 0),
    ]
    res = match_teams(projects, cands)
    placed = {(a.person, a.project) for a in res.assignments}
    assert placed == {(7, 1)}
    assert set(res.shortfalls) == {Shortfall(1, "mentee", 1), Shortfall(2, "mentee", 1)}


def test_shortfall_lists_role_and_count_and_fixed_members_take_slots():
    proj = project(1, {"py"}, {"py"}, 2, 4, fixed={50: "mentee"})
    cands = [mentor(1, {"py"}), mentee(2, {"py"}), mentee(50, {"py"})]
    res = match_teams([proj], cands)
    assert set(res.shortfalls) == {Shortfall(1, "mentor", 1), Shortfall(1, "mentee", 2)}
    assert {a.person for a in res.assignments} == {1, 2}
    # the published mentee is paired with the proposed mentor
    assert {(p.mentor, p.mentee) for p in res.pairs} == {(1, 2), (1, 50)}


def test_capacity_counts_existing_load_and_one_role_per_project():
    projects = [project(j, {"py"}, {"py"}, 2, 2) for j in range(1, 5)]
    both = Candidate(1, True, True, frozenset({"py"}), frozenset({"py"}), 10, 3, 1, 0)
    res = match_teams(projects, [both, mentor(2, {"py"}, opp=3, cap=4)])
    mine = [a for a in res.assignments if a.person == 1]
    assert len(mine) == 2  # max 3, already 1
    assert len({a.project for a in mine}) == 2  # never twice on one project
    theirs = [a for a in res.assignments if a.person == 2]
    assert len(theirs) == 4 and len({a.project for a in theirs}) == 4


def test_project_without_required_skills_is_valid():
    projects = [
        project(1, (), {"viz"}, 1, 2, min_hours=4),
        project(2, (), (), 1, 1, min_hours=4),
    ]
    cands = [
        mentor(1, {"viz"}, hours=8),
        mentor(2, {"sql"}, hours=20),
        mentee(3, {"viz"}, hours=8),
        mentee(4, {"sql"}, hours=8),
        mentee(5, (), hours=3),
    ]
    res = match_teams(projects, cands)
    placed = {(a.person, a.project, a.role) for a in res.assignments}
    assert (1, 1, "mentor") in placed and (3, 1, "mentee") in placed
    # project 2 has no skills at all: fitted on availability only
    p2 = [a for a in res.assignments if a.project == 2]
    assert {a.role for a in p2} == {"mentor", "mentee"}
    assert all("availability only" in a.explanation.text for a in p2)
    assert 5 not in {a.person for a in res.assignments}  # 3 h < 4 h


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: mentee(1, {"a"}, hours=-1), "hours_per_month"),
        (lambda: project(1, {"a"}, {"a"}, -1, 2), "mentors"),
        (lambda: project(1, {"a"}, {"a"}, 1, -2), "mentees"),
        (lambda: project(1, {"a"}, {"a"}, 1, 1, min_hours=-3), "min_hours"),
        (lambda: mentor(1, {"a"}, cap=-1), "max_projects"),
        (lambda: Candidate(1, True, False, "python", (), 5, 1, 0, 0), "set of skills"),
        (lambda: mentee(1, {"a"}, opp=-1), "opportunities_12m"),
        (lambda: project(1, fixed={3: "lead"}), "unknown role"),
        (lambda: match_teams([project(1)], [mentee(1, {"a"}), mentee(1, {"b"})]), "duplicate"),
        (lambda: match_teams([project(1), project(1)], []), "duplicate project"),
    ],
)
def test_invalid_input_raises_matching_error(build, message):
    with pytest.raises(MatchingError, match=message):
        build()
    assert issubclass(MatchingError, ValueError)


def test_empty_inputs():
    res = match_teams([], [])
    assert res.assignments == () and res.shortfalls == ()
    res = match_teams([project(1, {"a"}, {"a"}, 1, 1)], [])
    assert set(res.shortfalls) == {Shortfall(1, "mentor", 1), Shortfall(1, "mentee", 1)}


# -------------------------------------------------------------------------- rematch


def rematch_case():
    projects = [project(1, {"py"}, {"py"}, 1, 2), project(2, {"py"}, {"py"}, 1, 2)]
    cands = [
        mentor(1, {"py"}, opp=0),
        mentor(2, {"py"}, opp=0),
        mentor(3, {"py"}, opp=1),
        mentee(10, {"py"}, opp=0),
        mentee(11, {"py"}, opp=0),
        mentee(12, {"py"}, opp=0),
        mentee(13, {"py"}, opp=0),
        mentee(14, {"py"}, opp=2, hours=20),
        mentee(15, {"py"}, opp=1, hours=4),
    ]
    return projects, cands


def test_rematch_keeps_others_and_fills_with_best_eligible():
    projects, cands = rematch_case()
    res = match_teams(projects, cands)
    gone = next(a for a in res.assignments if a.role == "mentee" and a.project == 1)
    new = rematch(res, projects, cands, declined=(gone.person, 1))
    others = [a for a in res.assignments if a is not gone]
    assert all(a in new.assignments for a in others)  # every other match unchanged
    added = [a for a in new.assignments if a not in res.assignments]
    assert len(added) == 1 and added[0].project == 1 and added[0].role == "mentee"
    assert added[0].person == 15  # lowest opportunities among the free (1 < 2), despite fit
    assert (gone.person, 1) in new.declined
    # the newcomer takes the decliner's mentor
    old_mentor = next(p.mentor for p in res.pairs if p.mentee == gone.person)
    assert any(p.mentor == old_mentor and p.mentee == 15 for p in new.pairs)
    assert [p for p in new.pairs if p.project == 2] == [p for p in res.pairs if p.project == 2]
    # a second decline: the previous decliner is still excluded, 14 is the last one
    again = rematch(new, projects, cands, declined=(15, 1))
    assert any(a.person == 14 and a.project == 1 for a in again.assignments)
    third = rematch(again, projects, cands, declined=(14, 1))
    assert third.shortfalls == (Shortfall(1, "mentee", 1),)
    assert gone.person not in {a.person for a in third.team(1)}


def test_rematch_mentor_and_capacity_counts_proposals():
    projects, cands = rematch_case()
    res = match_teams(projects, cands)
    m = next(a for a in res.assignments if a.role == "mentor" and a.project == 2)
    new = rematch(res, projects, cands, declined=(m.person, 2))
    added = [a for a in new.assignments if a not in res.assignments]
    assert [a.person for a in added] == [3]  # 1 and 2 have no room left (proposals count)
    assert {p.mentor for p in new.pairs if p.project == 2} == {3}
    with pytest.raises(MatchingError, match="no proposal"):
        rematch(res, projects, cands, declined=(99, 1))


# ------------------------------------------------------ quality vs exhaustive search


def random_instance(rng: random.Random, n_projects: int):
    vocab = ["py", "sql", "viz", "ml", "web"]
    projects = []
    for j in range(n_projects):
        req = set(rng.sample(vocab, rng.randint(0, 2)))
        learn = set(rng.sample(vocab, rng.randint(0, 2)))
        projects.append(project(j, req, learn, rng.randint(0, 1), rng.randint(1, 2), min_hours=rng.choice([0, 4])))
    cands = []
    for i in range(rng.randint(5, 9)):
        cands.append(
            Candidate(
                100 + i,
                rng.random() < 0.5,
                rng.random() < 0.7,
                frozenset(rng.sample(vocab, rng.randint(1, 3))),
                frozenset(rng.sample(vocab, rng.randint(1, 2))),
                rng.choice([3, 6, 10, 20]),
                rng.randint(1, 2),
                0,
                rng.randint(0, 2),
                frozenset(rng.sample(range(n_projects), rng.randint(0, 1))),
            )
        )
    return projects, cands


@pytest.mark.parametrize("solver", ["dense", "sparse"])
def test_fit_within_two_percent_of_exhaustive_optimum(solver):
    rng = random.Random(7)
    worst = 1.0
    for n in range(1, 9):
        for _ in range(3):
            projects, cands = random_instance(rng, n)
            ref = exhaustive(projects, cands)
            for prune in (False, True):
                res = match_teams(projects, cands, solver=solver, prune=prune)
                filled, tiers, fit = objective(projects, cands, res.assignments)
                assert filled == ref.filled  # same fill ...
                assert tiers == ref.tier_sum  # ... same fairness ...
                assert fit >= 0.98 * ref.fit - 1e-9  # ... and fit within 2 %
                worst = min(worst, fit / ref.fit if ref.fit else 1.0)
    assert worst >= 0.98


def test_dense_reference_agrees_when_capacity_is_one():
    rng = random.Random(3)
    for _ in range(10):
        projects, cands = random_instance(rng, 6)
        cands = [
            Candidate(c.id, c.can_mentor, c.can_be_mentored, c.teaches, c.wants,
                      c.hours_per_month, 1, 0, c.opportunities_12m, c.conflicts)
            for c in cands
        ]  # fmt: skip
        ref = dense_lsa(projects, cands)
        res = match_teams(projects, cands)
        filled, tiers, fit = objective(projects, cands, res.assignments)
        assert (filled, tiers) == (ref.filled, ref.tier_sum) and fit == pytest.approx(ref.fit)


def test_person_with_room_for_two_is_not_placed_twice_on_one_project():
    # one excellent mentor with room for 2 projects; project 1 wants 2 mentors
    projects = [project(1, {"a", "b"}, (), 2, 0), project(2, {"a"}, (), 1, 0)]
    star = mentor(1, {"a", "b"}, cap=2)
    res = match_teams(projects, [star, mentor(2, {"a"}, opp=1)], solver="sparse")
    pairs = [(a.person, a.project) for a in res.assignments]
    assert len(pairs) == len(set(pairs)) and sorted(pairs) == [(1, 1), (1, 2), (2, 1)]


def test_seed_is_deterministic():
    projects, cands = rematch_case()
    assert match_teams(projects, cands, seed=4).assignments == (match_teams(projects, cands, seed=4).assignments)


# ---------------------------------------------------------- fairness property (hypothesis)


def eligible(c: Candidate, p: ProjectNeed, role: str) -> bool:
    """Independent restatement of the hard filters and the skill-overlap rule."""
    if role == "mentor" and not c.can_mentor or role == "mentee" and not c.can_be_mentored:
        return False
    if c.hours_per_month <= 0 or c.hours_per_month < p.min_hours:
        return False
    if p.id in c.conflicts or c.id in p.requesting_team or c.id in p.fixed:
        return False
    if c.max_projects - c.current_projects <= 0:
        return False
    if role == "mentor":
        basis = p.required_skills or p.learning_skills
        return not basis or bool(c.teaches & basis)
    basis = p.learning_skills or p.required_skills
    return not basis or bool(c.wants & basis)


SKILLS = st.frozensets(st.sampled_from(["py", "sql", "viz", "ml"]), max_size=3)


@st.composite
def instances(draw):
    n_proj = draw(st.integers(1, 4))
    n_cand = draw(st.integers(1, 12))
    projects = [
        ProjectNeed(
            j,
            draw(SKILLS),
            draw(SKILLS),
            draw(st.integers(0, 2)),
            draw(st.integers(0, 3)),
            min_hours=draw(st.sampled_from([0, 4, 8])),
            requesting_team=draw(st.frozensets(st.integers(0, n_cand - 1), max_size=2)),
        )
        for j in range(n_proj)
    ]
    cands = [
        Candidate(
            i,
            draw(st.booleans()),
            draw(st.booleans()),
            draw(SKILLS),
            draw(SKILLS),
            draw(st.sampled_from([0, 3, 6, 12])),
            draw(st.integers(0, 3)),
            draw(st.integers(0, 2)),
            draw(st.integers(0, 4)),
            draw(st.frozensets(st.integers(0, n_proj - 1), max_size=1)),
        )
        for i in range(n_cand)
    ]
    return projects, cands


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([None, True]), st.integers(0, 3))
def test_fairness_never_leaves_out_a_lower_opportunity_fit_candidate(inst, prune, seed):
    projects, cands = inst
    # prune=True: prune as hard as possible (1 candidate per group, 1 edge per person)
    tight = {"PRUNE_FACTOR": 0, "PRUNE_EXTRA": 1, "PRUNE_PERSON": 1 if prune else 16}
    with mock.patch.multiple(solver_module, **tight):
        res = match_teams(projects, cands, prune=prune, seed=seed)
    by_id = {c.id: c for c in cands}
    by_proj = {p.id: p for p in projects}
    load = Counter(a.person for a in res.assignments)
    on = {(a.person, a.project) for a in res.assignments}
    assert len(on) == len(res.assignments)  # one role per project
    for a in res.assignments:
        c, p = by_id[a.person], by_proj[a.project]
        assert eligible(c, p, a.role)
        assert load[c.id] <= c.max_projects - c.current_projects
    for a in res.assignments:
        p = by_proj[a.project]
        for c in cands:
            free = load[c.id] < c.max_projects - c.current_projects
            if free and (c.id, p.id) not in on and eligible(c, p, a.role):
                assert c.opportunities_12m >= by_id[a.person].opportunities_12m, (
                    f"{c.id} ({c.opportunities_12m}) left out of {p.id} for {a.person}"
                )
    # shortfalls are exactly the open slots nobody fills
    for s in res.shortfalls:
        filled = sum(1 for a in res.assignments if a.project == s.project and a.role == s.role)
        assert s.missing == by_proj[s.project].open_slots(s.role) - filled > 0
