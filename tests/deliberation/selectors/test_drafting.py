"""Version history compared word by word, the phase moves offered, and the delivery checklist."""

from __future__ import annotations

from convene.deliberation import selectors, services
from convene.deliberation.models import TRANSITIONS, MinorityView, Phase, Stance
from convene.deliberation.selectors.drafting import ANSWER_PLACEHOLDER

from ..conftest import vote_pattern


def _drafting(b):
    response = b.open_response()
    vote_pattern(response, b, b.statements(response))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    return response


def test_version_history_newest_first_each_against_the_one_before(boundary):
    b = boundary
    response = _drafting(b)
    seeded = response.draft_text
    services.draft_save(
        response=response, user=b.members[0], text=seeded.replace(ANSWER_PLACEHOLDER, "We agree."), base_version=1
    )
    history = selectors.version_history(response)
    assert [e.version.number for e in history] == [2, 1]
    assert history[1].changes == []
    changed = [block for block in history[0].changes if block.kind == "changed"]
    assert len(changed) == 1
    kinds = {(p.kind, p.text) for p in changed[0].parts}
    assert ("added", "We agree.") in kinds and any(k == "removed" and "Write" in t for k, t in kinds)


def test_phase_moves_keep_going_back_and_withdrawing_apart(boundary):
    b = boundary
    response = _drafting(b)
    moves = selectors.phase_moves(response, TRANSITIONS)
    assert moves.forward == [Phase.ENDORSEMENT]
    assert moves.confirmed == [Phase.GATHERING, Phase.WITHDRAWN]
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    response.refresh_from_db()
    moves = selectors.phase_moves(response, TRANSITIONS)
    assert moves.forward == [] and moves.confirmed == [Phase.DRAFTING, Phase.DELIVERED, Phase.WITHDRAWN]
    assert selectors.needs_confirmation(Phase.DELIVERED, Phase.CLOSED) is False


def test_delivery_checklist_names_the_gaps_first(boundary):
    b = boundary
    response = _drafting(b)
    MinorityView.objects.create(response=response, text="Keep direct referrals.")
    answered = MinorityView.objects.create(response=response, text="Letters are not the problem.")
    services.minority_view_answer(view=answered, user=b.members[0], answer="Section 2 answers it.")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    response.refresh_from_db()
    services.endorsement_cast(response=response, user=b.members[1], stance=Stance.OBJECT, reason="Too vague.")
    response.refresh_from_db()
    items = selectors.delivery_checklist(response)
    gaps = [i.text for i in items if not i.ok]
    assert items[0].ok is False and all(not i.ok for i in items[: len(gaps)])
    assert any("minority view has no answer yet" in t and "Keep direct referrals" in t for t in gaps)
    assert any("placeholder" in t for t in gaps)
    assert any("Support is 0% of those who took a position: less than half." in t for t in gaps)
    assert any("Objections or reservations" in t for t in gaps)
    assert any("closes it early" in t for t in gaps)
    assert not any("Letters are not the problem" in t for t in gaps)


def test_delivery_checklist_in_order(boundary):
    b = boundary
    response = _drafting(b)
    text = response.draft_text.replace(ANSWER_PLACEHOLDER, "We support the rule.")
    services.draft_save(response=response, user=b.members[0], text=text, base_version=1)
    for view in MinorityView.objects.filter(response=response):
        services.minority_view_answer(view=view, user=b.members[0], answer="Answered.")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    response.endorsement_ends = None
    response.save(update_fields=["endorsement_ends"])
    for user in b.members:
        services.endorsement_cast(response=response, user=user, stance=Stance.ENDORSE)
    response.refresh_from_db()
    items = selectors.delivery_checklist(response)
    assert all(i.ok for i in items), [i.text for i in items if not i.ok]
    assert any("Support: 100%" in i.text for i in items)


def test_delivery_checklist_of_an_anonymous_response_shows_no_small_figure(boundary):
    b = boundary
    response = b.open_response(anonymous=True)
    statements = b.statements(response)
    vote_pattern(response, b, statements)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    response.refresh_from_db()
    services.endorsement_cast(response=response, user=b.members[1], stance=Stance.ENDORSE)
    texts = [i.text for i in selectors.delivery_checklist(response)]
    assert any("Fewer than 5 people have taken a position" in t for t in texts)
    assert not any("Support:" in t or "Support is" in t for t in texts)
