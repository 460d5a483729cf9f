"""services/responses.py: a response's settings and its phases, from gathering to delivery."""

import pytest

from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import selectors, services
from convene.deliberation.models import DraftVersion, JointResponse, MapCache, Phase, Stance

from ..conftest import vote_pattern


def test_full_lifecycle_with_map_draft_endorsement_and_delivery(boundary):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    vote_pattern(response, b, statements)
    services.map_refresh(response=response)  # pages do this before the read
    view = selectors.map_view(response)
    assert view["n_participants"] == 10
    assert len(view["groups"]) == 2
    assert sorted(g["size"] for g in view["groups"]) == [5, 5]
    assert {g["slug"] for g in view["communities"]["groups"]} == {"psy", "sw"}
    assert view["communities"]["divisive"], "the two communities split"
    # cached by revision: a second read does not recompute
    cache = MapCache.objects.get(response=response)
    assert cache.revision == JointResponse.objects.get(pk=response.pk).revision
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    assert response.draft_version == 1
    assert "## Where we differ" in response.draft_text
    assert "Group A" in response.draft_text
    v2 = services.draft_save(
        response=response, user=b.members[0], text=response.draft_text + "\n\nWe ask for 48 hours.", base_version=1
    )
    assert v2.number == 2 and "+We ask for 48 hours." in v2.diff and v2.author == b.members[0]
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    for i, user in enumerate(b.members):
        stance = Stance.OBJECT if i == 9 else Stance.ENDORSE
        services.endorsement_cast(response=response, user=user, stance=stance, reason="Too slow" if i == 9 else "")
    summary = selectors.endorsement_summary(response)
    assert summary["totals"]["endorse"] == 9 and summary["objections"] == 1
    assert summary["reasons"][0]["reason"] == "Too slow" and summary["reasons"][0]["by"] == "Member 9"
    by = {row["community"]: row for row in summary["by_community"]}
    assert by["Social Work"]["object"] == 1 and by["Psychiatry"]["endorse"] == 5
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DELIVERED)
    response.refresh_from_db()
    assert response.delivered_at is not None
    with pytest.raises(Conflict) as exc:
        services.draft_save(response=response, user=b.members[0], text="changed", base_version=2)
    assert exc.value.status == 409
    assert DraftVersion.objects.filter(response=response).count() == 2


def test_transitions_are_a_state_machine(boundary):
    b = boundary
    response = b.open_response()
    with pytest.raises(Conflict):
        services.response_transition(response=response, actor=b.coordinator, to=Phase.DELIVERED)
    with pytest.raises(InvalidInput):
        services.response_transition(response=response, actor=b.coordinator, to="nonsense")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.WITHDRAWN)
    with pytest.raises(Conflict):
        services.response_transition(response=response, actor=b.coordinator, to=Phase.GATHERING)


def test_anonymity_is_chosen_before_gathering(boundary):
    b = boundary
    response = b.open_response()
    with pytest.raises(Conflict):
        services.response_update(response=response, actor=b.coordinator, anonymous=True)
