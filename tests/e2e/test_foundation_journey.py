"""A new user's first journey: sign up, verify, create a community, invite, accept, edit the glossary."""

import pytest
from django.core import mail

from convene.communities.models import GlossaryTerm, Membership, TermMapping

from ..factories import CommunityFactory, TermFactory
from .conftest import link_in_mail

PASSWORD = "correct-horse-battery-9"


def _sign_up(j, email):
    j.go("/accounts/signup/")
    j.page.fill("#id_email", email)
    j.page.fill("#id_password1", PASSWORD)
    j.page.fill("#id_password2", PASSWORD)
    j.submit("Sign Up")
    j.expect_text("Verify")
    message = [m for m in mail.outbox if email in m.to][-1]
    j.go(link_in_mail(message.body))
    j.submit("Confirm")


@pytest.mark.django_db(transaction=True)
def test_sign_up_create_invite_accept_and_glossary(journey):
    j = journey
    other = CommunityFactory(slug="social-work", name="Social Work Circle")
    TermFactory(community=other, term="client", definition="The person we support.")

    _sign_up(j, "nadia@example.com")
    j.expect_text("Hello")

    # create a private community
    j.go("/communities/new/")
    j.page.get_by_label("Name").fill("Crisis Psychiatry")
    j.page.get_by_label("Domain").fill("Acute care for people in mental-health crisis")
    j.page.get_by_label("Private: visible to members, joined by invitation").check()
    j.submit("Create community")
    j.expect_text("You are its coordinator")

    # bad input keeps what was typed and explains
    j.go("/communities/new/")
    j.page.get_by_label("Name").fill("Crisis Psychiatry")
    j.page.get_by_label("Web address").fill("crisis-psychiatry")
    j.page.get_by_label("Domain").fill("Duplicate")
    j.submit("Create community")
    j.expect_text("already uses the address")

    # invite a colleague
    j.go("/c/crisis-psychiatry/invitations/")
    j.page.get_by_role("textbox", name="Email").fill("omar@example.com")
    j.submit("Send invitation")
    j.expect_text("Invitation sent to omar@example.com")
    invite_path = link_in_mail([m for m in mail.outbox if "omar@example.com" in m.to][-1].body)

    # the colleague signs up and accepts
    j.page.context.clear_cookies()
    _sign_up(j, "omar@example.com")
    j.go(invite_path)
    j.submit("Accept and join Crisis Psychiatry")
    j.expect_text("Welcome to Crisis Psychiatry")
    assert Membership.objects.filter(community__slug="crisis-psychiatry", user__email="omar@example.com").exists()

    # the new member adds a glossary term, then maps it to another community's term
    j.click(j.page.get_by_role("link", name="Glossary"))
    j.page.get_by_role("textbox", name="Term").fill("patient")
    j.page.get_by_role("textbox", name="Definition").fill("Someone under our care, on the ward or after discharge.")
    j.submit("Add term")
    j.expect_text("“patient” added")
    # keyboard only: focus the link and press Enter
    j.page.get_by_role("link", name="Map “patient” to another community’s term").focus()
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    j.check()
    j.page.get_by_label("Their term").select_option(label="client (Social Work Circle)")
    j.submit("Save mapping")
    j.expect_text("What we call it, what they call it")
    assert TermMapping.objects.filter(source__term="patient", target__term="client").exists()
    assert GlossaryTerm.objects.filter(community__slug="crisis-psychiatry").count() == 1
    assert len(j.checked) >= 12
