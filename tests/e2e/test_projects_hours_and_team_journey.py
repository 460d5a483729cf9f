"""Issue 18.15 and 18.16 in the browser: hours per month agree between the help-request list, the
request and the outcomes page; the case study offers "Publish" only when it can succeed and lists
the process as steps; the team page warns about uncovered skills and lets the coordinator add,
swap and remove a named person by hand. axe after every page, at desktop and at 390 px."""

from __future__ import annotations

import pytest

from convene.communities.models import Role
from convene.projects import services
from convene.projects.models import Project, TeamPlace

from ..factories import CommunityFactory, MembershipFactory, UserFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits(j) -> None:
    width = j.page.viewport_size["width"]
    assert j.page.evaluate("document.scrollingElement.scrollWidth") <= width, j.page.url


def _both_sizes(j, path: str) -> None:
    """The page at 390 px (fits, axe clean) and back at desktop size (axe clean)."""
    j.page.set_viewport_size(PHONE)
    j.go(path)
    _fits(j)
    j.page.set_viewport_size(DESKTOP)
    j.go(path)


def _member(community, email, name, **offer):
    user = UserFactory(email=email, name=name)
    MembershipFactory(community=community, user=user, role=Role.MEMBER)
    if offer:
        services.mentoring_offer_save(user=user, **offer)
    return user


@pytest.mark.django_db(transaction=True)
def test_hours_publish_steps_and_the_team_by_hand(journey):
    j = journey
    j.page.set_default_timeout(30_000)  # the first page of a process warms up; the machine is shared
    j.page.set_viewport_size(DESKTOP)
    ignite = CommunityFactory(slug="ignite", name="Ignite: Coding for Non-Coders")
    coordinator = UserFactory(email="lucia@example.com", name="Lucía Benítez")
    MembershipFactory(community=ignite, user=coordinator, role=Role.COORDINATOR)
    requester = UserFactory(email="grace@example.com", name="Grace Mensah")
    python = {"role": "mentor", "teaches": ["python"], "hours_per_month": 10, "max_projects": 2}
    ana = _member(ignite, "ana@example.com", "Ana Silva", **python)
    _member(ignite, "ben@example.com", "Ben Novak", **python)
    mentees = [
        _member(ignite, f"mentee{i}@example.com", name, role="mentee", wants=["python"], hours_per_month=8)
        for i, name in enumerate(["Dara Kowalski", "Elif Nguyen", "Femi Adeyemi"])
    ]

    # 15. a request of 960 minutes, 4.3 times a month: 69 hours, on the list and the request alike
    j.login(requester)
    j.go("/c/ignite/help/")
    j.page.fill("#id_title", "Monthly bed audit")
    j.page.fill("#id_team_name", "Patient flow operations")
    j.page.fill("#id_process", "1. Export the six ward spreadsheets. 2. Copy the counts by hand. 3. Email the board.")
    j.page.fill("#id_minutes_per_run", "960")
    j.page.fill("#id_runs_per_month", "4.3")
    j.page.fill("#id_done_looks_like", "The audit builds itself.")
    j.page.fill("#id_contact", "Grace Mensah, flow@example.com")
    j.submit("Send the request")
    j.expect_text("Your request was sent")

    j.login(coordinator)
    _both_sizes(j, "/c/ignite/help-requests/")
    row = j.page.get_by_role("row", name="Monthly bed audit")
    assert row.get_by_role("cell", name="69", exact=True).count() == 1
    assert row.get_by_role("cell", name="64", exact=True).count() == 0
    j.click(j.page.get_by_role("link", name="Monthly bed audit"))
    j.expect_text("69")
    # the process reads as steps, one a line
    steps = j.page.locator("ol.steps li")
    assert steps.all_inner_texts() == [
        "Export the six ward spreadsheets.",
        "Copy the counts by hand.",
        "Email the board.",
    ]

    j.page.get_by_label("Accept as a project").check()
    j.submit("Record decision")
    j.expect_text("Accepted")
    project = Project.objects.get(title="Monthly bed audit")
    _both_sizes(j, f"/projects/{project.pk}/outcomes/")
    before = j.page.get_by_role("row", name="Before")
    assert before.get_by_role("cell", name="69", exact=True).count() == 1

    # the case study: no "Publish" before the project is delivered, and the steps on their own lines
    _both_sizes(j, f"/projects/{project.pk}/case-study/")
    assert j.page.get_by_role("button", name="Publish to all communities").count() == 0
    j.expect_text("once the project is delivered")
    assert j.page.locator("ol.steps li").count() == 3

    # 16. staffing with a skill nobody on the team teaches: a warning, then a mentor added by hand
    services.project_update(
        project=project,
        actor=coordinator,
        required_skills=["python", "sql"],
        learning_skills=["python"],
        mentors_wanted=1,
        mentees_wanted=2,
    )
    services.project_transition(project=project, actor=coordinator, to="staffing")
    _both_sizes(j, f"/projects/{project.pk}/team/")
    j.submit("Propose a team")
    j.expect_text("No mentor on this team teaches sql.")
    sol = _member(ignite, "sol@example.com", "Sol Reyes", role="mentor", teaches=["sql"], hours_per_month=4)
    sol.profile.discipline, sol.profile.organisation = "Data analyst", "North Trust"
    sol.profile.save()
    _both_sizes(j, f"/projects/{project.pk}/team/")
    j.page.locator("#add_user").select_option(label="Sol Reyes (Data analyst, North Trust)")
    j.page.locator("#add_role").select_option("mentor")
    j.submit("Add to the team")
    j.expect_text("Sol Reyes")
    assert j.page.locator("#uncovered-skills").count() == 0  # sql is covered now
    assert TeamPlace.objects.get(project=project, user=sol).status == "proposed"

    # swap a proposed mentee for the one left out, then remove a mentor
    placed = TeamPlace.objects.filter(project=project, role="mentee").order_by("id").first()
    left_out = next(m for m in mentees if not TeamPlace.objects.filter(project=project, user=m).exists())
    j.page.get_by_label(f"Person who takes the place of {placed.user.display_name}").select_option(
        label=left_out.display_name
    )
    j.click(j.page.get_by_role("button", name=f"Swap {placed.user.display_name}", exact=True))
    j.expect_text(left_out.display_name)
    assert not TeamPlace.objects.filter(project=project, user=placed.user, status__in=["proposed", "published"])
    assert TeamPlace.objects.get(project=project, user=left_out).role == "mentee"

    mentor = TeamPlace.objects.filter(project=project, role="mentor").exclude(user=sol).first()
    j.page.once("dialog", lambda dialog: dialog.accept())
    j.click(j.page.get_by_role("button", name=f"Remove {mentor.user.display_name}"))
    assert not TeamPlace.objects.filter(project=project, user=mentor.user, status__in=["proposed", "published"])
    j.page.set_viewport_size(PHONE)
    j.go(f"/projects/{project.pk}/team/")
    _fits(j)
    assert ana.pk  # the pool had two python mentors; one was matched and then removed by hand
