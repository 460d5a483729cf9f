"""The notification centre, the header badge, mail preferences and the unsubscribe page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convene.notifications import mail, services
from convene.notifications.models import Notification, Preference
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, text="Your team was published", url="/communities/", **extra):
    [made] = services.notify(recipients=[user], kind="team.published", text=text, url=url, **extra)
    return made


def test_the_header_polls_the_badge_which_costs_one_count(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    _notify(user)
    page = client.get("/communities/").content.decode()
    assert 'hx-get="/notifications/badge/"' in page and 'id="notif-live"' in page
    client.get(reverse("notifications:badge"))  # the session and user are loaded once
    with django_assert_num_queries(4):  # session, user, profile (the viewer's time zone), the COUNT
        badge = client.get(reverse("notifications:badge")).content.decode()
    assert '<span class="badge notif-count">1<span class="sr-only"> unread</span></span>' in badge
    assert "?shown=1" in badge and "notification" not in badge.split("notif-live")[-1]


def test_the_badge_announces_a_rise_once(client):
    user = UserFactory()
    client.force_login(user)
    _notify(user)
    _notify(user, text="Another")
    grown = client.get(reverse("notifications:badge") + "?shown=1").content.decode()
    assert "2 unread notifications" in grown
    same = client.get(reverse("notifications:badge") + "?shown=2").content.decode()
    assert "unread notifications" not in same


def test_the_centre_lists_only_the_persons_own_and_opening_one_marks_it_read(client):
    community = CommunityFactory(name="Ignite")
    me, other = UserFactory(), UserFactory()
    mine = _notify(me, community=community)
    theirs = _notify(other, text="Not for you")
    client.force_login(me)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Your team was published" in page and "Not for you" not in page and "Ignite" in page
    assert "1 unread notification." in page
    opened = client.get(reverse("notifications:open", args=[mine.pk]))
    assert opened.status_code == 302 and opened["Location"] == "/communities/"
    mine.refresh_from_db()
    assert not mine.unread
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.unread


def test_a_link_that_leaves_the_site_is_never_followed(client):
    me = UserFactory()
    made = _notify(me, url="https://evil.example/")
    also = _notify(me, url="//evil.example/x")
    client.force_login(me)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "evil.example" not in page
    assert client.get(reverse("notifications:open", args=[made.pk]))["Location"] == reverse("notifications:list")
    assert client.get(reverse("notifications:open", args=[also.pk]))["Location"] == reverse("notifications:list")


def test_mark_one_and_all_read(client):
    me = UserFactory()
    first, _second, _third = _notify(me), _notify(me, text="b"), _notify(me, text="c")
    client.force_login(me)
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 2
    unread = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert "2 unread notifications." in unread
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert "You have read every notification." in client.get("/notifications/?show=unread").content.decode()


def test_preferences_page_saves_choices_and_refuses_nonsense(client):
    me = UserFactory()
    client.force_login(me)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Invitations to sessions" in page and "urgent" in page
    assert "Choose which notifications come by e-mail" in client.get(reverse("accounts:profile")).content.decode()
    saved = client.post(reverse("notifications:preferences"), {"team.published": "weekly", "action.due": "immediate"})
    assert saved.status_code == 302
    assert dict(Preference.objects.filter(user=me).values_list("kind", "delivery")) == {"team.published": "weekly"}
    bad = client.post(reverse("notifications:preferences"), {"team.published": "hourly"}, follow=True)
    assert "Choose one of immediate, daily, weekly, never" in bad.content.decode()
    assert Preference.objects.get(user=me).delivery == "weekly"


def test_unsubscribe_asks_on_get_acts_on_post_and_refuses_a_forged_link(client):
    me = UserFactory()
    url = reverse("notifications:unsubscribe", args=[mail.unsubscribe_token(me.pk, "action.assigned")])
    page = client.get(url)
    assert page.status_code == 200 and "Stop e-mail for “Follow-up actions assigned to you”?" in page.content.decode()
    assert not Preference.objects.exists()  # a GET (a link scanner) changes nothing
    done = client.post(url)
    assert done.status_code == 200 and "you will no longer get e-mail" in done.content.decode()
    assert Preference.objects.get(user=me, kind="action.assigned").delivery == "never"
    forged = mail.unsubscribe_token(me.pk, "action.assigned")[:-3] + "abc"
    assert client.post(reverse("notifications:unsubscribe", args=[forged])).status_code == 404


def test_personal_data_holds_only_the_persons_own_notifications(client):
    me, other = UserFactory(), UserFactory()
    _notify(me, text="Mine")
    _notify(other, text="Theirs")
    services.preferences_set(user=me, choices={"community.message": "weekly"})
    client.force_login(me)
    data = client.get(reverse("accounts:data")).json()
    assert [n["text"] for n in data["notifications"]] == ["Mine"]
    assert data["notifications"][0]["kind"] == "team.published"
    assert data["notification_preferences"] == {"community.message": "weekly"}
