"""Issue 18.19 and 18.4 in the browser: a coordinator keeps the community's activity catalogue and
plans a session from it (its own activities, then the shared ones under the community's names,
hidden ones gone; the session takes the entry's agenda); facilitators tell namesakes apart on the
attendance page and the speaking queue. axe after every page, at desktop and at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.convening import services
from convene.convening.models import Session, Turn

from ..factories import CommunityFactory, MembershipFactory, UserFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _person(email, name, community, role=Role.MEMBER, discipline=""):
    user = UserFactory(email=email, name=name)
    user.profile.discipline = discipline
    user.profile.save()
    MembershipFactory(community=community, user=user, role=role)
    return user


def _at_phone_size(j, path: str) -> None:
    j.page.set_viewport_size(PHONE)
    j.go(path)
    assert j.page.evaluate("document.scrollingElement.scrollWidth") <= 390, path
    j.page.set_viewport_size(DESKTOP)
    j.go(path)


@pytest.mark.django_db(transaction=True)
def test_a_session_from_the_communitys_catalogue_and_namesakes_told_apart(journey):
    j = journey
    j.page.set_default_timeout(30_000)  # the first page of a process warms up; the machine is shared
    j.page.set_viewport_size(DESKTOP)
    psychiatry = CommunityFactory(slug="psychiatry", name="Acute Psychiatry")
    social = CommunityFactory(slug="social-work", name="Social Work Circle")
    amara = _person("amara@example.com", "Amara Okafor", psychiatry, Role.COORDINATOR, "Psychiatrist")
    sam_nurse = _person("sam1@example.com", "Sam Okafor", psychiatry, discipline="Psychiatric nurse")
    sam_social = _person("sam2@example.com", "Sam Okafor", social, discipline="Social worker")
    MembershipFactory(community=social, user=amara, role=Role.COORDINATOR)

    # 1. the coordinator keeps the catalogue: an activity of their own, a version, a hidden one
    j.login(amara)
    j.go("/c/psychiatry/")
    j.click(j.page.get_by_role("link", name="Activity catalogue"))
    j.page.get_by_label("Name").fill("Journal club")
    j.page.get_by_label("In one sentence").fill("One paper, read by everyone, discussed for an hour.")
    j.page.get_by_label("Agenda").fill("Paper summary | 15\nDiscussion | 40\nWhat we change | 5")
    j.submit("Add to the catalogue")
    j.expect_text("“Journal club” is in the catalogue of Acute Psychiatry")
    j.submit("Adapt Problem-solving clinic")
    j.page.get_by_label("Name").fill("Case clinic")
    j.submit("Save")
    j.expect_text("Saved.")
    j.submit("Adapt Visit")  # a shipped activity is hidden through the community's version of it
    j.go("/c/psychiatry/activities/")
    j.submit("Hide Visit")
    j.expect_text("is hidden from the catalogue")
    _at_phone_size(j, "/c/psychiatry/activities/")

    # 2. the session form offers exactly that list, own activities first
    j.click(j.page.get_by_role("link", name="Plan a session of Journal club"))
    select = j.page.get_by_label("Activity")
    assert select.locator("option:checked").inner_text() == "Journal club"
    groups = select.locator("optgroup")
    assert groups.nth(0).get_attribute("label") == "Activities of Acute Psychiatry"
    assert groups.nth(0).locator("option").all_inner_texts() == ["Journal club"]
    shared = groups.nth(1).locator("option").all_inner_texts()
    assert "Case clinic" in shared and "Problem-solving clinic" not in shared and "Visit" not in shared
    assert "Boundary engagement" in shared
    _at_phone_size(j, j.page.url.removeprefix(j.base_url))
    j.page.get_by_label("Title").fill("Journal club: discharge letters")
    j.page.get_by_label("Starts at (local time)").fill((timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT18:00"))
    j.submit("Create session")
    j.expect_text("Session created as a draft")
    session = Session.objects.get(title="Journal club: discharge letters")
    assert session.catalogue_entry.name == "Journal club"
    j.click(j.page.get_by_role("link", name="Agenda", exact=True))
    j.expect_text("Paper summary")
    j.expect_text("What we change")
    assert "Journal club" in j.page.locator("main p.muted").first.inner_text()  # the session's head

    # 3. two people called Sam Okafor: facilitators tell them apart on attendance and the queue
    session.invited_communities.add(social)
    for user in (amara, sam_nurse, sam_social):
        services.invitation_add(session=session, actor=amara, user=user)
    services.session_transition(session=session, actor=amara, to="invitations_sent")
    session = services.session_transition(session=session, actor=amara, to="in_progress")
    nurse = "Sam Okafor (Acute Psychiatry · Psychiatric nurse)"
    social_worker = "Sam Okafor (Social Work Circle · Social worker)"
    _at_phone_size(j, f"/sessions/{session.pk}/attendance/")
    for label in (nurse, social_worker):
        assert j.page.get_by_role("rowheader", name=label).count() == 1
        j.click(j.page.get_by_role("button", name=f"Check in {label}"))
    _at_phone_size(j, f"/sessions/{session.pk}/queue/")
    j.click(j.page.get_by_role("button", name=social_worker))
    j.expect_text(f"Speaking now: {social_worker}")
    assert Turn.objects.get(session=session).user == sam_social
    assert j.page.get_by_role("button", name=nurse).count() == 1
