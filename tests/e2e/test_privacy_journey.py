"""Privacy as people see it in the browser (issue 15): the room preview's rounded figures with the
plain-words note, the band and the one-sided warning; an anonymous response's map with no group
under 5 and no community on its points, table included; a mentee's consent before their ratings
appear in a case study. Every page is checked with axe at desktop width and at 390 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from convene.accounts.models import DiversityAnswer
from convene.communities.models import Role
from convene.convening import services as convening
from convene.convening.models import ActivityType

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..worlds import anonymous_response, case_study_project, mentee_places

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ROUNDED = "Figures are rounded to 5 and slightly adjusted to protect privacy."


@pytest.fixture
def j(journey):
    journey.page.set_default_timeout(30_000)  # a loaded machine: generous waits
    return journey


def _at_both_widths(j, path: str) -> None:
    """Open ``path`` at desktop width and at 390 px; axe (no serious or critical violation) at each."""
    j.page.set_viewport_size(DESKTOP)
    j.go(path)
    j.page.set_viewport_size(PHONE)
    j.go(path)
    # nothing wider than the phone's screen: the page scrolls down, not sideways
    overflow = j.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than 390 px"
    j.page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_coordinator_reads_a_protected_room_preview(j, two_communities):
    psychiatry, social = two_communities.psychiatry, two_communities.social
    coordinator = UserFactory(email="amara@example.com", name="Amara Okafor")
    MembershipFactory(community=psychiatry, user=coordinator, role=Role.COORDINATOR)
    for i in range(20):
        user = UserFactory(email=f"p{i}@example.com", name=f"Psychiatry Member {i:02d}")
        MembershipFactory(community=psychiatry, user=user, role=Role.MEMBER)
        DiversityAnswer.objects.create(user=user, attribute="gender", value="woman")
    # Social Work takes part but has no one to invite yet (ticked communities' members are invited)
    session = convening.session_create(
        host=psychiatry,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Discharge letters",
        starts_at=timezone.now() + timedelta(days=5),
        invited_communities=[social],
    )
    convening.invitation_add(session=session, actor=coordinator, community=psychiatry)

    j.login(coordinator)
    _at_both_widths(j, f"/sessions/{session.pk}/preview/")
    invited = j.page.locator("section", has=j.page.get_by_role("heading", name=re.compile(r"^Invited")))
    # the one-sided warnings: a community taking part with no one invited, and the private answers' band
    expect(invited).to_contain_text("No one from Social Work Circle is invited yet.")
    expect(invited).to_contain_text("The room looks one-sided on gender.")
    # private answers: rounded ("about 20" for 20 women, 1 unanswered is "fewer than 5"), the note in plain words
    expect(invited).to_contain_text(ROUNDED)
    gender = invited.locator("table", has=j.page.locator("caption", has_text="Gender"))
    expect(gender.locator("caption")).to_contain_text("one-sided")
    expect(gender.get_by_role("row", name=re.compile(r"woman"))).to_contain_text("about 20")
    cells = gender.locator("tbody td.num").all_inner_texts()
    assert cells and all(c == "fewer than 5" or re.fullmatch(r"about \d+", c) for c in cells), cells
    assert all(int(n) % 5 == 0 for c in cells for n in re.findall(r"\d+", c)), cells
    expect(invited).to_contain_text("figures about small groups are never shown so that nobody can be singled out")
    # public profile facts stay exact and useful: the empty community reads 0
    community = invited.locator("table", has=j.page.locator("caption", has_text="Community"))
    expect(community.get_by_role("row", name=re.compile("Social Work Circle"))).to_contain_text("0")


@pytest.mark.django_db(transaction=True)
def test_anonymous_map_describes_no_small_group(j):
    w = anonymous_response()
    solos = [c.name for c, _, _ in w.solos]

    j.login(w.member)
    _at_both_widths(j, f"/responses/{w.response.pk}/map/")
    main = j.page.locator("main")
    text = main.inner_text()
    # opinion groups and communities are described only from 5 people
    sizes = [int(n) for n in re.findall(r"\((\d+) people\)", text)]
    assert all(n >= 5 for n in sizes), sizes
    assert "(1 people)" not in text
    expect(main).to_contain_text("points carry no community")
    # the scatter's points (SVG titles) and its table equivalent name no community
    titles = " ".join(j.page.eval_on_selector_all("svg.scatter title", "els => els.map(e => e.textContent)"))
    assert not any(name in titles for name in [*solos, "Psychiatry", "Social Work"]), titles
    j.page.get_by_text("The same points as a table").click()
    table = j.page.locator("table", has=j.page.locator("caption", has_text="Participants' positions"))
    expect(table).to_be_visible()
    headers = table.locator("thead th").all_inner_texts()
    assert "Community" not in headers and headers[:2] == ["Participant", "Group"], headers
    assert table.locator("tbody tr").count() == len({u for u, _ in w.votes})
    body = table.locator("tbody").inner_text()
    assert not any(name in body for name in solos)
    j.check()
    # the agreement table by community has a column per community of 5 or more, the solos merged
    by_community = j.page.locator("table", has=j.page.locator("caption", has_text="Agreement by community"))
    columns = by_community.locator("thead th").all_inner_texts()
    assert not set(columns) & set(solos), columns
    assert "Other communities" in columns, columns


@pytest.mark.django_db(transaction=True)
def test_mentee_confirms_consent_then_the_case_study_shows_their_rating(j):
    lab = CommunityFactory(slug="lab", name="Data Lab")
    project = case_study_project(lab, goal="Letters out the same day", requesting_contact="clinic@example.com")
    mentee, _ = (p.user for p in mentee_places(project, lab, [(1, 4), (2, 3)], "", ["Dara Kowalski", "Elif Nguyen"]))
    outsider = UserFactory(email="olive@example.com", name="Olive Outsider")
    page = f"/projects/{project.pk}/case-study/"

    # before consent: an outsider sees neither rating, nor a mean over two people
    j.login(outsider)
    _at_both_widths(j, page)
    main = j.page.locator("main")
    expect(main).not_to_contain_text("from 1 to 4")
    expect(main).not_to_contain_text("points higher")

    # the mentee reaches the consent buttons with the keyboard and confirms
    j.login(mentee)
    _at_both_widths(j, page)
    show = j.page.get_by_role("button", name="Show my ratings with my name")
    keep = j.page.get_by_role("button", name="Keep my ratings private")
    expect(show).to_be_visible()
    expect(keep).to_be_visible()
    j.page.locator("h1").click()  # start tabbing from the top of the content
    for target in (show, keep):
        for _ in range(80):
            if target.evaluate("el => el === document.activeElement"):
                break
            j.page.keyboard.press("Tab")
        assert target.evaluate("el => el === document.activeElement"), "not reachable with Tab"
        # the focus is visible (the site's :focus-visible outline)
        assert target.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    j.page.keyboard.press("Shift+Tab")
    assert show.evaluate("el => el === document.activeElement")
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    j.check()
    expect(main).to_contain_text("the case study now shows your ratings by name")
    expect(main).to_contain_text("Dara Kowalski: python from 1 to 4")

    # everyone now reads Dara's rating by name; Elif's stays private
    j.login(outsider)
    _at_both_widths(j, page)
    expect(main).to_contain_text("Dara Kowalski: python from 1 to 4")
    expect(main).not_to_contain_text("from 2 to 3")
