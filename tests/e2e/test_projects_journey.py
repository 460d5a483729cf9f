"""A help request becomes a mentored project: matched, published, one mentee declines and is replaced,
milestones done, outcomes recorded, the case study published. axe-core runs on every page."""

from __future__ import annotations

import pytest

from convene.communities.models import OpportunityEntry, Role
from convene.projects import services
from convene.projects.models import Project, TeamPlace

from ..factories import CommunityFactory, MembershipFactory, UserFactory


def _people():
    ignite = CommunityFactory(slug="ignite", name="Ignite: Coding for Non-Coders")
    coordinator = UserFactory(email="lucia@example.com", name="Lucía Benítez")
    MembershipFactory(community=ignite, user=coordinator, role=Role.COORDINATOR)
    requester = UserFactory(email="grace@example.com", name="Grace Mensah")  # not a member of Ignite
    mentors, mentees = [], []
    for i, name in enumerate(["Ana Silva", "Ben Novak", "Chen Haddad"]):
        user = UserFactory(email=f"mentor{i}@example.com", name=name)
        MembershipFactory(community=ignite, user=user)
        services.mentoring_offer_save(
            user=user, role="mentor", teaches=["python", "pandas"], hours_per_month=10, max_projects=2
        )
        mentors.append(user)
    for i, name in enumerate(["Dara Kowalski", "Elif Nguyen", "Femi Adeyemi", "Gita Larsen", "Hugo Moreau"]):
        user = UserFactory(email=f"mentee{i}@example.com", name=name)
        MembershipFactory(community=ignite, user=user)
        services.mentoring_offer_save(user=user, role="mentee", wants=["python"], hours_per_month=8)
        mentees.append(user)
    return ignite, coordinator, requester, mentors, mentees


@pytest.mark.django_db(transaction=True)
def test_help_request_to_published_case_study(journey):
    j = journey
    ignite, coordinator, requester, mentors, mentees = _people()

    # 1. a team outside the community asks for help; an impossible time is explained, nothing typed is lost
    j.login(requester)
    j.go("/c/ignite/help/")
    j.page.fill("#id_title", "Weekly bed-state report")
    j.page.fill("#id_team_name", "Patient flow operations")
    j.page.fill("#id_process", "Export six ward spreadsheets, copy the counts by hand, reconcile, email the board.")
    j.page.fill("#id_minutes_per_run", "-300")
    j.page.fill("#id_runs_per_month", "4")
    j.page.fill("#id_done_looks_like", "The report builds itself from the exports in minutes.")
    j.page.fill("#id_contact", "Grace Mensah, flow@example.com")
    j.submit("Send the request")
    j.expect_text("cannot be negative")
    assert j.page.input_value("#id_process").startswith("Export six ward spreadsheets")
    j.page.fill("#id_minutes_per_run", "300")
    j.submit("Send the request")
    j.expect_text("Your request was sent")

    # 2. the coordinator accepts it as a project and sets the skills
    j.login(coordinator)
    j.go("/")
    j.click(j.page.get_by_role("link", name="Help request “Weekly bed-state report” for Ignite: Coding for Non-Coders"))
    j.page.get_by_label("Accept as a project").check()
    j.submit("Record decision")
    j.expect_text("Accepted")
    j.page.fill("#id_required_skills", "python, pandas")
    j.page.fill("#id_learning_skills", "python, pandas")
    j.submit("Save project")
    j.submit("Move to staffing")
    j.expect_text("now staffing")

    # 3. matching proposes 2 mentors and 4 mentees with explanations; the coordinator publishes
    j.click(j.page.get_by_role("link", name="Team matching", exact=True))
    j.submit("Propose a team")
    j.expect_text("6 places proposed")
    j.expect_text("opportunities in the last 12 months")
    j.submit("Publish the team (6 proposed)")
    j.expect_text("The team is published")
    project = Project.objects.get(title="Weekly bed-state report")
    assert OpportunityEntry.objects.filter(source=f"project:{project.pk}").count() == 7  # + the project lead

    # 4. one mentee declines; the place goes to someone else, nobody else moves
    leaving = TeamPlace.objects.filter(project=project, role="mentee").order_by("id").first()
    before = set(TeamPlace.objects.filter(project=project, status="published").values_list("user_id", flat=True))
    j.login(leaving.user)
    j.go(f"/projects/{project.pk}/")
    j.submit("Decline this place")
    j.expect_text("You declined the place")
    newcomer = TeamPlace.objects.get(project=project, status="proposed")
    assert newcomer.role == "mentee" and newcomer.user_id not in before
    still = set(TeamPlace.objects.filter(project=project, status="published").values_list("user_id", flat=True))
    assert still == before - {leaving.user_id}

    j.login(coordinator)
    j.go(f"/projects/{project.pk}/team/")
    j.expect_text("declined")
    j.submit("Publish the team (1 proposed)")
    j.go(f"/projects/{project.pk}/")
    j.submit("Move to active")
    j.expect_text("now active")

    # 5. milestones with owners, completed. The owner is a published mentor: which of the equally
    # good mentors the matching picked is not this journey's concern.
    owner = (
        TeamPlace.objects.filter(project=project, status="published", role="mentor")
        .select_related("user__profile")
        .order_by("user_id")
        .first()
        .user
    )
    for title in ("Prototype the report", "Hand over to the flow team"):
        j.page.get_by_text("Add a milestone").click()
        j.page.fill("#id_title", title)
        j.page.get_by_label("Owner").select_option(label=owner.display_name)
        j.page.fill("#id_due", "2026-03-01")
        j.submit("Add milestone")
        j.expect_text(f"Milestone “{title}” added")
    j.login(owner)
    j.go(f"/projects/{project.pk}/")
    for title in ("Prototype the report", "Hand over to the flow team"):
        j.page.get_by_label(f"Status of {title}").select_option("done")
        j.submit(f"Update “{title}”")
        j.expect_text(f"“{title}” updated")
    j.login(coordinator)
    j.go(f"/projects/{project.pk}/")
    j.submit("Move to delivered")

    # 6. outcomes: a negative time is refused and kept; then the real figures
    j.click(j.page.get_by_role("link", name="Outcomes", exact=True))
    j.page.fill("#id_after_minutes_per_run", "-8")
    j.page.fill("#id_after_runs_per_month", "4")
    j.submit("Save measures")
    j.expect_text("cannot be negative")
    j.page.fill("#id_after_minutes_per_run", "8")
    j.submit("Save measures")
    j.expect_text("hours saved per year")

    j.login(newcomer.user)
    j.go(f"/projects/{project.pk}/outcomes/")
    j.page.select_option("#id_before_0", "1")
    j.page.select_option("#id_after_0", "4")
    j.submit("Save my skills")
    j.expect_text("Saved.")
    lead = TeamPlace.objects.get(project=project, is_lead=True)
    j.login(lead.user)
    j.go(f"/projects/{project.pk}/outcomes/")
    j.page.fill("#id_reflection", "My first time leading developers: weekly demos with the flow team kept us honest.")
    j.submit("Save my reflection")
    j.login(requester)
    j.go(f"/projects/{project.pk}/outcomes/")
    j.page.check("#id_score_4")
    j.page.fill("#id_comment", "Four hours of copying became eight minutes.")
    j.submit("Save satisfaction")
    j.expect_text("5 out of 5")

    # 7. evaluated, case study published and readable by anyone logged in
    j.login(coordinator)
    j.go(f"/projects/{project.pk}/")
    j.submit("Move to evaluated")
    j.click(j.page.get_by_role("link", name="Case study", exact=True))
    j.submit("Publish to all communities")
    j.expect_text("published to every community")
    stranger = UserFactory(email="nurse@example.com", name="Priya Raman")
    j.login(stranger)
    j.go("/case-studies/")
    j.click(j.page.get_by_role("link", name="Weekly bed-state report"))
    j.expect_text("hours saved per year")
    j.expect_text("My first time leading developers")
    assert len(j.checked) >= 25
