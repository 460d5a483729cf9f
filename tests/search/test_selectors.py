"""Global search (issue 18.18): what each role finds, on SQLite (icontains) and PostgreSQL (full text)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convene.communities.models import Role
from convene.convening.models import ActivityType, Session
from convene.deliberation.models import JointResponse, Participant, Statement
from convene.projects.models import Project
from convene.search import selectors
from convene.search.selectors import search

from ..factories import MembershipFactory, UserFactory


@pytest.fixture
def things(world):
    o = world.objects
    world.private.description = "Weekly reflective practice on ward rounds"
    world.private.save()
    activity = ActivityType.objects.first()
    start = timezone.now() + dt.timedelta(days=7)
    o["session"] = Session.objects.create(
        host=world.private, activity=activity, title="Ward rounds review", starts_at=start, state="scheduled"
    )
    o["draft"] = Session.objects.create(
        host=world.private, activity=activity, title="Ward rounds secret draft", starts_at=start, state="draft"
    )
    response = JointResponse.objects.create(
        community=world.private, title="Ward rounds guidance", anonymous=True, state="gathering"
    )
    response.communities.set([world.private])
    o["response"] = response
    author = Participant.objects.create(
        response=response, user_key=response.user_key(world.users["member"].pk), community=world.private
    )
    o["accepted"] = Statement.objects.create(
        response=response, author=author, text="Ward rounds should start with the patient", state="accepted"
    )
    o["rejected"] = Statement.objects.create(
        response=response, author=author, text="Ward rounds are pointless nonsense", state="rejected"
    )
    o["pending"] = Statement.objects.create(
        response=response, author=author, text="Ward rounds need a pharmacist", state="pending"
    )
    project = Project.objects.create(
        title="Ward rounds checklist", goal="A checklist app", requesting_contact="x", lead_community=world.private
    )
    project.communities.set([world.private])
    o["project"] = project
    done = Project.objects.create(
        title="Ward rounds timer",
        goal="Time the rounds",
        requesting_contact="x",
        lead_community=world.private,
        state="delivered",
        case_study_published_at=timezone.now(),
    )
    done.communities.set([world.private])
    o["case_study"] = done
    namesake = UserFactory(email="ward.nurse@example.com", name="Wanda Ward")
    namesake.profile.discipline = "Nursing"
    namesake.profile.save()
    MembershipFactory(community=world.private, user=namesake, role=Role.MEMBER)
    return world


def _titles(results, kind):
    return [h.title for h in results.hits.get(kind, [])]


def test_member_finds_everything_they_may_open(things):
    results = search(things.users["member"], "ward rounds")
    assert _titles(results, "communities") == ["Private Practice"]
    assert _titles(results, "sessions") == ["Ward rounds review"]
    assert _titles(results, "responses") == ["Ward rounds guidance"]
    assert _titles(results, "statements") == ["Ward rounds should start with the patient"]
    assert set(_titles(results, "projects")) == {"Ward rounds checklist", "Ward rounds timer"}
    assert results.total >= 6


def test_statement_hits_never_name_an_author(things):
    hit = search(things.users["member"], "patient").hits["statements"][0]
    assert hit.title == "Ward rounds should start with the patient"
    assert hit.detail == "Ward rounds guidance"  # the response, nothing about who wrote it
    assert "Mia" not in hit.detail and "member" not in hit.url


def test_rejected_and_pending_statements_are_never_found(things):
    for role in ("member", "coordinator"):
        assert search(things.users[role], "pointless nonsense").hits["statements"] == []
        assert search(things.users[role], "pharmacist").hits["statements"] == []


def test_outsider_sees_no_private_community_and_only_published_case_studies(things):
    results = search(things.users["outsider"], "ward rounds")
    assert _titles(results, "communities") == []
    assert _titles(results, "sessions") == []
    assert _titles(results, "responses") == []
    assert _titles(results, "statements") == []
    assert _titles(results, "projects") == ["Ward rounds timer"]
    assert results.hits["projects"][0].url == reverse("projects:case_study", args=[things.objects["case_study"].pk])
    assert _titles(search(things.users["outsider"], "Wanda"), "people") == []


def test_drafts_only_to_the_hosts_coordinators(things):
    assert "Ward rounds secret draft" in _titles(search(things.users["coordinator"], "secret draft"), "sessions")
    assert _titles(search(things.users["member"], "secret draft"), "sessions") == []


def test_guest_reads_the_response_only_when_allowed(things):
    guest = things.users["guest"]
    assert _titles(search(guest, "ward rounds guidance"), "responses") == []
    assert _titles(search(guest, "patient"), "statements") == []
    response = things.objects["response"]
    response.guests_can_read = True
    response.save()
    assert _titles(search(guest, "ward rounds guidance"), "responses") == ["Ward rounds guidance"]


def test_people_only_from_directories_the_viewer_may_open(things):
    hits = search(things.users["member"], "wanda").hits["people"]
    assert [h.title for h in hits] == ["Wanda Ward"]
    assert "Nursing" in hits[0].detail  # told apart from a namesake
    assert search(things.users["guest"], "wanda").hits["people"] == []  # guests do not see directories
    assert "ward.nurse" not in hits[0].detail  # never an e-mail address


def test_short_and_long_queries():
    assert search(None, "a").too_short
    assert search(None, "").hits == {}
    assert len(selectors.normalise_query("x" * 1000)) == selectors.MAX_QUERY


def test_anonymous_finds_public_communities_only(things):
    results = search(None, "practice")
    assert _titles(results, "communities") == ["Public Practice"]
    assert all(not results.hits[k] for k in ("sessions", "responses", "statements", "projects", "people"))


def test_full_text_on_postgresql_ranks_and_stems(things):
    if not selectors.full_text():
        pytest.skip("PostgreSQL only")
    # stemming: "reviews" finds "review"; websearch syntax: a quoted phrase and a minus word
    assert _titles(search(things.users["member"], "reviews"), "sessions") == ["Ward rounds review"]
    assert _titles(search(things.users["member"], '"ward rounds" -review'), "sessions") == []
