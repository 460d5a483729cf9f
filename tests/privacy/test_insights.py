"""Attacks on insights' voice figures (issue 15, finding 2: "People heard < 5" beside "Share heard 95 %").

Voice, representation, the member-directory filter count, trends per month (snapshot
differencing), complement arithmetic and repeated queries.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from convene.accounts.models import DiversityAnswer
from convene.communities.models import Membership, Role
from convene.insights import selectors
from convene.insights.periods import last_months, parse_period
from convene.insights.selectors import VoiceSummary

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .attacks import assert_no_better_than_guessing

pytestmark = pytest.mark.django_db


def _voice(members, heard, surface="insights.voice:test") -> VoiceSummary:
    return VoiceSummary(
        period=None,
        members=len(members),
        contributions=len(heard),
        contributors=len(heard),
        not_heard=len(members) - len(heard),
        gini=0.0,
        heard=len(heard) / len(members),
        by_kind=[],
        surface=surface,
        member_ids=frozenset(members),
        contributor_ids=frozenset(heard),
    )


def test_a_hidden_head_count_never_stands_beside_a_shown_share():
    for size in range(5, 40):
        members = list(range(1, size + 1))
        for n_heard in range(0, size + 1):
            figures = _voice(members, members[:n_heard]).figures
            if figures["heard"].hidden:
                assert figures["share"].hidden
            if figures["share"].shown:
                assert figures["share"].value % 5 == 0


def test_complement_of_heard_against_members_does_not_reveal_one_person():
    """Members minus not-heard, before and after one more person speaks: the newcomer's change is
    swamped by fresh noise; the attacker can tell whether someone spoke no better than guessing."""
    members = list(range(1, 31))
    hits = 0
    for k in range(5, 25):
        before = _voice(members, members[:k]).figures
        after_spoke = _voice(members, members[: k + 1]).figures
        guessed = (after_spoke["heard"].value or 0) > (before["heard"].value or 0)
        hits += guessed
    assert hits <= 0.65 * 20  # exact counts would reveal all 20


def test_repeated_queries_give_identical_figures():
    community = CommunityFactory(slug="repeat", name="Repeat")
    for n in range(12):
        MembershipFactory(community=community, user=UserFactory(email=f"r{n}@example.com"), role=Role.MEMBER)
    period = parse_period(None, None)
    first = selectors.voice_summary(community, period).figures
    assert all(selectors.voice_summary(community, period).figures == first for _ in range(4))


# --------------------------------------------------------------------------- representation, filter, trend


def _member(community, *, discipline="", gender=None, joined=None, role=Role.MEMBER):
    user = UserFactory()
    if discipline:
        user.profile.discipline = discipline
        user.profile.save()
    if gender:
        DiversityAnswer.objects.create(user=user, attribute="gender", value=gender)
    m = MembershipFactory(community=community, user=user, role=role)
    if joined is not None:
        Membership.objects.filter(pk=m.pk).update(joined_at=joined)
    return user


def _first_int(text: str) -> int | None:
    found = re.search(r"(\d+)", text)
    return int(found.group(1)) if found else None


def test_member_filter_count_does_not_reveal_a_discipline_the_table_hides(client):
    """Insights says "Mental health pharmacist < 5"; the member directory filtered on that
    discipline counted exactly 5. The attacker (a plain member) reads the filter's count for
    many disciplines and guesses each group's exact size. Old code: 20/20."""
    community = CommunityFactory(slug="filter", name="Filter")
    sizes = [3, 4, 5, 6, 7] * 4
    letters = "abcdefghijklmnopqrst"
    for letter, size in zip(letters, sizes, strict=True):
        for _ in range(size):
            _member(community, discipline=f"Pharmacist {letter}q")
    attacker = _member(community, discipline="Attacker")
    client.force_login(attacker)
    guesses = []
    for letter in letters:
        html = client.get("/c/filter/members/", {"discipline": f"pharmacist {letter}q"}).content.decode()
        line = re.search(r'id="directory-found">([^<]*)<|(\d+) results?', html)
        text = line.group(0)
        guesses.append(4 if "ewer than" in text else _first_int(text))
    assert_no_better_than_guessing(guesses, sizes)


def test_month_over_month_snapshot_does_not_reveal_a_newcomers_answer():
    """A member joins between two months; the attacker (coordinator) compares the gender
    diversity index of the two months in the trend: old code moved it down for a woman (the
    majority) and up for a man, revealing every newcomer's answer."""
    months = last_months(12)
    old = months[0].start - dt.timedelta(days=40)
    guesses, truths = [], []
    for c in range(3):
        community = CommunityFactory(slug=f"trend{c}", name=f"Trend {c}")
        for i in range(18):
            _member(community, gender="woman" if i < 12 else "man", joined=old)
        answers = ["man" if (c * 11 + k) % 2 else "woman" for k in range(11)]
        for k, answer in enumerate(answers, start=1):
            _member(community, gender=answer, joined=months[k].start + dt.timedelta(days=1))
        trend = selectors.community_trend(community, months=months, cache=False)
        blau = trend.blau["diversity:gender"]
        for k, answer in enumerate(answers, start=1):
            before, after = blau[k - 1], blau[k]
            guesses.append("man" if (after or 0) > (before or 0) else "woman")
            truths.append(answer)
        for m in trend.members:
            assert m.hidden or m.value % 5 == 0
    assert_no_better_than_guessing(guesses, truths)


def test_complement_against_the_total_does_not_solve_a_small_cell():
    """Gender table of a community: total minus the shown cells gives the hidden cell. Targets:
    the number of people who did not answer (1-4), in 20 communities."""
    guesses, truths = [], []
    for c in range(20):
        community = CommunityFactory(slug=f"comp{c}", name=f"Comp {c}")
        quiet = 1 + c % 4
        for i in range(10 + c % 3):
            _member(community, gender="woman" if i % 2 else "man")
        for _ in range(quiet):
            _member(community)
        gender = {b.key: b for b in selectors.community_representation(community).breakdowns}["diversity:gender"]
        shown = sum(cell.count or 0 for cell in gender.cells if cell.label != "Not answered")
        guesses.append((gender.total.value or 0) - shown)
        truths.append(quiet)
    assert_no_better_than_guessing(guesses, truths)


def test_repeated_representation_and_trend_queries_are_identical():
    community = CommunityFactory(slug="again", name="Again")
    for i in range(23):
        _member(community, discipline="Nurse" if i % 3 else "Doctor", gender="woman" if i % 2 else "man")
    first = selectors.community_representation(community)
    trend = selectors.community_trend(community, cache=False)
    for _ in range(3):
        assert selectors.community_representation(community) == first
        assert selectors.community_trend(community, cache=False) == trend
