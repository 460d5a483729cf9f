"""Tests for convene.engines.picker (breakthrough activity picker)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from convene.engines.picker import COMMITMENT_WEIGHTS, RankedCandidate, Rating, rank_candidates

PSY, SOC = "psychiatry", "social work"


def r(candidate, participant, community, usefulness, commitment="light"):
    return Rating(candidate, participant, community, usefulness, commitment)


def ids(ranked):
    return [rc.candidate for rc in ranked]


# The psychiatrists-and-social-workers example: referral guidelines are useful to both.
EXAMPLE = [
    r("guidelines", "p1", PSY, 5, "light"),
    r("guidelines", "p2", PSY, 4, "light"),
    r("guidelines", "s1", SOC, 4, "medium"),
    r("guidelines", "s2", SOC, 5, "light"),
    r("joint cases", "p1", PSY, 5, "heavy"),
    r("joint cases", "p2", PSY, 5, "heavy"),
    r("joint cases", "s1", SOC, 2, "heavy"),
    r("joint cases", "s2", SOC, 3, "medium"),
    r("newsletter", "p1", PSY, 3, "light"),
    r("newsletter", "p2", PSY, 3, "light"),
    r("newsletter", "s1", SOC, 3, "light"),
    r("newsletter", "s2", SOC, 3, "light"),
]


def test_hand_computed_ranking():
    ranked = rank_candidates(EXAMPLE)
    # maximin: guidelines min(4.5, 4.5) = 4.5; newsletter 3; joint cases min(5, 2.5) = 2.5
    assert ids(ranked) == ["guidelines", "newsletter", "joint cases"]

    top = ranked[0]
    assert isinstance(top, RankedCandidate)
    assert top.min_community_usefulness == 4.5
    assert top.per_community == {PSY: 4.5, SOC: 4.5}
    assert top.commitment == 1.25  # (1 + 1 + 2 + 1) / 4
    assert top.mean_usefulness == 4.5
    assert top.complete and top.missing_communities == ()
    assert top.n_ratings == 4

    joint = ranked[2]
    # The highest mean overall (3.75) but the social workers are least served.
    assert joint.mean_usefulness == 3.75
    assert joint.weakest_community == SOC
    assert joint.min_community_usefulness == 2.5
    assert joint.commitment == pytest.approx(11 / 4)


def test_maximin_beats_mean():
    ratings = [
        r("lopsided", "a", "A", 5),
        r("lopsided", "b", "B", 2),
        r("balanced", "a", "A", 3),
        r("balanced", "b", "B", 3),
    ]
    assert ids(rank_candidates(ratings)) == ["balanced", "lopsided"]


def test_ties_broken_by_lighter_commitment():
    ratings = [
        r("heavy one", "a", "A", 4, "heavy"),
        r("heavy one", "b", "B", 4, "medium"),
        r("light one", "a", "A", 4, "light"),
        r("light one", "b", "B", 4, "medium"),
    ]
    ranked = rank_candidates(ratings)
    assert ids(ranked) == ["light one", "heavy one"]
    assert [rc.commitment for rc in ranked] == [1.5, 2.5]


def test_then_by_mean_usefulness_then_id():
    ratings = [
        # min 3 for both, same commitment; "b-more" has mean 4 vs 3
        r("a-less", "a", "A", 3),
        r("a-less", "b", "B", 3),
        r("b-more", "a", "A", 5),
        r("b-more", "b", "B", 3),
        # exact tie with "a-less" on everything -> id order
        r("c-same", "a", "A", 3),
        r("c-same", "b", "B", 3),
    ]
    assert ids(rank_candidates(ratings)) == ["b-more", "a-less", "c-same"]


def test_exact_fraction_ties():
    # 13/3 via three raters and 13/3 via six raters must tie exactly.
    ratings = [r("x", f"a{i}", "A", u) for i, u in enumerate([4, 4, 5])]
    ratings += [r("y", f"a{i}", "A", u) for i, u in enumerate([4, 4, 5])]
    ratings += [r("y", f"a{i + 3}", "A", u) for i, u in enumerate([4, 4, 5])]
    ratings += [r("x", f"a{i + 3}", "A", u) for i, u in enumerate([4, 4, 5])]
    ranked = rank_candidates(ratings)
    assert ranked[0].min_community_usefulness == ranked[1].min_community_usefulness
    assert ids(ranked) == ["x", "y"]


def test_weakest_community_tie_is_deterministic():
    ratings = [r("x", "b", "B", 3), r("x", "a", "A", 3)]
    assert rank_candidates(ratings)[0].weakest_community == "A"


def test_missing_community_ranked_last_and_flagged():
    ratings = [
        r("everyone", "p1", PSY, 3),
        r("everyone", "s1", SOC, 3),
        r("psy only", "p1", PSY, 5),  # social workers never rated it
    ]
    ranked = rank_candidates(ratings)
    assert ids(ranked) == ["everyone", "psy only"]
    partial = ranked[1]
    assert not partial.complete
    assert partial.missing_communities == (SOC,)
    assert partial.per_community == {PSY: 5.0}
    assert partial.min_community_usefulness == 5.0  # over the communities that rated
    assert partial.weakest_community == PSY


def test_incomplete_ordered_by_fewest_missing():
    ratings = [
        r("all", "a", "A", 1),
        r("all", "b", "B", 1),
        r("all", "c", "C", 1),
        r("two", "a", "A", 2),
        r("two", "b", "B", 2),
        r("one", "a", "A", 5),
    ]
    ranked = rank_candidates(ratings)
    assert ids(ranked) == ["all", "two", "one"]
    assert [len(rc.missing_communities) for rc in ranked] == [0, 1, 2]


def test_empty():
    assert rank_candidates([]) == []


def test_accepts_generator():
    assert ids(rank_candidates(x for x in EXAMPLE))[0] == "guidelines"


@pytest.mark.parametrize("usefulness", [0, 6, -1, 3.5, "3", None, True])
def test_invalid_usefulness(usefulness):
    with pytest.raises(ValueError, match="usefulness"):
        rank_candidates([r("x", "a", "A", usefulness)])


@pytest.mark.parametrize("commitment", ["none", "Light", "", None, 1])
def test_invalid_commitment(commitment):
    with pytest.raises(ValueError, match="commitment must be one of light, medium, heavy"):
        rank_candidates([r("x", "a", "A", 3, commitment)])


def test_duplicate_rating_rejected():
    with pytest.raises(ValueError, match="more than once"):
        rank_candidates([r("x", "a", "A", 3), r("x", "a", "A", 4)])


def test_participant_in_two_communities_rejected():
    with pytest.raises(ValueError, match="appears in communities"):
        rank_candidates([r("x", "a", "A", 3), r("y", "a", "B", 4)])


def test_frozen():
    rating = r("x", "a", "A", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rating.usefulness = 5  # type: ignore[misc]
    ranked = rank_candidates([rating])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ranked.commitment = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------- properties


@st.composite
def engagements(draw):
    """Every participant of 2-3 communities rates every one of 1-4 candidates."""
    n_comm = draw(st.integers(2, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(n_comm)]
    n_cand = draw(st.integers(1, 4))
    ratings = []
    for c in range(n_cand):
        for k, size in enumerate(sizes):
            for p in range(size):
                ratings.append(
                    Rating(
                        candidate=c,
                        participant=f"c{k}p{p}",
                        community=f"c{k}",
                        usefulness=draw(st.integers(1, 5)),
                        commitment=draw(st.sampled_from(sorted(COMMITMENT_WEIGHTS))),
                    )
                )
    return ratings


@given(engagements(), st.data())
def test_raising_least_served_never_lowers_score(ratings, data):
    before = rank_candidates(ratings)
    idx = data.draw(st.integers(0, len(before) - 1))
    target = before[idx]
    weakest, mean = target.weakest_community, target.min_community_usefulness
    assume(mean < 5)
    usefulness = data.draw(st.integers(int(mean) + 1, 5))  # strictly above the mean
    extra = Rating(
        candidate=target.candidate,
        participant="newcomer",
        community=weakest,
        usefulness=usefulness,
        commitment=data.draw(st.sampled_from(sorted(COMMITMENT_WEIGHTS))),
    )
    after = rank_candidates([*ratings, extra])
    moved = next(rc for rc in after if rc.candidate == target.candidate)
    assert moved.per_community[weakest] > target.per_community[weakest]
    assert moved.min_community_usefulness >= target.min_community_usefulness
    if moved.min_community_usefulness > target.min_community_usefulness:
        # A strictly better primary score cannot cost it a place.
        assert ids(after).index(target.candidate) <= idx


@given(engagements(), st.randoms())
def test_order_of_ratings_does_not_matter(ratings, rnd):
    shuffled = ratings[:]
    rnd.shuffle(shuffled)
    a, b = rank_candidates(ratings), rank_candidates(shuffled)
    assert ids(a) == ids(b)
    assert [rc.min_community_usefulness for rc in a] == [rc.min_community_usefulness for rc in b]


@given(engagements())
def test_complete_and_bounded(ratings):
    for rc in rank_candidates(ratings):
        assert rc.complete
        # The least-served community's mean can never exceed the overall mean.
        assert 1.0 <= rc.min_community_usefulness <= rc.mean_usefulness <= 5.0
        assert rc.min_community_usefulness == min(rc.per_community.values())
        assert 1.0 <= rc.commitment <= 3.0
        assert type(rc.commitment) is float
