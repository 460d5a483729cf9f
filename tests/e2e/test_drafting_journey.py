"""Issue 18, points 10-12, in the browser: voting by keyboard (focus on the next statement's first
button after each vote; never one's own statement), moderation with waiting statements first, the
draft as formatted text with a toolbar and preview, versions compared word by word, phase buttons
that only move forward (going back is confirmed apart), and delivery after a checklist. Axe after
every navigation and swap, at desktop width and at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.deliberation import services
from convene.deliberation.models import DraftVersion, JointResponse, MinorityView, Phase, Stance, Statement

from ..factories import CommunityFactory, MembershipFactory, UserFactory

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWS = [
    "Patients should get a copy of their discharge letter.",
    "Twenty-four hours is enough to write a safe letter.",
    "The community team needs a phone call, not only a letter.",
    "A shared template would help both services.",
]
MINE = "Weekend discharges should wait until Monday."


def _at_both_widths(j, path):
    """Open `path` at desktop width and at 390 px: axe at each, nothing wider than the phone."""
    j.page.set_viewport_size(DESKTOP)
    j.go(path)
    j.page.set_viewport_size(PHONE)
    j.check()
    width = j.page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide at 390 px"
    j.page.set_viewport_size(DESKTOP)


def _focused(j) -> dict:
    return j.page.evaluate(
        """() => {
          const el = document.activeElement;
          const card = document.getElementById("vote-card");
          return {
            tag: el.tagName, text: el.textContent.trim(), value: el.getAttribute("value"),
            inCard: !!card && card.contains(el),
            statement: (document.getElementById("statement-text") || {}).textContent || "",
          };
        }"""
    )


@pytest.mark.django_db(transaction=True)
def test_vote_draft_and_deliver_with_keyboard_and_checklist(journey):
    j = journey
    psy = CommunityFactory(slug="psy", name="Psychiatry Network")
    coordinator = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    members = []
    for i in range(8):
        user = UserFactory(email=f"member{i}@example.com", name=f"Member {i}")
        MembershipFactory(community=psy, user=user, role=Role.MEMBER)
        members.append(user)
    writer = members[0]
    response = services.response_create(
        community=psy, creator=coordinator, title="The discharge letter rule", what_changed="Letters within 24 hours."
    )
    now = timezone.now()
    services.response_update(
        response=response,
        actor=coordinator,
        gathering_ends=now + timedelta(days=7),
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    services.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    statements = [services.statement_submit(response=response, user=coordinator, text=t) for t in VIEWS]
    mine = services.statement_submit(response=response, user=writer, text=MINE)
    services.statement_moderate(statement=mine, actor=coordinator, decision="accept", reason="")
    waiting = services.statement_submit(response=response, user=members[1], text="Letters should be in plain words.")
    for i, user in enumerate(members[1:], start=1):
        for k, s in enumerate([*statements, mine]):
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=1 if (k < 2) == (i < 5) else -1)

    # 1. moderation: the waiting statement is listed first
    j.login(coordinator)
    _at_both_widths(j, f"/responses/{response.pk}/moderation/")
    tables = j.page.locator("main table")
    assert "waiting" in tables.nth(0).locator("caption").inner_text().lower()
    j.expect_text(waiting.text)
    assert waiting.text in tables.nth(0).inner_text() and waiting.text not in tables.nth(1).inner_text()

    # 2. voting by keyboard: the three buttons differ by icon and border, focus follows each vote
    j.login(writer)
    _at_both_widths(j, f"/responses/{response.pk}/vote/")
    styles = j.page.evaluate(
        """() => [...document.querySelectorAll('#vote-card .vote-buttons button')].map(b => ({
              icon: b.querySelector('svg.vote-icon path, svg.vote-icon circle').getAttribute('d') || 'circle',
              border: getComputedStyle(b).borderStyle, background: getComputedStyle(b).backgroundColor}))"""
    )
    assert len(styles) == 3 and len({s["icon"] for s in styles}) == 3  # three shapes, not colour alone
    assert styles[2]["border"] == "dashed" and styles[0]["border"] == styles[1]["border"] == "solid"
    seen = []
    for value_name in ("Agree", "Disagree", "Pass / unsure", "Agree"):
        statement = _focused(j)["statement"]
        assert statement and statement != MINE, "nobody is asked about their own statement"
        seen.append(statement)
        j.page.locator("#vote-card .vote-buttons button", has_text=value_name).first.focus()
        j.page.keyboard.press("Enter")
        j.page.get_by_text("Vote recorded.").wait_for()
        j.page.wait_for_function(
            "(before) => { const s = document.getElementById('statement-text');"
            " return !s || s.textContent !== before; }",
            arg=statement,
        )
        j.check()
        focus = _focused(j)
        assert focus["inCard"], focus
        if focus["statement"]:
            assert focus["tag"] == "BUTTON" and focus["value"] == "1", focus  # the next statement's first button
    assert sorted(seen) == sorted(VIEWS)
    focus = _focused(j)
    assert focus["tag"] == "P" and "every statement" in focus["text"], focus  # nothing left: the closing message
    assert not Statement.objects.get(pk=mine.pk).votes.filter(participant__user=writer).exists()

    # 3. phase buttons: forward only; the coordinator moves to drafting
    j.login(coordinator)
    _at_both_widths(j, f"/responses/{response.pk}/")
    j.submit("Move to: Drafting the response")
    j.expect_text("Drafting has started.")
    phases = j.page.locator("#phases").locator("xpath=..")
    assert phases.get_by_role("button", name="Move to: Gathering views").count() == 0
    j.page.get_by_text("Other phase changes").click()
    assert phases.get_by_role("link", name="Go back: reopen gathering views…").is_visible()

    # 4. the draft: formatted text, toolbar, preview, save
    j.login(members[2])
    _at_both_widths(j, f"/responses/{response.pk}/draft/")
    paras = j.page.locator("section[aria-labelledby=paras]")
    assert paras.locator("h4", has_text="What we agree on").count() == 1
    assert "## " not in paras.inner_text() and "**" not in paras.inner_text()
    box = j.page.get_by_label("Draft (Markdown)")
    text = box.input_value().replace("(Write the community's answer here.)", "We support the rule with a call.")
    box.fill(text)
    start = text.index("support")
    box.evaluate("(el, [a, b]) => { el.focus(); el.setSelectionRange(a, b); }", [start, start + len("support")])
    toolbar = j.page.get_by_role("group", name="Formatting")
    assert toolbar.is_visible()
    toolbar.get_by_role("button", name="Bold (Ctrl+B)").click()
    assert "We **support** the rule with a call." in box.input_value()
    j.page.get_by_role("button", name="Preview").click()
    preview = j.page.locator("#draft-preview")
    preview.locator("strong", has_text="support").wait_for()
    assert j.page.evaluate("document.activeElement.id") == "draft-preview"
    j.check()
    assert DraftVersion.objects.filter(response=response).count() == 1  # a preview saves nothing
    j.submit("Save a new version")
    j.expect_text("Saved as version 2")
    assert j.page.locator("section[aria-labelledby=paras] strong", has_text="support").count() == 1

    # 5. versions: a word-level comparison, with words for screen readers
    _at_both_widths(j, f"/responses/{response.pk}/draft/versions/")
    added = j.page.locator(".changes ins").first
    assert "We **support** the rule with a call." in added.inner_text()
    assert "[added:" in added.text_content()
    assert j.page.locator(".changes del").count() >= 1

    # 6. endorsement, a confirmed step back to drafting, and endorsement again
    j.login(coordinator)
    j.go(f"/responses/{response.pk}/")
    j.submit("Move to: Endorsement")
    j.page.get_by_text("Other phase changes").click()
    j.click(j.page.get_by_role("link", name="Go back: reopen drafting…"))
    j.expect_text("Reopen drafting?")
    assert JointResponse.objects.get(pk=response.pk).state == Phase.ENDORSEMENT  # nothing moved yet
    j.submit("Reopen drafting")
    assert JointResponse.objects.get(pk=response.pk).state == Phase.DRAFTING
    MinorityView.objects.create(response=response, text="Keep weekend discharges as they are.")
    j.submit("Move to: Endorsement")
    for user in members[1:]:
        services.endorsement_cast(response=response, user=user, stance=Stance.ENDORSE)

    # 7. delivery: the checklist names the unanswered minority view before it goes
    j.go(f"/responses/{response.pk}/")
    j.click(j.page.get_by_role("link", name="Close endorsement and mark delivered"))
    _at_both_widths(j, f"/responses/{response.pk}/phase/delivered/")
    checklist = j.page.locator(".checklist")
    unanswered = MinorityView.objects.filter(response=response, answer="").count()
    assert unanswered >= 1
    assert f"{unanswered} minority view{'s have' if unanswered > 1 else ' has'} no answer yet" in checklist.inner_text()
    assert checklist.locator("li").first.get_attribute("class") == "check-gap"
    j.submit("Deliver the response")
    j.expect_text("Delivered.")
    assert JointResponse.objects.get(pk=response.pk).state == Phase.DELIVERED
    assert len(j.checked) >= 18
