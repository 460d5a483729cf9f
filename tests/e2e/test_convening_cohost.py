"""Issue 18 (convening): a co-host from an invited community runs invitations, the room preview and
the queue; an attendee follows the queue on a phone; axe at desktop and at 390 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.convening import services
from convene.convening.models import ActivityType


@pytest.mark.django_db(transaction=True)
def test_cohost_and_phone_queue(journey, two_communities):
    j = journey
    psychiatry, social = two_communities.psychiatry, two_communities.social
    host = two_communities.person("host@example.org", "Hana Host", psychiatry, Role.COORDINATOR)
    two_communities.person("cohost@example.org", "Cora Cohost", social, Role.COORDINATOR)
    member = two_communities.person("sam@example.org", "Sam Lee", psychiatry)
    two_communities.person("sam2@example.org", "Sam Lee", social)
    session = services.session_create(
        host=psychiatry,
        actor=host,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Referrals",
        starts_at=timezone.now() + timedelta(days=3),
        invited_communities=[social],
    )
    assert session.invitations.filter(community=social).count() == 2  # the ticked community is invited

    j.log_in_with_form("cohost@example.org")
    j.go(f"/sessions/{session.pk}/invitations/")
    j.expect_text("Invitation list")
    j.go(f"/sessions/{session.pk}/preview/")
    j.go(f"/sessions/{session.pk}/")
    j.page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Sessions").click()
    j.check()
    assert "/c/social-work/sessions/" in j.page.url

    services.invitation_add(session=session, actor=host, community=psychiatry)
    session = services.session_transition(session=session, actor=host, to="invitations_sent")
    session = services.session_transition(session=session, actor=host, to="in_progress")
    services.rsvp_set(session=session, user=member, answer="yes")
    services.rsvp_set(session=session, user=host, answer="yes")
    services.turn_give(session=session, actor=host, user=host)

    j.log_in_with_form("sam@example.org")
    j.page.set_viewport_size({"width": 390, "height": 844})
    j.go(f"/sessions/{session.pk}/")
    j.page.get_by_role("button", name="Raise my hand to speak").click()
    j.check()
    j.expect_text("You are number 1")
    width = j.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width

    j.log_in_with_form("host@example.org")
    j.go(f"/sessions/{session.pk}/queue/")
    j.expect_text("Share of turns by community")
    j.page.set_viewport_size({"width": 1280, "height": 900})
    j.go(f"/sessions/{session.pk}/roles/")
    j.page.fill("#id_user-filter", "Sam")
    j.expect_text("Sam Lee (Acute Psychiatry)")
