"""Insight pages: what each role sees, bad input, CSV, and a query count that does not grow."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from convene.communities.ledgers import contribution_record
from convene.communities.models import Role

from ..factories import MembershipFactory, UserFactory

URL = "/c/equity/insights/"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_coordinator_sees_everything(eq):
    html = _client(eq.coordinator).get(URL).content.decode()
    for text in ("Is everyone heard?", "Who has not been heard yet", "Whose turn is it?", "Trend over the last 12"):
        assert text in html
    assert 'id="voice-gini">0.75<' in html  # gini([6,3,3,1,1]+8 zeros) = 0.747
    assert "<svg" in html and "style=" not in html


def test_member_sees_only_aggregate_representation(eq):
    html = _client(eq.people[5]).get(URL).content.decode()
    assert "Who is in the community" in html
    assert "Is everyone heard?" not in html and "Lou" not in html and "Ada" not in html


def test_guest_is_refused(eq):
    assert _client(eq.guest).get(URL).status_code == 403


def test_bad_dates_answer_400_with_an_explanation(eq):
    response = _client(eq.coordinator).get(URL, {"from": "2026-02-31"})
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()
    response = _client(eq.coordinator).get(URL, {"from": "2026-02-02", "to": "2026-01-01"})
    assert response.status_code == 400 and "after the end date" in response.content.decode()


def test_empty_period_renders(eq):
    response = _client(eq.coordinator).get(URL, {"from": "2001-01-01", "to": "2001-02-01"})
    assert response.status_code == 200
    assert "No contributions were recorded in this period" in response.content.decode()


def test_csv_export_is_suppressed_and_nameless(eq):
    response = _client(eq.coordinator).get(URL + "export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["section", "measure", "dimension", "category", "period", "value"]
    assert ["representation", "people", "Discipline", "Not answered", "now", "< 5"] in rows
    values = [r[5] for r in rows[1:] if r[1] in ("people", "members", "total") and r[3] != "(hidden for privacy)"]
    assert all(r[5] == "" for r in rows[1:] if r[3] == "(hidden for privacy)")
    odd = [v for v in values if not (v == "< 5" or (v.startswith("~") and int(v[1:]) % 5 == 0))]
    assert values and not odd, odd
    for name in ("Ada", "Lou", "Cora", ",man,"):
        assert name not in body  # "man" (4 answers on the site) is never a row of its own
    assert _client(eq.coordinator).get(URL + "export.csv", {"to": "nope"}).status_code == 400
    assert _client(eq.people[0]).get(URL + "export.csv").status_code == 403


def test_csv_guards_against_formulas(eq):
    eq.people[0].profile.organisation = "=HYPERLINK(1)"
    eq.people[0].profile.save()
    for u in eq.people[1:6]:
        u.profile.organisation = "=HYPERLINK(1)"
        u.profile.save()
    body = _client(eq.coordinator).get(URL + "export.csv").content.decode()
    assert "'=HYPERLINK(1)" in body and ",=HYPERLINK" not in body


def test_not_heard_and_ledger_pages(eq):
    c = _client(eq.coordinator)
    html = c.get(URL + "not-heard/").content.decode()
    assert 'id="not-heard-count">8<' in html and "Kit" in html and "Ada" not in html
    html = c.get(URL + "opportunities/", {"order": "most"}).content.decode()
    assert html.index("Ada") < html.index("Lou")
    assert c.get(URL + "opportunities/", {"order": "sideways"}).status_code == 200
    assert c.get(URL + "not-heard/", {"to": "2026-99-01"}).status_code == 400


def test_rotation_page_and_htmx_partial(eq):
    c = _client(eq.coordinator)
    html = c.get(URL + "rotation/").content.decode()
    assert "Whose turn next?" in html and "Cora Coordinator" in html
    partial = c.get(URL + "rotation/", {"kind": "facilitator", "limit": "2"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'id="rotation-results"' in body and body.count("<tr>") == 3
    assert c.get(URL + "rotation/", {"limit": "500"}).status_code == 400
    assert c.get(URL + "rotation/", {"kind": "emperor"}).status_code == 400


def test_context_pages(eq, fake_contexts):
    fake_contexts["response:5"] = {
        "title": "Our answer on the new policy",
        "url": "/r/5/",
        "kind": "response",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in eq.people],
        "anonymous": True,
        "groups": {},
    }
    c = _client(eq.coordinator)
    html = c.get(URL + "contexts/").content.decode()
    assert "Our answer on the new policy" in html and "session:900" in html
    html = c.get(URL + "contexts/response:5/").content.decode()
    assert "anonymous response" in html and "<h3>Not yet heard" not in html and "Kit" not in html
    html = c.get(URL + "contexts/session:900/").content.decode()
    assert 'id="voice-gini">' in html
    assert c.get(URL + "contexts/session:424242/").status_code == 404
    assert c.get(URL + "contexts/not-a-context/").status_code == 404


@pytest.mark.parametrize("extra", [0, 30])
def test_dashboard_query_count_does_not_grow_with_members(eq, extra, django_assert_max_num_queries):
    for i in range(extra):
        user = UserFactory()
        MembershipFactory(community=eq.community, user=user, role=Role.MEMBER)
        contribution_record(community=eq.community, user=user, kind="vote", context=f"session:{i}")
    c = _client(eq.coordinator)
    # a fixed number: the site-wide category lists (one per diversity attribute) add a few
    with django_assert_max_num_queries(35):
        assert c.get(URL).status_code == 200


def test_context_csv_has_groups_and_voice_but_no_names(eq, fake_contexts):
    p = eq.people
    fake_contexts["session:900"] = {
        "title": "Discharge planning",
        "kind": "session",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in p[:6]] + [eq.guest.pk],
        "anonymous": False,
        "groups": {"Table 1": [u.pk for u in p[:3]], "Table 2": [u.pk for u in p[3:6]]},
    }
    c = _client(eq.coordinator)
    html = c.get(URL + "contexts/session:900/").content.decode()
    assert "contexts/session:900/export.csv" in html
    response = c.get(URL + "contexts/session:900/export.csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert ["groups", "people", "", "Table 1", "session:900", "< 5"] in rows
    # 6 heard, 3 not: the 3 are hidden, and with the total of 9 shown the 6 must go too
    heard = next(r for r in rows if r[:5] == ["voice", "people heard", "", "", "session:900"])
    assert heard[5] == "< 5" or heard[5].startswith("~")  # perturbed and rounded, never exact
    share_row = next(r for r in rows if r[:5] == ["voice", "share heard", "", "", "session:900"])
    assert share_row[5] == "hidden" or share_row[5].endswith("%")  # from the protected head counts (true 67 %)
    assert ["voice", "contribution gini", "", "", "session:900", "0.60"] in rows  # gini 0.5778, rounded to 0.05
    assert "Fay" in html  # not heard: the page names her ...
    cells = {cell for row in rows for cell in row}
    for name in ("Ada", "Di", "Ed", "Fay", "Vic Visitor"):
        assert name not in cells  # ... the CSV names nobody
    assert c.get(URL + "contexts/session:31337/export.csv").status_code == 404
    assert _client(eq.people[0]).get(URL + "contexts/session:900/export.csv").status_code == 403


def test_context_csv_of_an_anonymous_response_says_nothing_about_voice(eq, fake_contexts):
    fake_contexts["response:5"] = {
        "title": "Our answer",
        "kind": "response",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in eq.people],
        "anonymous": True,
        "groups": {},
    }
    body = _client(eq.coordinator).get(URL + "contexts/response:5/export.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert ["voice", "not recorded", "", "", "response:5", "anonymous response"] in rows
    assert not any(
        r[0] == "voice" and r[1] in ("people heard", "people not yet heard", "contribution gini") for r in rows
    )
    assert "Kit" not in body and "Lou" not in body


def test_kind_tables_show_people(eq):
    html = _client(eq.coordinator).get(URL).content.decode()
    assert 'id="voice-turn-people">about 5<' in html or 'id="voice-turn-people">fewer than 5<' in html
    assert 'id="voice-note-people">fewer than 5<' in html and 'id="voice-note-entries">fewer than 5<' in html
    assert 'id="opp-facilitator-people">fewer than 5<' in html


def test_a_community_with_nobody_heard_and_nothing_recorded_renders_everywhere(db):
    """One coordinator, no contributions, no opportunities, no answers: defined values, no 500."""
    from tests.conftest import ApiClient

    from ..factories import CommunityFactory

    community = CommunityFactory(slug="quiet")
    coordinator = UserFactory(name="Only Coordinator")
    MembershipFactory(community=community, user=coordinator, role=Role.COORDINATOR)
    c = _client(coordinator)
    base = "/c/quiet/insights/"
    for path in ("", "export.csv", "not-heard/", "opportunities/", "rotation/", "contexts/"):
        assert c.get(base + path).status_code == 200, path
    html = c.get(base).content.decode()
    assert 'id="voice-gini">not shown<' in html and "No contributions were recorded in this period" in html
    api = ApiClient(coordinator)
    for path in ("representation", "trend", "voice", "opportunities", "not-yet-heard", "contexts", "rotation"):
        assert api.get(f"/insights/communities/quiet/{path}").status_code == 200, path
    voice = api.get("/insights/communities/quiet/voice").json()
    assert voice["gini"] is None and voice["share_heard"] is None and voice["contributions"]["suppressed"]
