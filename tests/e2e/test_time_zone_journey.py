"""Issue 20 point 4 in the browser: a browser set to Singapore time sees a session in Singapore time
from its first visit on (the zone travels in a cookie set by convene.js), then picks another zone in
the profile and sees the times follow; axe-checked after every page."""

from __future__ import annotations

import urllib.request
from datetime import datetime

import pytest
from django.urls import reverse

from convene.communities.models import Role
from convene.convening import services
from convene.convening.models import ActivityType

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .conftest import Journey


@pytest.fixture
def singapore_journey(browser, live_server):
    urllib.request.urlopen(live_server.url + "/healthz", timeout=180).close()
    context = browser.new_context(timezone_id="Asia/Singapore")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Journey(page, live_server.url)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_times_follow_the_browser_then_the_profile(singapore_journey):
    j = singapore_journey
    host = CommunityFactory(slug="psy", name="Psychiatry")
    guests = CommunityFactory(slug="sw", name="Social Work")
    cora = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=host, user=cora, role=Role.COORDINATOR)
    session = services.session_create(
        host=host,
        actor=cora,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Referrals across the boundary",
        starts_at=datetime(2030, 1, 15, 14, 0),
        time_zone="Europe/London",
        invited_communities=[guests],
    )
    j.login(cora)

    j.go("/")  # the first visit: convene.js remembers the browser's zone
    assert any(c["name"] == "convene_tz" and c["value"] == "Asia/Singapore" for c in j.page.context.cookies())
    page = reverse("convening:session", args=[session.pk])
    j.go(page)
    j.expect_text("Tuesday 15 January 2030, 14:00 – 15:30 (Europe/London)")
    j.expect_text("your time: Tuesday 15 January 2030, 22:00 – 23:30 (Asia/Singapore)")

    j.go("/me/profile/")
    j.page.get_by_label("Time zone").select_option("Europe/Paris")
    j.submit("Save profile")
    j.expect_text("Your profile is saved")
    j.go(page)
    j.expect_text("your time: Tuesday 15 January 2030, 15:00 – 16:30 (Europe/Paris)")
    j.go(f"/c/{host.slug}/sessions/")
    j.expect_text("15 Jan 2030, 14:00 (Europe/London); your time: 15 Jan 2030, 15:00 (Europe/Paris)")
