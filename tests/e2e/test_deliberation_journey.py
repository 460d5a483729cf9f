"""A request for opinion from outside to a delivered joint response, across two communities."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.deliberation import services
from convene.deliberation.models import JointResponse, OpinionRequest, Phase, Stance, Statement

from ..factories import CommunityFactory, MembershipFactory, UserFactory

VIEWS = [
    "Patients should get a copy of their discharge letter.",
    "Twenty-four hours is enough to write a safe letter.",
    "The community team needs a phone call, not only a letter.",
    "Weekend discharges should wait until Monday.",
    "A shared template would help both services.",
    "The new rule adds paperwork without making anyone safer.",
]


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_request_for_opinion_to_delivered_response(journey):
    j = journey
    psy = CommunityFactory(slug="psy", name="Psychiatry Network")
    sw = CommunityFactory(slug="sw", name="Social Work Circle")
    coordinator = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    members = []
    for i in range(10):
        user = UserFactory(email=f"member{i}@example.com", name=f"Member {i}")
        MembershipFactory(community=psy if i < 5 else sw, user=user, role=Role.MEMBER)
        members.append(user)

    # 1. an outside body asks, without an account
    j.go("/c/psy/ask/")
    j.page.get_by_label("Your name").fill("Ada Lovelace")
    j.page.get_by_label("Organisation").fill("Regional Health Board")
    j.page.get_by_label("Your email").fill("ada@board.example")
    j.page.get_by_label("What would you like the community's opinion on?").fill(
        "How should the new 24-hour discharge letter rule work in practice?"
    )
    j.page.get_by_label("Response needed by").fill((date.today() + timedelta(days=60)).isoformat())
    j.submit("Send the request")
    j.expect_text("waiting for the community's coordinators")
    tracking = j.page.url.replace(j.base_url, "")
    req = OpinionRequest.objects.get()

    # 2. the coordinator accepts it with phase dates and invites social work
    j.login(coordinator)
    j.go("/c/psy/opinion-requests/")
    j.click(j.page.get_by_role("link", name="Regional Health Board"))
    now = timezone.now()
    j.page.get_by_label("Gathering views ends").fill(_local(now + timedelta(days=7)))
    j.page.get_by_label("Drafting ends").fill(_local(now + timedelta(days=14)))
    j.page.get_by_label("Endorsement ends").fill(_local(now + timedelta(days=21)))
    j.submit("Accept the request")
    j.expect_text("Accepted")
    response = JointResponse.objects.get()
    j.go(f"/responses/{response.pk}/settings/")
    j.page.get_by_label("Social Work Circle").check()
    j.submit("Save settings")
    j.submit("Move to: Gathering views")
    j.expect_text("Gathering views")

    # 3. statements: most through the service layer, one through the browser (moderated)
    statements = [services.statement_submit(response=response, user=coordinator, text=t) for t in VIEWS]
    j.login(members[5])
    j.go(f"/responses/{response.pk}/vote/")
    j.page.get_by_label("Your statement").fill("Social workers should be invited to the discharge meeting.")
    j.submit("Submit statement")
    j.expect_text("waits for a coordinator")
    j.login(coordinator)
    j.go(f"/responses/{response.pk}/moderation/")
    j.click(j.page.get_by_role("button", name="Accept: Social workers should"))
    assert Statement.objects.get(text__startswith="Social workers should").state == "accepted"

    # 4. votes: psychiatry agrees with the first half, social work with the second
    half = len(statements) // 2
    for i, user in enumerate(members):
        for k, s in enumerate(statements):
            if i == 9 and k < 2:
                continue  # member 9 votes on two statements in the browser
            value = 1 if (k < half) == (i < 5) else -1
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value)
    j.login(members[9])
    j.go(f"/responses/{response.pk}/vote/")
    for _ in range(2):
        card = j.page.locator("#statement-text")
        text = card.inner_text()
        j.click(j.page.get_by_role("button", name="Disagree" if text in VIEWS[:half] else "Agree").first)
        j.page.get_by_text("Vote recorded.").wait_for()
    # keyboard: focus the Agree button and press Enter
    j.page.get_by_role("button", name="Agree").first.focus()
    j.page.keyboard.press("Enter")
    j.page.get_by_text("Vote recorded.").wait_for()
    j.check()
    assert (
        services.participant_for(response, members[9], create=False).votes.count() == 7
    )  # four cast in setup, three in the browser

    # 5. the map shows two groups and the split between communities
    j.go(f"/responses/{response.pk}/map/")
    j.expect_text("Group A")
    j.expect_text("Group B")
    j.expect_text("Across the communities")

    # 6. drafting: seeded from the map, edited by a member
    j.login(coordinator)
    j.go(f"/responses/{response.pk}/")
    j.submit("Move to: Drafting the response")
    j.login(members[1])
    j.go(f"/responses/{response.pk}/draft/")
    j.expect_text("What we agree on")
    box = j.page.get_by_label("Draft (Markdown)")
    box.fill(box.input_value().replace("(Write the community's answer here.)", "We support the rule with a call."))
    j.submit("Save a new version")
    j.expect_text("Saved as version 2")

    # 7. endorsement with one objection, given in the browser
    j.login(coordinator)
    j.go(f"/responses/{response.pk}/")
    j.submit("Move to: Endorsement")
    for user in members[:8]:
        services.endorsement_cast(response=response, user=user, stance=Stance.ENDORSE)
    j.login(members[8])
    j.go(f"/responses/{response.pk}/endorse/")
    j.page.get_by_role("radio", name="Object").check()
    j.page.get_by_label("Reason (optional; listed with objections and reservations)").fill(
        "A phone call cannot replace a meeting."
    )
    j.submit("Record my position")
    j.expect_text("A phone call cannot replace a meeting.")

    # 8. delivery
    j.login(coordinator)
    j.go(f"/responses/{response.pk}/")
    j.click(j.page.get_by_role("link", name="Close endorsement and mark delivered"))
    j.expect_text("Before it goes: checklist")
    j.submit("Deliver the response")
    j.expect_text("Delivered")
    j.go(f"/responses/{response.pk}/final/")
    j.expect_text("We support the rule with a call.")

    # 9. the requester's tracking link shows the response
    j.page.context.clear_cookies()
    j.go(tracking)
    j.expect_text("Response delivered")
    j.expect_text("We support the rule with a call.")
    j.expect_text("A phone call cannot replace a meeting.")
    req.refresh_from_db()
    assert req.status == "delivered" and JointResponse.objects.get().state == Phase.DELIVERED
    assert len(j.checked) >= 20
