"""services/votes.py: casting, changing and refusing votes."""

import pytest
from django.utils import timezone

from convene.communities.models import Contribution
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import selectors, services
from convene.deliberation.models import JointResponse, Participant, Phase, Vote


def test_contributions_are_recorded_once_per_first_vote(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Members should see the letter first.", by=b.members[0])
    assert Contribution.objects.filter(kind="statement", context=f"response:{response.pk}").count() == 1
    services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    services.vote_cast(response=response, user=b.members[1], statement_id=s.pk, value=1)
    services.vote_cast(response=response, user=b.members[1], statement_id=s.pk, value=-1)
    services.vote_cast(response=response, user=b.members[1], statement_id=s.pk, value=-1)
    assert Contribution.objects.filter(kind="vote", user=b.members[1]).count() == 1


def test_vote_change_replaces_and_double_submit_is_idempotent(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Letters arrive too late.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value="agree")
    rev = JointResponse.objects.get(pk=response.pk).revision
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    assert JointResponse.objects.get(pk=response.pk).revision == rev  # no-op
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=-1)
    s.refresh_from_db()
    assert (s.n_agree, s.n_disagree, s.n_pass) == (0, 1, 0)
    assert Vote.objects.filter(statement=s).count() == 1


def test_bad_votes_are_refused_clearly(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "A good statement.")
    pending = b.statement(response, "Waiting for review.", by=b.members[0])
    rejected = b.statement(response, "Off topic.", by=b.members[1])
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic here")
    with pytest.raises(InvalidInput):
        services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=5)
    with pytest.raises(Conflict, match="rejected"):
        services.vote_cast(response=response, user=b.members[0], statement_id=rejected.pk, value=1)
    with pytest.raises(Conflict, match="waiting"):
        services.vote_cast(response=response, user=b.members[0], statement_id=pending.pk, value=1)
    with pytest.raises(InvalidInput):
        services.vote_cast(response=response, user=b.members[0], statement_id=999999, value=1)
    with pytest.raises(Conflict):
        services.vote_cast(response=response, user=b.guest, statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    with pytest.raises(Conflict, match="Voting has ended"):
        services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    assert Vote.objects.filter(response=response).count() == 0


def test_anonymous_response_stores_no_person(boundary):
    b = boundary
    response = b.open_response(anonymous=True)
    s = b.statement(response, "We were not consulted.", by=b.members[0])
    services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    services.vote_cast(response=response, user=b.members[1], statement_id=s.pk, value=1)
    assert Participant.objects.filter(response=response, user__isnull=False).count() == 0
    assert Contribution.objects.filter(context=f"response:{response.pk}").count() == 0
    info = selectors.context_info(f"response:{response.pk}")
    assert info["anonymous"] is True and info["groups"] == {}
    rows = selectors.coverage(response, with_names=True)
    assert all(r["not_heard"] is None for r in rows)
    # the author still sees their own statement (recognised by the keyed hash)
    assert services.participant_for(response, b.members[0], create=False).statements.count() == 1


def test_a_first_vote_writes_its_ledger_row_in_full(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Letters should name a contact person.")
    before = timezone.now()
    services.vote_cast(response=response, user=b.members[6], statement_id=s.pk, value=1)
    row = Contribution.objects.get(kind="vote", user=b.members[6])
    assert (row.community, row.kind, row.context) == (b.sw, "vote", f"response:{response.pk}")
    assert row.occurred_at.tzinfo is not None and before <= row.occurred_at <= timezone.now()
