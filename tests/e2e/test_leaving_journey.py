"""Issue 20 points 5 and 6 in the browser: a member deletes their account from the profile (at desktop
and phone width, keyboard only for the confirmation), and everyone finds the accessibility statement."""

from __future__ import annotations

import pytest

from convene.accounts.models import User
from convene.communities.models import AuditEntry, Role

from ..factories import CommunityFactory, MembershipFactory, UserFactory

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_member_deletes_their_account(journey, viewport):
    j = journey
    if viewport:
        j.page.set_viewport_size(viewport)
    community = CommunityFactory(slug="psy", name="Psychiatry")
    MembershipFactory(community=community, user=UserFactory(name="Cora Coordinator"), role=Role.COORDINATOR)
    leaver = UserFactory(email="lee@example.com", name="Lee Leaver")
    MembershipFactory(community=community, user=leaver, role=Role.MEMBER)
    j.login(leaver)

    j.go("/me/profile/")
    j.click(j.page.get_by_role("link", name="Delete my account"))
    j.expect_text("These stay, without your name")
    # a wrong confirmation keeps the account and says why
    j.page.get_by_label("Type DELETE to confirm").fill("yes")
    j.submit("Delete my account")
    j.expect_text("Type the word DELETE")
    assert User.objects.get(pk=leaver.pk).deleted_at is None
    # keyboard only: type, then Enter submits
    field = j.page.get_by_label("Type DELETE to confirm")
    field.fill("")
    field.focus()
    j.page.keyboard.type("DELETE")
    j.page.keyboard.press("Enter")
    j.page.wait_for_url(f"{j.base_url}/")
    j.check()
    j.expect_text("Your account is deleted")
    gone = User.objects.get(pk=leaver.pk)
    assert gone.deleted_at is not None and gone.display_name == "A former member"
    # signed out: the profile asks to sign in
    j.go("/me/profile/")
    assert "/accounts/login/" in j.page.url


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_accessibility_statement_is_linked_from_every_footer(journey, viewport):
    j = journey
    if viewport:
        j.page.set_viewport_size(viewport)
    j.go("/")
    j.click(j.page.locator("footer").get_by_role("link", name="Accessibility"))
    j.expect_text("WCAG")
    j.expect_text("Report a barrier")


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_removes_a_members_personal_data_on_request(journey):
    """From the member's page, with how the person asked; audited; the member list then names nobody."""
    j = journey
    community = CommunityFactory(slug="psy", name="Psychiatry")
    cora = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=community, user=cora, role=Role.COORDINATOR)
    lee = UserFactory(email="lee@example.com", name="Lee Leaver")
    membership = MembershipFactory(community=community, user=lee, role=Role.MEMBER)
    j.login(cora)

    j.go(f"/c/psy/members/{membership.pk}/")
    j.click(j.page.get_by_role("link", name="Remove this person's personal data (on their request)"))
    j.expect_text("Remove the personal data of")
    # without the confirmation nothing is removed, and the form keeps what was typed
    j.page.get_by_label("How the person asked").fill("E-mail to the coordinator on 3 December")
    j.submit("Remove personal data")
    assert User.objects.get(pk=lee.pk).deleted_at is None
    assert j.page.get_by_label("How the person asked").input_value() == "E-mail to the coordinator on 3 December"
    j.page.get_by_label("The person asked for their personal data to be removed").check()
    j.submit("Remove personal data")
    j.page.wait_for_url(f"{j.base_url}/c/psy/members/")
    j.check()
    j.expect_text("personal data is removed")
    assert "Lee Leaver" not in j.page.content()
    gone = User.objects.get(pk=lee.pk)
    assert gone.deleted_at is not None and gone.display_name == "A former member"
    entry = AuditEntry.objects.get(action="personal_data_removed")
    assert entry.actor == cora and "3 December" in str(entry.detail)
    j.go("/c/psy/audit/")
    j.expect_text("Cora Coordinator")
