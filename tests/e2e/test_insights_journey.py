"""A coordinator walks the insight dashboards over the demo data; the numbers on screen are
checked against the equity engine computed here, straight from the ledgers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest

from convene.accounts.models import User
from convene.communities import demo as communities_demo
from convene.communities.ledgers import contribution_record
from convene.communities.models import Community, Contribution, Membership, OpportunityEntry
from convene.engines import equity
from convene.insights import demo as insights_demo
from convene.insights import selectors
from convene.insights.periods import default_period, last_months


def _axe_clean(j) -> None:
    """Stricter than the journey's own check: no axe violation of any impact on insight pages."""
    violations = j.axe.run(j.page).response["violations"]
    assert not violations, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def _text(j, selector: str) -> str:
    return j.page.locator(selector).inner_text().strip()


def _expected(community):
    """Engine values from plain loops over the ledger rows, independent of the selectors' SQL."""
    period = default_period()
    members = [m.user_id for m in Membership.objects.filter(community=community).exclude(role="guest")]
    counts = dict.fromkeys(members, 0)
    for c in Contribution.objects.filter(community=community):
        if c.user_id in counts and period.since <= c.occurred_at < period.until:
            counts[c.user_id] += 1
    opps = dict.fromkeys(members, 0)
    for o in OpportunityEntry.objects.filter(community=community):
        if o.user_id in opps and period.since <= o.occurred_at < period.until:
            opps[o.user_id] += 1
    disciplines: dict[str, int] = {}
    for uid in members:
        d = " ".join(User.objects.get(pk=uid).profile.discipline.split()).lower()
        if d:
            disciplines[d] = disciplines.get(d, 0) + 1
    values = list(counts.values())
    turns = {
        c.user_id
        for c in Contribution.objects.filter(community=community, kind="turn")
        if c.user_id in counts and period.since <= c.occurred_at < period.until
    }
    # one closed month of the trend: its population is the members who had joined by its end plus
    # any member who took part in it before joining (the demo's archive predates the memberships)
    month = last_months(12)[-3]
    joined = [
        m.user_id
        for m in Membership.objects.filter(community=community).exclude(role="guest")
        if m.joined_at < month.end
    ]
    in_month = dict.fromkeys(joined, 0)
    for c in Contribution.objects.filter(community=community):
        if c.user_id in counts and month.start <= c.occurred_at < month.end:
            in_month[c.user_id] = in_month.get(c.user_id, 0) + 1
    month_values = list(in_month.values())
    return {
        "turn_people": str(len(turns)) if len(turns) >= 5 else "< 5",
        "month": month.label,
        "month_gini": f"{equity.gini(month_values):.2f}",
        "month_heard": f"{equity.share_heard(month_values) * 100:.0f} %",
        "month_contributions": str(sum(month_values)) if sum(1 for v in month_values if v) >= 5 else "< 5",
        "gini": f"{equity.gini(values):.2f}",
        "heard": f"{equity.share_heard(values) * 100:.0f} %",
        "quiet": sum(1 for v in values if v == 0),
        "opp_gini": f"{equity.gini(list(opps.values())):.2f}",
        "blau_discipline": f"{equity.blau(list(disciplines.values())):.2f}",
        "members": len(members),
    }


@pytest.mark.django_db(transaction=True)
def test_coordinator_reads_the_dashboards(journey):
    j = journey
    j.page.set_default_timeout(30_000)  # the demo is bigger than a factory world; CI machines are shared
    communities_demo.load()
    insights_demo.load()
    psychiatry = Community.objects.get(slug="psychiatry")
    expected = _expected(psychiatry)
    assert expected["quiet"] > 0 and float(expected["gini"]) > 0  # the demo has silent members

    j.login(User.objects.get(email="coordinator@example.org"))
    j.go("/c/psychiatry/")
    j.click(j.page.get_by_role("link", name="Insights", exact=True))
    j.expect_text("Inclusion and equity in Acute Psychiatry Practice Network")
    # protected figures (docs/privacy.md): the page shows what the selectors give, perturbed and
    # rounded to 5, indices rounded to 0.05; the true values are only near them
    board = selectors.community_dashboard(psychiatry, default_period(), full=True, cache=False)
    assert _text(j, "#rep-population") == str(board.representation.population).capitalize()
    assert abs(board.representation.population.value - expected["members"]) <= 4
    disc = {b.key: b for b in board.representation.breakdowns}["discipline"]
    assert _text(j, "#blau-discipline") == ("not shown" if disc.blau is None else f"{disc.blau:.2f}")
    assert _text(j, "#voice-gini") == f"{board.voice.gini:.2f}"
    assert abs(board.voice.gini - float(expected["gini"])) <= 0.025 + 1e-9
    assert _text(j, "#voice-heard") == str(board.voice.share_shown)
    assert _text(j, "#opp-gini") == f"{board.opportunities.gini:.2f}"
    assert j.page.locator("#trend-voice-table tbody tr").count() == 12  # each chart's own table
    _axe_clean(j)
    turns = {k.kind: k for k in board.voice.by_kind}["turn"]
    assert _text(j, "#voice-turn-people") == str(turns.people)  # distinct people, not turns
    m = expected["month"]
    row = next(r for r in board.trend.rows if r["month"] == m)
    gini = _text(j, f"#trend-{m}-gini")  # a withheld index is a dash read out as "not shown"
    assert gini.endswith("not shown") if row["gini"] is None else gini == f"{row['gini']:.2f}"
    assert _text(j, f"#trend-{m}-heard") == row["heard"].short
    assert _text(j, f"#trend-{m}-contributions") == row["contributions"].short
    # a backdated contribution in that month reaches the (cached) trend on the next visit
    late = Membership.objects.filter(community=psychiatry, role="member", joined_at__lt=last_months(12)[-3].start)
    late_user = late.order_by("user__email").first().user
    contribution_record(
        community=psychiatry,
        user=late_user,
        kind="note",
        context="archive:late",
        occurred_at=last_months(12)[-3].start + dt.timedelta(days=1),
    )
    expected_after = _expected(psychiatry)
    assert expected_after["month_contributions"] != expected["month_contributions"]  # so a stale cache would show
    j.go("/c/psychiatry/insights/")
    fresh = next(r for r in selectors.community_trend(psychiatry, cache=False).rows if r["month"] == m)
    assert _text(j, f"#trend-{m}-heard") == fresh["heard"].short  # the page follows a fresh computation
    assert _text(j, f"#trend-{m}-contributions") == fresh["contributions"].short
    assert j.page.locator("svg[role=img]").count() >= 3

    # a bad date explains itself and keeps the page usable
    j.go("/c/psychiatry/insights/?from=2026-02-31")
    j.expect_text("is not a date")

    # who has not been heard yet: names for the coordinator
    j.go("/c/psychiatry/insights/")
    j.click(j.page.get_by_role("link", name="Who has not been heard yet in this period"))
    assert _text(j, "#not-heard-count") == str(expected["quiet"])
    _axe_clean(j)

    # the opportunity ledger, then whose turn it is to facilitate (htmx, and a plain form without it)
    j.click(j.page.get_by_role("link", name="Opportunity ledger"))
    assert _text(j, "#ledger-gini") == f"{board.opportunities.gini:.2f}"  # rounded to 0.05
    assert abs(board.opportunities.gini - float(expected["opp_gini"])) <= 0.025 + 1e-9
    _axe_clean(j)
    j.click(j.page.get_by_role("link", name="Whose turn next"))
    j.page.get_by_label("Role to fill").select_option("facilitator")
    j.page.get_by_role("button", name="Suggest").click()
    j.page.wait_for_url("**kind=facilitator**")
    j.check()
    first = selectors.rotation_suggestion(psychiatry, kind="facilitator", limit=5)[0]
    j.expect_text(first.name)
    _axe_clean(j)

    # one past meeting, checked against the engine
    j.click(j.page.get_by_role("link", name="Sessions, responses and projects"))
    link = j.page.locator("tbody a").first
    context = unquote(link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1])  # the link reads as words
    j.click(link)
    rows = Contribution.objects.filter(community=psychiatry, context=context)
    per_person: dict[int, int] = {}
    for c in rows:
        per_person[c.user_id] = per_person.get(c.user_id, 0) + 1
    shown = selectors.context_report(psychiatry, context, with_names=True).voice.gini
    assert _text(j, "#voice-gini") == ("not shown" if shown is None else f"{shown:.2f}")
    assert shown is None or shown == selectors.coarse(equity.gini(list(per_person.values())))  # rounded to 0.05
    _axe_clean(j)

    # an anonymous response: no voice and no names, on the page, in the API and in the CSV
    from convene.deliberation import services as deliberation

    coordinator = User.objects.get(email="coordinator@example.org")
    response = deliberation.response_create(
        community=psychiatry, creator=coordinator, title="Anonymous answer on restraint", what_changed="A new rule."
    )
    deliberation.response_update(response=response, actor=coordinator, anonymous=True)
    ctx = f"response:{response.pk}"
    j.go(f"/c/psychiatry/insights/contexts/{ctx}/")
    j.expect_text("This is an anonymous response")
    assert j.page.get_by_role("heading", name="Not yet heard").count() == 0
    assert j.page.locator("#voice-gini").count() == 0
    _axe_clean(j)
    api = j.page.request.get(f"{j.base_url}/api/v1/insights/communities/psychiatry/contexts/{ctx}")
    assert api.status == 200 and api.json()["not_yet_heard"] is None and api.json()["voice"] is None
    csv_text = j.page.request.get(f"{j.base_url}/c/psychiatry/insights/contexts/{ctx}/export.csv").text()
    assert "anonymous response" in csv_text and "not yet heard" not in csv_text
    names = [m.user.display_name for m in Membership.objects.filter(community=psychiatry).select_related("user")]
    assert not [n for n in names if f",{n}," in csv_text or csv_text.rstrip().endswith(n)]

    # a member sees who the community is, not who spoke
    j.login(User.objects.get(email="member01@example.org"))
    j.go("/c/psychiatry/insights/")
    j.expect_text("Who is in the community")
    assert j.page.locator("#voice-gini").count() == 0
    assert j.page.get_by_text("Is everyone heard?").count() == 0
    _axe_clean(j)
