"""A session's page shows its time in the session's zone and in the viewer's, each labelled."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from convene.accounts.zones import COOKIE
from convene.convening import services
from convene.convening.models import ActivityType


@pytest.fixture
def session(world):
    return services.session_create(
        host=world.public,
        actor=world.users["coordinator"],
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Referrals across the boundary",
        starts_at=datetime(2030, 1, 15, 14, 0),
        time_zone="Europe/London",
        invited_communities=[world.private],
    )


@pytest.mark.django_db
def test_session_page_in_the_viewers_profile_zone(world, session):
    coordinator = world.users["coordinator"]
    coordinator.profile.time_zone = "Asia/Singapore"
    coordinator.profile.save()
    page = world.client("coordinator").get(reverse("convening:session", args=[session.pk])).content.decode()
    assert "Tuesday 15 January 2030, 14:00 – 15:30 (Europe/London)" in page
    assert "your time: Tuesday 15 January 2030, 22:00 – 23:30 (Asia/Singapore)" in page


@pytest.mark.django_db
def test_session_list_follows_the_browser_cookie(world, session):
    client = world.client("coordinator")
    client.cookies[COOKIE] = "America/Argentina/Buenos_Aires"
    page = client.get(reverse("convening:community_sessions", args=[world.public.slug])).content.decode()
    assert "15 Jan 2030, 11:00 (America/Argentina/Buenos_Aires)" in page


@pytest.mark.django_db
def test_new_session_form_defaults_to_the_viewers_zone(world):
    client = world.client("coordinator")
    client.cookies[COOKIE] = "Asia/Singapore"
    form = client.get(reverse("convening:session_create", args=[world.public.slug])).context["form"]
    assert form.initial["time_zone"] == "Asia/Singapore"
