"""A coordinator convenes a boundary engagement between two communities:
create → invite → RSVP → room preview → check in → speaking turn → breakout groups → outcome and follow-up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.convening import services
from convene.convening.models import BreakoutGroup, FollowUp, Outcome, Session, SessionInvitation


@pytest.mark.django_db(transaction=True)
def test_boundary_engagement_journey(journey, two_communities):
    j = journey
    psychiatry, social = two_communities.psychiatry, two_communities.social
    two_communities.person("amara@example.com", "Amara Okafor", psychiatry, Role.COORDINATOR, "Psychiatrist", "senior")
    tomas = two_communities.person("tomas@example.com", "Tomás Reyes", social, Role.MEMBER, "Social worker")
    others = [
        two_communities.person(
            "ben@example.com", "Ben Silva", psychiatry, discipline="Psychiatric nurse", seniority="early"
        ),
        two_communities.person(
            "chen@example.com", "Chen Haddad", social, discipline="Support coordinator", seniority="senior"
        ),
        two_communities.person("dara@example.com", "Dara Novak", psychiatry, discipline="Pharmacist", seniority="mid"),
    ]

    # 1. the coordinator plans a boundary engagement with social work
    j.log_in_with_form("amara@example.com")
    j.go("/c/psychiatry/sessions/new/")
    j.page.get_by_label("Title").fill("Referrals between psychiatry and social work")
    j.page.get_by_label("Activity").select_option(label="Boundary engagement")
    j.page.get_by_label("Social Work Circle").check()
    j.page.get_by_label("Boundary concern").fill("Referrals bounce between the ward and the community team.")
    start = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    j.page.get_by_label("Starts at (local time)").fill(start)
    j.page.get_by_label("Time zone").select_option("America/Argentina/Buenos_Aires")
    j.page.get_by_label("Capacity").fill("12")
    j.submit("Create session")
    j.expect_text("Session created as a draft")
    session = Session.objects.get()
    assert session.time_zone == "America/Argentina/Buenos_Aires"
    assert session.local_start.strftime("%H:%M") == "10:00"

    # 2. invite both communities
    for name in ("Social Work Circle", "Acute Psychiatry"):
        j.page.get_by_label("Community", exact=True).select_option(label=name)
        j.submit("Add to the list")
        j.expect_text("invited")
    assert SessionInvitation.objects.filter(session=session).count() == 5

    # 3. the room preview before sending
    j.click(j.page.get_by_role("link", name="Room preview"))
    j.expect_text("Invited (5)")
    j.expect_text("Social Work Circle")
    j.click(j.page.get_by_role("link", name="Overview"))
    j.submit("Send invitations")
    j.expect_text("Invitations sent")

    # 4. a social worker answers, with an access need only the coordinator sees
    j.log_in_with_form("tomas@example.com")
    j.go(f"/sessions/{session.pk}/rsvp/")
    j.page.get_by_label("Yes, I will come").check()
    j.page.get_by_label("Access or care needs (optional)").fill("I use a wheelchair.")
    j.submit("Send my answer")
    j.expect_text("Thank you")
    for person in others:
        services.rsvp_set(session=session, user=person, answer="yes")

    # 5. the coordinator sees the accepted room, starts the session and checks people in
    j.log_in_with_form("amara@example.com")
    j.go(f"/sessions/{session.pk}/preview/")
    j.expect_text("Accepted (4)")
    j.go(f"/sessions/{session.pk}/")
    j.submit("Start the session")
    j.expect_text("Self check-in code")
    j.click(j.page.get_by_role("link", name="Attendance"))
    j.expect_text("I use a wheelchair.")
    j.submit("Check in Tomás Reyes")
    j.expect_text("Tomás Reyes is checked in")
    for person in others:
        j.submit(f"Check in {person.display_name}")
    # the speaking queue: one tap gives the floor (htmx swaps the panel in place)
    j.click(j.page.get_by_role("link", name="Speaking queue"))
    j.page.get_by_role("button", name="Tomás Reyes").click()
    j.page.get_by_text("Speaking now").wait_for()
    j.check()
    j.expect_text("Not heard yet (3)")

    # 6. breakout groups that mix the two communities
    j.click(j.page.get_by_role("link", name="Breakout groups"))
    j.page.get_by_label("Number of groups").fill("2")
    j.submit("Form groups")
    j.expect_text("2 breakout groups formed")
    assert BreakoutGroup.objects.filter(session=session).count() == 2
    j.page.locator("#id_user").select_option(value=str(tomas.pk))  # labelled "Tomás Reyes (Social Work…)"
    j.page.get_by_label("Move to group").select_option(label="Group 1")
    j.submit("Preview the change")
    j.expect_text("Moving would change the diversity score")

    # 7. record an outcome and a follow-up action
    j.click(j.page.get_by_role("link", name="Notes and outcomes"))
    j.page.get_by_role("textbox", name="Outcome").fill("Draft shared referral guidelines for discharge.")
    j.submit("Record outcome")
    j.expect_text("Outcome recorded")
    j.page.get_by_role("textbox", name="Action").fill("Write the first draft of the guidelines")
    j.page.get_by_role("combobox", name="Owner").select_option(value=str(tomas.pk))  # namesakes told apart
    j.page.get_by_label("Due date").fill((timezone.now() + timedelta(days=30)).strftime("%Y-%m-%d"))
    j.submit("Add follow-up action")
    j.expect_text("Follow-up action added")
    assert Outcome.objects.filter(session=session).count() == 1
    assert FollowUp.objects.get(session=session).owner == tomas

    # 8. the owner sees the action and their group
    j.log_in_with_form("tomas@example.com")
    j.expect_text("Write the first draft of the guidelines")
    j.go(f"/sessions/{session.pk}/groups/")
    j.expect_text("Your group")
    assert len(j.checked) >= 20
