"""A team from publication to each member's notification (issue 19): the coordinator publishes the
matched team in the browser; every member has one notification that names their role and links to
the project, where the page confirms their place, and one e-mail, which reaches a real SMTP server
(aiosmtpd, started by the test) only once the task worker has run, never during the coordinator's
request; its unsubscribe link works in a fresh browser that never logged in; a member who steps back
is reported to the coordinator; the coordinator writes to the team and each member reads it.
axe-core runs on every page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from convene.communities.models import Role
from convene.notifications.models import Notification, Preference
from convene.projects import services
from convene.projects.models import PlaceStatus, TeamPlace

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..notifications import smtp
from .conftest import Journey

smtp_server = smtp.smtp_server  # a real SMTP server for this test (fixture)
# The production arrangement: tasks are rows in the database, run by the worker (`convene worker`).
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_worker() -> None:
    """The worker's turn: run every waiting task, then stop (django-tasks-db's db_worker --batch)."""
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def _staffed_project():
    lab = CommunityFactory(slug="lab", name="Data Lab")
    coordinator = UserFactory(email="rosa@example.com", name="Rosa Quintero")
    MembershipFactory(community=lab, user=coordinator, role=Role.COORDINATOR)
    requester = UserFactory(email="flow@example.com", name="Flo Wright")
    for i, name in enumerate(["Amara Osei", "Bruno Keller", "Chloé Martin"]):
        user = UserFactory(email=f"mentor{i}@example.com", name=name)
        MembershipFactory(community=lab, user=user)
        services.mentoring_offer_save(user=user, role="mentor", teaches=["python"], hours_per_month=10, max_projects=2)
    for i, name in enumerate(["Dev Patel", "Eun-ji Park", "Farah Aziz", "Goran Ilić", "Hana Sato"]):
        user = UserFactory(email=f"mentee{i}@example.com", name=name)
        MembershipFactory(community=lab, user=user)
        services.mentoring_offer_save(user=user, role="mentee", wants=["python"], hours_per_month=8)
    request = services.help_request_submit(
        community=lab,
        requester=requester,
        title="Clinic wait-time dashboard",
        team_name="Outpatients",
        process="Copy the waits from three systems into a spreadsheet every Monday.",
        minutes_per_run=180,
        runs_per_month=4,
        done_looks_like="The dashboard refreshes itself.",
        contact="Flo, flow@example.com",
    )
    project = services.help_request_accept(help_request=request, actor=coordinator)
    services.project_update(project=project, actor=coordinator, required_skills=["python"], learning_skills=["python"])
    project = services.project_transition(project=project, actor=coordinator, to="staffing")
    services.team_match(project=project, actor=coordinator)
    return project, coordinator


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_team_publication_reaches_every_member(journey, browser, smtp_server):
    j = journey
    project, coordinator = _staffed_project()
    proposed = list(TeamPlace.objects.filter(project=project, status=PlaceStatus.PROPOSED).select_related("user"))
    assert len(proposed) == 6
    assert Notification.objects.filter(kind="team.proposed").count() == 6  # told they were proposed
    _run_worker()  # the mails so far: the requester's "accepted", the "you are proposed" ones
    assert {p.user.email for p in proposed} <= {m["To"] for m in smtp_server.messages}
    smtp_server.messages.clear()

    # 1. the coordinator publishes the team in the browser
    j.login(coordinator)
    j.go(f"/projects/{project.pk}/team/")
    j.submit("Publish the team (6 proposed)")
    j.expect_text("The team is published")

    # 2. every member has exactly one notification of it, naming their role, linking to the project
    published = Notification.objects.filter(kind="team.published")
    assert sorted(n.recipient_id for n in published) == sorted(p.user_id for p in proposed)
    assert not published.filter(recipient=coordinator).exists()
    for place in proposed:
        place.refresh_from_db()
        note = published.get(recipient=place.user)
        role = "its lead" if place.is_lead else f"a {place.get_role_display().lower()}"
        assert f"you are on it as {role}" in note.text and note.unread
        j.login(place.user)
        j.go(note.url)  # where the notification leads: the project, with the member's place
        j.expect_text("Clinic wait-time dashboard")
        j.expect_text(f"You are on the team as {place.get_role_display().lower()}")

    # 2b. each member's e-mail: nothing reached the server in the coordinator's request; after the
    # worker ran, one message each, with the one-click unsubscribe link
    assert smtp_server.messages == []
    _run_worker()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(p.user.email for p in proposed)
    for place in proposed:
        [message] = smtp_server.to(place.user.email)
        assert "Clinic wait-time dashboard" in message["Subject"]
        assert f"/projects/{project.pk}/" in message.get_body(("plain",)).get_content()
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    first = proposed[0]
    link = smtp_server.to(first.user.email)[0]["List-Unsubscribe"].strip().strip("<>")
    fresh = browser.new_context()  # nobody has logged in here
    try:
        page = fresh.new_page()
        page.set_default_timeout(10_000)
        stranger = Journey(page, j.base_url)
        stranger.go("/" + link.split("://", 1)[1].split("/", 1)[1])
        stranger.expect_text("Stop e-mail for “Published teams”?")
        stranger.submit("Unsubscribe")
        stranger.expect_text("you will no longer get e-mail for “Published teams”")
    finally:
        fresh.close()
    assert Preference.objects.get(user=first.user, kind="team.published").delivery == "never"

    # 3. a mentee steps back: the coordinator hears of it, the next person is proposed and told
    leaving = next(p for p in proposed if p.role == "mentee")
    j.login(leaving.user)
    j.go(f"/projects/{project.pk}/")
    j.submit("Decline this place")
    j.expect_text("You declined the place")
    declined = Notification.objects.get(kind="team.declined")
    assert declined.recipient == coordinator and leaving.user.display_name in declined.text
    newcomer = TeamPlace.objects.get(project=project, status=PlaceStatus.PROPOSED)
    assert Notification.objects.filter(kind="team.rematched", recipient=newcomer.user).exists()

    # 4. the coordinator writes to the team; each member on it gets the message, never an address
    j.login(coordinator)
    j.go(f"/projects/{project.pk}/")
    j.click(j.page.get_by_role("link", name="Message the team"))
    j.page.get_by_role("textbox", name="Message").fill("Kick-off on Monday at 10, room 3.")
    j.submit("Send the message")
    j.expect_text("Message sent to 5 people.")
    messages = Notification.objects.filter(kind="project.message")
    team = set(TeamPlace.objects.filter(project=project, status=PlaceStatus.PUBLISHED).values_list("user", flat=True))
    assert {n.recipient_id for n in messages} == team and len(team) == 5
    assert {n.text for n in messages} == {
        "Rosa Quintero wrote to the team of “Clinic wait-time dashboard”: Kick-off on Monday at 10, room 3."
    }
    reader = messages.first().recipient
    j.login(reader)
    j.go(messages.first().url)
    j.expect_text("Clinic wait-time dashboard")
