from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from convene.communities.models import Contribution
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import selectors, services
from convene.deliberation.models import (
    DraftVersion,
    JointResponse,
    MapCache,
    MinorityView,
    Participant,
    Phase,
    RequestStatus,
    Stance,
    Statement,
    StatementState,
    Vote,
)
from convene.deliberation.reminders import send_due_reminders

from .conftest import vote_pattern

STATEMENTS = [
    "Twenty-four hours is enough time to write a good discharge letter.",
    "The new rule will make discharges safer.",
    "Letters should go to the person as well as to the team.",
    "Community teams cannot act on letters that arrive on Fridays.",
    "We need a shared template across both services.",
    "A phone call matters more than any letter.",
]


def _statements(b, response):
    return [b.statement(response, t) for t in STATEMENTS]


def test_full_lifecycle_with_map_draft_endorsement_and_delivery(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
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


def test_statement_limits_and_moderation(boundary):
    b = boundary
    response = b.open_response()
    with pytest.raises(InvalidInput, match="empty"):
        services.statement_submit(response=response, user=b.members[0], text="   ")
    with pytest.raises(InvalidInput, match="280"):
        services.statement_submit(response=response, user=b.members[0], text="x" * 281)
    s = services.statement_submit(response=response, user=b.members[0], text="x" * 280)
    assert s.state == StatementState.PENDING
    with pytest.raises(InvalidInput):
        services.statement_moderate(statement=s, actor=b.coordinator, decision="reject", reason="")
    services.statement_moderate(statement=s, actor=b.coordinator, decision="reject", reason="Please say more")
    s.refresh_from_db()
    assert s.reject_reason == "Please say more"
    meta = services.statement_submit(response=response, user=b.members[0], text="When does this end?")
    services.statement_moderate(statement=meta, actor=b.coordinator, decision="meta")
    assert Statement.objects.get(pk=meta.pk).state == "meta"


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


def test_concurrent_draft_edit_is_refused(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Keep the letter short.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    services.draft_save(response=response, user=b.members[0], text="First edit", base_version=1)
    with pytest.raises(Conflict) as exc:
        services.draft_save(response=response, user=b.members[1], text="Second edit", base_version=1)
    assert exc.value.status == 409 and "version 2" in exc.value.message
    response.refresh_from_db()
    assert response.draft_text == "First edit" and response.draft_version == 2


def test_minority_views_are_seeded_and_only_answered(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    # psychiatry (5) agrees with everything, three social workers agree with the second half
    for i, user in enumerate(b.members[:8]):
        for j, s in enumerate(statements):
            value = 1 if i < 5 or j >= 3 else -1
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    view = services.minority_view_add(response=response, actor=b.members[2], text="Letters are not the problem.")
    services.minority_view_answer(view=view, user=b.members[0], answer="We address this in section 2.")
    assert MinorityView.objects.get(pk=view.pk).answer.startswith("We address")
    assert not hasattr(services, "minority_view_delete")


def test_paragraph_comments(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Keep the letter short.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    key = services.paragraph_key(services.split_paragraphs(response.draft_text)[0])
    c = services.comment_add(response=response, user=b.members[3], paragraph=key, text="Good title")
    assert c.version == 1
    with pytest.raises(InvalidInput):
        services.comment_add(response=response, user=b.members[3], paragraph="0" * 16, text="Lost")
    assert Contribution.objects.filter(kind="comment", user=b.members[3]).count() == 1


def test_next_statement_prefers_unvoted_and_skips_voted(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    participant = None
    seen = set()
    for _ in statements:
        st, remaining = selectors.next_statement(response, participant, rng=1)
        assert st.pk not in seen
        seen.add(st.pk)
        services.vote_cast(response=response, user=b.members[0], statement_id=st.pk, value=0)
        participant = services.participant_for(response, b.members[0], create=False)
    assert selectors.next_statement(response, participant) == (None, 0)
    # a new, unvoted statement gets a higher priority than heavily voted ones
    for user in b.members[1:]:
        for s in statements:
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=1)
    fresh = b.statement(response, "A brand new point.")
    response.refresh_from_db()  # the pool is keyed by the map revision the new statement moved
    picks = [selectors.next_statement(response, None, rng=seed)[0].pk for seed in range(40)]
    assert picks.count(fresh.pk) > 40 / len(statements + [fresh])


def test_perception_gap(boundary):
    b = boundary
    response = b.open_response(perception_step=True)
    s = b.statement(response, "Social workers read every letter.")
    services.statement_mark_key(statement=s, actor=b.coordinator, key=True)
    for i, user in enumerate(b.members):
        services.vote_cast(response=response, user=user, statement_id=s.pk, value=1 if i >= 8 else -1)
    for user in b.members[:5]:
        services.prediction_save(response=response, user=user, statement=s, target=b.sw, share=80)
    with pytest.raises(InvalidInput):
        services.prediction_save(response=response, user=b.members[0], statement=s, target=b.psy, share=50)
    with pytest.raises(InvalidInput):
        services.prediction_save(response=response, user=b.members[0], statement=s, target=b.sw, share=150)
    rows = selectors.perception_report(response)
    assert rows == [
        {
            "statement": s.text,
            "statement_id": s.pk,
            "predictor": "Psychiatry",
            "target": "Social Work",
            "predicted_pct": 80,
            "actual_pct": 40,
            "gap": 40,
            "n_predictions": 5,
            "actual_votes": 5,
            "note": "",
        }
    ]


def test_opinion_request_lifecycle(boundary, django_capture_on_commit_callbacks):
    b = boundary
    with pytest.raises(InvalidInput) as exc:
        services.opinion_request_submit(
            community=b.psy,
            requester_name="Ada",
            organisation="Health Board",
            contact="ada@board.example",
            question="What do you think?",
            deadline=date.today() - timedelta(days=1),
        )
    assert exc.value.field == "deadline"
    with django_capture_on_commit_callbacks(execute=True):
        req = services.opinion_request_submit(
            community=b.psy,
            requester_name="Ada",
            organisation="Health Board",
            contact="ada@board.example",
            question="What do you think of the new discharge rule?",
            deadline=date.today() + timedelta(days=40),
        )
    assert any(req.token in m.body for m in mail.outbox)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = services.opinion_request_accept(
            opinion_request=req, actor=b.coordinator, gathering_ends=now + timedelta(days=5)
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.ACCEPTED and response.kind == "request" and response.state == Phase.DRAFT
    with pytest.raises(Conflict):
        services.opinion_request_decline(opinion_request=req, actor=b.coordinator, reason="no")
    with pytest.raises(InvalidInput, match="deadline"):
        services.response_update(response=response, actor=b.coordinator, endorsement_ends=now + timedelta(days=90))


def test_decline_shows_reason(boundary):
    req = services.opinion_request_submit(
        community=boundary.psy,
        requester_name="Bo",
        organisation="Vendor",
        contact="bo@vendor.example",
        question="Will you endorse our product?",
        deadline=date.today() + timedelta(days=10),
    )
    services.opinion_request_decline(
        opinion_request=req, actor=boundary.coordinator, reason="We do not endorse products."
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.DECLINED and req.decline_reason == "We do not endorse products."


def test_reminders_are_sent_once_to_those_not_heard(boundary, settings):
    b = boundary
    settings.CONVENE_PHASE_REMINDER_HOURS = 48
    response = b.open_response()
    s = b.statement(response, "One statement.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    mail.outbox.clear()
    assert send_due_reminders(timezone.now()) == 0  # gathering ends in 7 days
    later = response.gathering_ends - timedelta(hours=10)
    sent = send_due_reminders(later)
    # coordinator wrote a statement, member 0 voted: the other 9 members are reminded
    assert sent == 9
    assert not any(b.members[0].email in m.to for m in mail.outbox)
    assert send_due_reminders(later) == 0


def test_hooks(boundary):
    b = boundary
    response = b.open_response()
    b.statement(response, "One statement.")
    items = selectors.home_items(b.members[0])
    assert any(i.kind == "Vote" for i in items)
    assert any(i.when == response.gathering_ends for i in selectors.upcoming(b.members[6]))
    assert selectors.contexts_for(b.sw) == [f"response:{response.pk}"]
    info = selectors.context_info(f"response:{response.pk}")
    assert set(info["community_ids"]) == {b.psy.pk, b.sw.pk}
    assert b.members[9].pk in info["invited_user_ids"] and b.guest.pk not in info["invited_user_ids"]
    assert selectors.context_info("session:1") is None
    assert selectors.context_info("response:abc") is None
