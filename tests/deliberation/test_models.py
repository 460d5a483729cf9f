"""Participant.n_votes is kept by the database (a trigger on the votes), whatever writes them."""

from __future__ import annotations

from django.db.models import Count

from convene.deliberation import services
from convene.deliberation.models import Participant, Statement, Vote

from .test_services import _statements


def _counts(response) -> dict:
    """{participant: votes} of those who voted; the kept counts must equal a count of the rows."""
    kept = dict(Participant.objects.filter(response=response).values_list("pk", "n_votes"))
    counted = dict(Participant.objects.filter(response=response).annotate(n=Count("votes")).values_list("pk", "n"))
    assert kept == counted
    return {pk: n for pk, n in kept.items() if n}


def test_vote_count_follows_every_way_votes_are_written_and_removed(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    for user in b.members[:3]:
        for statement in statements[:3]:
            services.vote_cast(response=response, user=user, statement_id=statement.pk, value=1)
    assert sorted(_counts(response).values()) == [3, 3, 3]

    services.vote_cast(response=response, user=b.members[0], statement_id=statements[0].pk, value=-1)  # a change
    services.vote_cast(response=response, user=b.members[0], statement_id=statements[0].pk, value=-1)  # the same
    participant = Participant.objects.get(response=response, user=b.members[0])
    assert participant.n_votes == 3

    Vote.objects.bulk_create(  # any other writer: an import, a script
        [Vote(response=response, participant=participant, statement=s, value=0) for s in statements[3:5]]
    )
    assert Participant.objects.get(pk=participant.pk).n_votes == 5
    Statement.objects.filter(pk=statements[0].pk).delete()  # the votes on it go with it
    assert sorted(_counts(response).values()) == [2, 2, 4]
    other = Participant.objects.get(response=response, user=b.members[1])
    services.vote_cast(response=response, user=b.members[1], statement_id=statements[5].pk, value=1)
    Vote.objects.filter(participant=other, statement=statements[5]).update(participant=participant)  # moved
    assert _counts(response)[participant.pk] == 5 and _counts(response)[other.pk] == 2


def test_saving_a_participant_never_writes_a_stale_count_back(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    services.vote_cast(response=response, user=b.members[0], statement_id=statements[0].pk, value=1)
    participant = Participant.objects.get(response=response, user=b.members[0])
    services.vote_cast(response=response, user=b.members[0], statement_id=statements[1].pk, value=1)
    assert participant.n_votes == 1  # the copy in memory is behind
    participant.community = b.psy
    participant.save()
    assert Participant.objects.get(pk=participant.pk).n_votes == 2
    assert Participant.objects.get(pk=participant.pk).community == b.psy
