"""Projects' events that concern someone leave them a notification, and coordinators write to a
team (issue 19.2 and 19.4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convene.communities.models import AuditEntry
from convene.core.errors import InvalidInput
from convene.notifications.models import Notification
from convene.projects import services
from convene.projects.models import PlaceStatus, TeamPlace


def rows(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters).select_related("recipient")


def emails(kind):
    return sorted(n.recipient.email for n in rows(kind))


def test_help_request_question_is_a_triage_notice_to_the_requester(lab):
    request = lab.request()
    services.help_request_ask(help_request=request, actor=lab.coordinator, question="How many wards?")
    note = rows("help.triaged").get()
    assert note.recipient == lab.requester and "“Weekly bed-state report”" in note.text
    assert note.url == reverse("projects:request_detail", args=[request.pk])


def test_help_request_declined_is_an_answer_to_the_requester(lab):
    services.help_request_decline(help_request=lab.request(), actor=lab.coordinator, reason="Out of scope")
    note = rows("help.answered").get()
    assert note.recipient == lab.requester and "it is declined" in note.text


def test_help_request_accepted_links_the_requester_to_the_project(lab):
    request = lab.request()
    project = services.help_request_accept(help_request=request, actor=lab.coordinator)
    note = rows("help.accepted").get()
    assert note.recipient == lab.requester and "is accepted: it is now a project of Ignite Lab" in note.text
    assert note.url == reverse("projects:detail", args=[project.pk]) and note.obj == request


def test_proposed_team_members_are_told_once(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    proposed = set(project.places.filter(status=PlaceStatus.PROPOSED).values_list("user_id", flat=True))
    assert {n.recipient_id for n in rows("team.proposed")} == proposed and len(proposed) == 6
    services.team_match(project=project, actor=lab.coordinator)  # proposing again: the same people
    assert rows("team.proposed").count() == 6
    assert all("you can still decline the place" in n.text for n in rows("team.proposed"))


def test_publishing_tells_each_member_their_role(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    notes = rows("team.published")
    places = {p.user_id: p for p in project.places.filter(status=PlaceStatus.PUBLISHED)}
    assert {n.recipient_id for n in notes} == set(places) and len(places) == 6
    for note in notes:
        place = places[note.recipient_id]
        role = "its lead" if place.is_lead else f"a {place.get_role_display().lower()}"
        assert note.text.startswith("The team of “Weekly bed-state report” is published")
        assert f"you are on it as {role}." in note.text
        assert note.url == reverse("projects:detail", args=[project.pk])


def test_declining_tells_the_coordinators_and_the_person_rematched(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    place = TeamPlace.objects.filter(project=project, role="mentor", status=PlaceStatus.PROPOSED).first()
    newcomer = services.place_decline(place=place, user=place.user)
    declined = rows("team.declined").get()
    assert declined.recipient == lab.coordinator
    assert f"{place.user.display_name} declined their place as mentor" in declined.text
    rematched = rows("team.rematched").get()
    assert rematched.recipient_id == newcomer.user_id and "A place opened on the team" in rematched.text


def test_coordinator_changes_by_hand_tell_who_is_in_and_who_is_out(lab):
    project = lab.staffed_project(mentors_wanted=1, mentees_wanted=1)
    services.team_match(project=project, actor=lab.coordinator)
    place = project.places.filter(role="mentee").first()
    others = [m for m in lab.mentees if m.pk != place.user_id]
    Notification.objects.all().delete()
    newcomer = services.place_swap(project=project, actor=lab.coordinator, place_id=place.pk, user=others[0])
    assert [n.recipient_id for n in rows("team.rematched")] == [place.user_id]
    assert [n.recipient_id for n in rows("team.proposed")] == [newcomer.user_id]
    services.place_add(project=project, actor=lab.coordinator, user=others[1], role="mentee")
    services.place_remove(project=project, actor=lab.coordinator, place_id=newcomer.pk)
    assert emails("team.proposed") == sorted([others[0].email, others[1].email])
    assert emails("team.rematched") == sorted([place.user.email, others[0].email])


def test_case_study_consent_tells_the_coordinators(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    mentee = project.places.filter(role="mentee").first().user
    services.case_study_consent_set(project=project, user=mentee, consent=True)
    services.case_study_consent_set(project=project, user=mentee, consent=False)
    first, second = rows("project.consent").order_by("pk")
    assert first.recipient == lab.coordinator == second.recipient
    assert first.text == (
        f"{mentee.display_name} agreed that the case study of “Weekly bed-state report” may show their skill "
        "ratings by name."
    )
    assert "does not want the case study" in second.text


def test_coordinator_writes_to_the_published_team(lab, django_capture_on_commit_callbacks):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    assert services.project_message_send(project=project, actor=lab.coordinator, text="Welcome!") == 0  # proposed
    services.team_publish(project=project, actor=lab.coordinator)
    assert services.project_message_send(project=project, actor=lab.coordinator, text="Kick-off Monday.") == 6
    notes = rows("project.message")
    assert {n.text for n in notes} == {
        "Lab Coordinator wrote to the team of “Weekly bed-state report”: Kick-off Monday."
    }
    assert all("@" not in n.text for n in notes)
    entries = AuditEntry.objects.filter(action="message_sent", subject=f"project:{project.pk}").order_by("pk")
    assert [e.detail for e in entries] == [
        {"audience": "team", "recipients": 0},
        {"audience": "team", "recipients": 6},
    ]
    with pytest.raises(InvalidInput):
        services.project_message_send(project=project, actor=lab.coordinator, text="Hi", audience="everyone")


def test_a_new_help_request_reaches_the_coordinators(lab):
    request = lab.request()
    note = rows("help.requested").get()
    assert note.recipient == lab.coordinator and "“Weekly bed-state report”" in note.text
    assert note.url == reverse("projects:request_detail", args=[request.pk])
    assert not rows("help.requested", recipient=lab.requester).exists()
