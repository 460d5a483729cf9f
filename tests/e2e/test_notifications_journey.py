"""Notifications in the browser (issue 19): a notification raises the header badge, the centre lists
it, following its link marks it read, a mail preference is saved, and the unsubscribe link in the
mail works without logging in. axe on every page, at desktop width and at 390 px."""

from __future__ import annotations

import pytest
from django.core import mail as outbox
from django.urls import reverse
from playwright.sync_api import expect

from convene.communities.models import Role
from convene.notifications import services
from convene.notifications.models import Notification, Preference

from ..factories import CommunityFactory, MembershipFactory, UserFactory

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def j(journey):
    journey.page.set_default_timeout(30_000)
    return journey


def _phone_check(j) -> None:
    """The page as it is, again at 390 px: axe and no sideways scrolling; back to desktop."""
    j.page.set_viewport_size(PHONE)
    j.check()
    overflow = j.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{j.page.url} is {overflow}px wider than 390 px"
    j.page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_a_member_hears_reads_chooses_and_unsubscribes(j):
    community = CommunityFactory(slug="ignite", name="Ignite")
    member = UserFactory(email="lena@example.com", name="Lena Member")
    MembershipFactory(community=community, user=member, role=Role.MEMBER)
    target = reverse("communities:detail", kwargs={"slug": "ignite"})
    outbox.outbox.clear()
    [made] = services.notify(
        recipients=[member],
        kind="team.published",
        obj=community,
        text="Your team “Triage bot” was published",
        url=target,
        community=community,
    )
    # urgent kind: mailed at once (the immediate task backend, after the commit)
    [message] = outbox.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    j.login(member)
    j.page.set_viewport_size(DESKTOP)
    j.go("/")
    badge = j.page.locator("#notif-badge .notif-count")
    expect(badge).to_have_text("1 unread")  # htmx loads it; the count is part of the link's name
    expect(j.page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    j.check()
    _phone_check(j)

    # Keyboard: focus the header link and press Enter.
    j.page.get_by_role("link", name="Notifications 1 unread").focus()
    j.page.keyboard.press("Enter")
    j.page.wait_for_url("**/notifications/")
    j.check()
    j.expect_text("1 unread notification.")
    _phone_check(j)

    j.click(j.page.get_by_role("link", name="Your team “Triage bot” was published"))
    j.page.wait_for_url(f"**{target}")
    made.refresh_from_db()
    assert made.read_at is not None
    j.go(reverse("notifications:list"))
    j.expect_text("Nothing unread.")
    expect(j.page.locator("#notif-badge .notif-count")).to_have_count(0)

    # A preference: replies in threads, weekly.
    j.go(reverse("notifications:preferences"))
    _phone_check(j)
    j.page.get_by_label("Replies in threads you follow: Weekly digest").check()
    j.submit("Save preferences")
    j.expect_text("Your mail preferences are saved.")
    assert Preference.objects.get(user=member, kind="discussion.reply").delivery == "weekly"
    expect(j.page.get_by_label("Replies in threads you follow: Weekly digest")).to_be_checked()

    # The unsubscribe link from the mail, in a browser that is not logged in.
    j.page.context.clear_cookies()
    path = "/" + unsubscribe.split("://", 1)[1].split("/", 1)[1]
    j.go(path)
    j.expect_text("Stop e-mail for “Published teams”?")
    _phone_check(j)
    j.submit("Unsubscribe")
    j.expect_text("you will no longer get e-mail for “Published teams”")
    assert Preference.objects.get(user=member, kind="team.published").delivery == "never"
    assert Notification.objects.filter(recipient=member).count() == 1
