"""Deliberation's events that concern someone leave them a notification (issue 19.2), and an
anonymous response's notifications never name anyone who took part."""

from __future__ import annotations

from datetime import date, timedelta

from django.core import mail
from django.urls import reverse

from convene.communities.models import Membership, Role
from convene.deliberation import services
from convene.deliberation.models import MinorityView, Phase
from convene.deliberation.reminders import send_due_reminders
from convene.notifications.models import Notification

from ...factories import UserFactory
from ...worlds import gathering_from_request
from ..conftest import vote_pattern


def rows(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters).select_related("recipient")


def taking_part(b):
    return {b.coordinator.pk, *(m.pk for m in b.members)}


def test_phase_change_notifies_the_members_of_every_invited_community(boundary):
    b = boundary
    response = b.open_response()  # the coordinator opened gathering
    notes = rows("response.phase")
    assert {n.recipient_id for n in notes} == {m.pk for m in b.members}  # not the guest, not the actor
    assert {n.text for n in notes} == {
        "The joint response “New discharge policy” is now gathering views: add yours and vote on your "
        "colleagues' statements."
    }
    assert {n.url for n in notes} == {reverse("deliberation:detail", args=[response.pk])}
    services.response_transition(response=response, actor=b.coordinator, to=Phase.WITHDRAWN)
    assert rows("response.phase").filter(text__endswith="is now withdrawn.").count() == 10


def test_minority_views_seeded_or_added_await_an_answer(boundary):
    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"Statement {i}", by=b.members[i]) for i in range(4)]
    for s in statements:
        services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    vote_pattern(response, b, statements)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    seeded = MinorityView.objects.filter(response=response).count()
    assert rows("response.minority").count() == (10 if seeded else 0)
    Notification.objects.filter(kind="response.minority").delete()
    services.minority_view_add(response=response, actor=b.coordinator, text="Keep the old rule", held_by="Some")
    notes = rows("response.minority")
    assert {n.recipient_id for n in notes} == {m.pk for m in b.members}
    assert {n.text for n in notes} == {
        "A minority view on the joint response “New discharge policy” awaits an answer in the draft."
    }
    assert {n.url for n in notes} == {reverse("deliberation:draft", args=[response.pk])}


def test_approaching_deadline_notifies_those_not_heard_yet(boundary, settings):
    b = boundary
    settings.CONVENE_PHASE_REMINDER_HOURS = 48
    response = b.open_response()
    statement = b.statement(response, "One statement.")
    services.vote_cast(response=response, user=b.members[0], statement_id=statement.pk, value=1)
    mail.outbox.clear()
    later = response.gathering_ends - timedelta(hours=10)
    assert send_due_reminders(later) == 9
    assert send_due_reminders(later) == 0
    notes = rows("response.deadline")
    assert {n.recipient_id for n in notes} == {m.pk for m in b.members[1:]}
    assert all(n.mailed_at for n in notes)  # the reminder mail carries the same news
    assert all("There is still time" not in n.text and "there is still time to add your view" in n.text for n in notes)


def test_replaced_tracking_link_notifies_the_other_coordinators(boundary):
    b = boundary
    other = UserFactory(email="second@example.com", name="Sid Second")
    Membership.objects.create(community=b.psy, user=other, role=Role.COORDINATOR)
    request = services.opinion_request_submit(
        community=b.psy,
        requester_name="Ada Requester",
        organisation="Health Board",
        contact="ada@board.example",
        question="What do you think?",
        deadline=date.today() + timedelta(days=60),
    )
    services.opinion_request_relink(opinion_request=request, actor=b.coordinator)
    note = rows("request.relinked").get()
    assert note.recipient == other and "request for opinion from Health Board was replaced" in note.text
    assert "ada@board.example" not in note.text and request.token not in note.text


def _anonymous_life_cycle(b):
    """An anonymous response from a request for opinion to delivery, with every notified event."""
    request, response, statements = gathering_from_request(b)
    vote_pattern(response, b, statements)
    send_due_reminders(response.gathering_ends - timedelta(hours=2))
    services.opinion_request_relink(opinion_request=request, actor=b.coordinator)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    services.draft_save(
        response=response, user=b.members[1], text="First.\n\nSecond.", base_version=response.draft_version
    )
    response.refresh_from_db()
    services.comment_add(
        response=response, user=b.members[2], paragraph=services.paragraph_key("First."), text="Needs work"
    )
    view = services.minority_view_add(response=response, actor=b.members[3], text="Keep the old rule", held_by="Us")
    services.minority_view_answer(view=view, user=b.members[4], answer="Heard")
    send_due_reminders(response.drafting_ends - timedelta(hours=2))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    services.endorsement_cast(response=response, user=b.members[6], stance="endorse", reason="Fine by us")
    services.endorsement_cast(response=response, user=b.members[7], stance="object", reason="We object")
    send_due_reminders(response.endorsement_ends - timedelta(hours=2))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DELIVERED)
    return response


def test_anonymous_response_notifications_never_name_anyone(boundary):
    b = boundary
    second = UserFactory(email="second@example.com", name="Sid Second")
    Membership.objects.create(community=b.psy, user=second, role=Role.COORDINATOR)
    _anonymous_life_cycle(b)
    notes = list(Notification.objects.all())
    kinds = {n.kind for n in notes}
    assert {"response.phase", "response.minority", "response.deadline", "request.relinked"} <= kinds
    people = [*b.members, b.coordinator, second, b.guest, b.outsider]
    identities = [p.profile.display_name for p in people] + [p.email for p in people]
    identities += ["Ada Requester", "ada@board.example"]
    leaks = [(n.kind, who) for n in notes for who in identities if who in n.text or who in n.url]
    assert leaks == []
    assert {n.url.split("/")[1] for n in notes} <= {"responses", "c"}  # links to the response or the requests


def test_a_new_request_for_opinion_reaches_each_coordinator_in_their_language(
    boundary, django_capture_on_commit_callbacks
):
    b = boundary
    other = UserFactory(email="second@example.com", name="Sid Second")
    other.profile.language = "zh-hans"
    other.profile.save(update_fields=["language"])
    Membership.objects.create(community=b.psy, user=other, role=Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.opinion_request_submit(
            community=b.psy,
            requester_name="Ada Requester",
            organisation="Health Board",
            contact="ada@board.example",
            question="What do you think of the new discharge rules?",
            deadline=date.today() + timedelta(days=60),
        )
    notes = {n.recipient: n for n in rows("request.received")}
    assert set(notes) == {b.coordinator, other}
    assert "Health Board asks" in notes[b.coordinator].text and "征询意见" in notes[other].text
    assert all(n.mailed_at for n in notes.values())  # the app's own mail carries the news
    assert all("ada@board.example" not in n.text for n in notes.values())
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "New request for opinion from Health Board" in subjects[b.coordinator.email]
    assert "来自Health Board的新意见征询" in subjects[other.email]
