"""opinion_map/store.py: recounting and storing maps, newest revision first."""

import pytest

from convene.deliberation import opinion_map
from convene.deliberation.models import JointResponse, MapCache, Statement, Vote

from ..conftest import vote_pattern


@pytest.mark.django_db
def test_counts_refresh_recounts_from_the_votes(boundary):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    vote_pattern(response, b, statements)
    unvoted = b.statement(response, "Nobody has voted on this one yet.")
    other = b.statement(b.open_response(), "A statement of another response.")
    Statement.objects.filter(pk__in=[s.pk for s in [*statements, unvoted, other]]).update(
        n_agree=99, n_disagree=0, n_pass=7
    )  # drifted
    before = JointResponse.objects.get(pk=response.pk).revision
    assert opinion_map.statement_counts_refresh(response_id=response.pk) == before + 1
    for s in Statement.objects.filter(response=response):
        votes = list(Vote.objects.filter(statement=s).values_list("value", flat=True))
        assert (s.n_agree, s.n_disagree, s.n_pass) == (votes.count(1), votes.count(-1), votes.count(0))
    assert Statement.objects.get(pk=unvoted.pk).n_agree == 0
    other = Statement.objects.get(pk=other.pk)
    assert (other.n_agree, other.n_pass) == (99, 7), "another response's counters are not this refresh's business"


@pytest.mark.django_db
def test_map_store_keeps_the_newest_revision_and_stores_extremities(boundary):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    vote_pattern(response, b, statements)
    data = opinion_map.map_recompute(response)
    stored = MapCache.objects.get(response=response)
    extremity = {s["id"]: s["extremity"] for s in data["statements"]}
    assert any(extremity.values()), "the map separates the groups on some statement"
    assert dict(Statement.objects.filter(response=response).values_list("id", "extremity")) == pytest.approx(extremity)

    older = {**data, "statements": [{**s, "extremity": 0.0} for s in data["statements"]]}
    opinion_map.map_store(response=response, revision=stored.revision - 1, data=older, seconds=0.1)
    assert MapCache.objects.get(response=response).data == data, "an older map never replaces a newer one"
    assert dict(Statement.objects.filter(response=response).values_list("id", "extremity")) == pytest.approx(extremity)

    opinion_map.map_store(response=response, revision=stored.revision + 1, data=older, seconds=0.1)
    replaced = MapCache.objects.get(response=response)
    assert (replaced.revision, replaced.data) == (stored.revision + 1, older)
    assert set(Statement.objects.filter(response=response).values_list("extremity", flat=True)) == {0.0}
