"""Personal time zones: which zone a viewer sees (profile > browser cookie > site default), and
the profile refusing names that are not time zones (form, service, API)."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils import timezone

from convene.accounts import services
from convene.accounts.forms import ProfileForm
from convene.accounts.zones import COOKIE, ViewerTimeZoneMiddleware, recipient_zone
from convene.core.errors import InvalidInput

from ..factories import UserFactory


def zone_seen(user, cookie=None):
    """The zone active while the view runs, and the zone active after the response."""
    request = RequestFactory().get("/")
    request.user = user
    if cookie is not None:
        request.COOKIES[COOKIE] = cookie
    seen = {}

    def view(req):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    ViewerTimeZoneMiddleware(view)(request)
    return seen["zone"], timezone.get_current_timezone_name()


def with_zone(zone):
    user = UserFactory()
    user.profile.time_zone = zone
    user.profile.save()
    return user


@pytest.mark.django_db
def test_profile_zone_wins_over_the_cookie(settings):
    settings.TIME_ZONE = "UTC"
    assert zone_seen(with_zone("Asia/Singapore"), cookie="Europe/Paris") == ("Asia/Singapore", "UTC")


@pytest.mark.django_db
def test_cookie_zone_when_the_profile_has_none():
    assert zone_seen(with_zone(""), cookie="America/Argentina/Buenos_Aires")[0] == "America/Argentina/Buenos_Aires"


@pytest.mark.django_db
def test_anonymous_visitor_gets_the_cookie_zone():
    from django.contrib.auth.models import AnonymousUser

    assert zone_seen(AnonymousUser(), cookie="Africa/Nairobi")[0] == "Africa/Nairobi"


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", [None, "", "Mars/Olympus_Mons", "../etc/passwd", "x" * 300])
def test_site_default_without_a_valid_zone(settings, cookie):
    settings.TIME_ZONE = "Europe/London"
    assert zone_seen(with_zone(""), cookie=cookie)[0] == "Europe/London"


@pytest.mark.django_db
def test_recipient_zone_is_the_profile_else_the_site(settings):
    settings.TIME_ZONE = "Europe/Madrid"
    assert recipient_zone(with_zone("Asia/Kolkata")) == "Asia/Kolkata"
    assert recipient_zone(with_zone("")) == "Europe/Madrid"


def test_profile_form_refuses_an_unknown_zone():
    form = ProfileForm(data={"display_name": "Ana", "hours_per_month": 0, "time_zone": "Mars/Olympus_Mons"})
    assert not form.is_valid()
    assert "time_zone" in form.errors
    ok = ProfileForm(data={"display_name": "Ana", "hours_per_month": 0, "time_zone": "Asia/Singapore"})
    assert ok.is_valid(), ok.errors


@pytest.mark.django_db
def test_profile_service_stores_clears_and_refuses():
    user = UserFactory()
    assert services.profile_update(user=user, time_zone=" Asia/Singapore ").time_zone == "Asia/Singapore"
    with pytest.raises(InvalidInput) as refused:
        services.profile_update(user=user, time_zone="Europe/Atlantis")
    assert refused.value.field == "time_zone"
    assert services.profile_update(user=user, time_zone="").time_zone == ""


@pytest.mark.django_db
def test_profile_page_saves_the_zone(world):
    client = world.client("member")
    page = client.post(
        "/me/profile/", {"display_name": "Mia Member", "hours_per_month": 0, "time_zone": "Asia/Singapore"}
    )
    assert page.status_code == 302
    world.users["member"].profile.refresh_from_db()
    assert world.users["member"].profile.time_zone == "Asia/Singapore"
    refused = client.post("/me/profile/", {"display_name": "Mia", "hours_per_month": 0, "time_zone": "Nowhere"})
    assert refused.status_code == 200 and "time_zone" in refused.context["form"].errors


@pytest.mark.django_db
def test_api_profile_reads_and_sets_the_zone(api):
    client = api("member")
    assert client.patch("/me/profile", {"time_zone": "Asia/Singapore"}).json()["time_zone"] == "Asia/Singapore"
    assert client.get("/me/profile").json()["time_zone"] == "Asia/Singapore"
    refused = client.patch("/me/profile", {"time_zone": "Nowhere/Special"})
    assert refused.status_code == 422  # the schema lists the zones (a closed set), so it is a validation error
    assert "time_zone" in json.dumps(refused.json())
