import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from convene.deliberation import services
from convene.deliberation.models import Phase, Vote

from ..factories import MembershipFactory, UserFactory
from .conftest import vote_pattern


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_vote_with_htmx_returns_the_next_card(boundary):
    b = boundary
    response = b.open_response()
    s1 = b.statement(response, "First view.")
    b.statement(response, "Second view.")
    c = _client(b.members[0])
    page = c.get(f"/responses/{response.pk}/vote/")
    assert b'accesskey="a"' in page.content and b"hx-post" in page.content
    r = c.post(f"/responses/{response.pk}/vote/", {"statement": s1.pk, "value": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"Vote recorded." in r.content and b"<html" not in r.content
    assert b"Second view." in r.content
    # plain-form fallback redirects; a double submit changes nothing
    r = c.post(f"/responses/{response.pk}/vote/", {"statement": s1.pk, "value": "1"})
    assert r.status_code == 302
    assert Vote.objects.filter(statement=s1).count() == 1


def test_vote_after_gathering_is_refused_with_409(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "A view.")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    r = _client(b.members[0]).post(f"/responses/{response.pk}/vote/", {"statement": s.pk, "value": "1"})
    assert r.status_code == 409 and b"Voting has ended" in r.content


def test_request_form_past_deadline_and_rate_limit(boundary):
    c = Client()
    data = {
        "requester_name": "Ada",
        "organisation": "Board",
        "contact": "ada@board.example",
        "question": "Q?",
        "deadline": (date.today() - timedelta(days=1)).isoformat(),
    }
    r = c.post("/c/psy/ask/", data)
    assert r.status_code == 400 and b"already passed" in r.content
    data["deadline"] = (date.today() + timedelta(days=9)).isoformat()
    for _ in range(4):
        assert c.post("/c/psy/ask/", data).status_code == 302
    assert c.post("/c/psy/ask/", data).status_code == 429


def test_map_page_has_accessible_chart_and_coverage_names_for_coordinators(boundary):
    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"View {i}") for i in range(4)]
    vote_pattern(response, b, statements[:])
    page = _client(b.members[0]).get(f"/responses/{response.pk}/map/")
    assert b"<title" in page.content and b"<caption>Participants' positions</caption>" in page.content
    assert b"Group A" in page.content and b"Group B" in page.content
    quiet = UserFactory(email="quiet@example.com", name="Quiet Quinn")
    MembershipFactory(community=b.sw, user=quiet)
    detail = _client(b.coordinator).get(f"/responses/{response.pk}/")
    assert b"Quiet Quinn" in detail.content
    assert b"Quiet Quinn" not in _client(b.members[0]).get(f"/responses/{response.pk}/").content


def test_stale_draft_save_keeps_the_text_and_says_409(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "A view.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    services.draft_save(response=response, user=b.members[0], text="Someone else's text", base_version=1)
    r = _client(b.members[1]).post(f"/responses/{response.pk}/draft/", {"text": "My careful words", "base_version": 1})
    assert r.status_code == 409
    assert b"My careful words" in r.content and b"was not saved" in r.content


def test_exports(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "A view.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    c = _client(b.members[0])
    md = c.get(f"/responses/{response.pk}/final.md")
    assert md.status_code == 200 and b"## Minority views" in md.content
    docx = c.get(f"/responses/{response.pk}/final.docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "What we agree on" in text
    assert c.get(f"/responses/{response.pk}/final.json").json()["title"] == response.title
    assert c.get(f"/responses/{response.pk}/final.pdf").status_code == 200
    assert c.get(f"/responses/{response.pk}/final.rtf").status_code == 404
    assert c.get(f"/responses/{response.pk}/polis.zip").status_code == 200


def test_every_download_is_audited_without_content(boundary):
    """One audit entry per download of a response (page and API), naming the format and never content."""
    from convene.communities.models import AuditEntry

    b = boundary
    response = b.open_response()
    s = b.statement(response, "A view nobody should find in the log.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    AuditEntry.objects.all().delete()
    c = _client(b.members[0])
    for path in ("final.md", "final.docx", "final.json", "polis.zip", "final.pdf", "final.rtf"):
        c.get(f"/responses/{response.pk}/{path}")
    assert c.get(f"/api/v1/deliberation/responses/{response.pk}/document").status_code == 200
    assert c.get(f"/api/v1/deliberation/responses/{response.pk}/polis-export").status_code == 200
    entries = list(AuditEntry.objects.filter(action="response_exported").order_by("pk"))
    assert [(e.detail["format"], e.detail["via"]) for e in entries] == [
        ("markdown", "web"),
        ("docx", "web"),
        ("json", "web"),
        ("polis", "web"),
        ("pdf", "web"),
        ("json", "api"),
        ("polis", "api"),
    ]  # the refused .rtf left no entry
    assert {(e.actor_id, e.subject, e.community_id) for e in entries} == {
        (b.members[0].pk, f"response:{response.pk}", response.community_id)
    }
    assert AuditEntry.objects.count() == len(entries)
    assert "nobody should find" not in str([(e.subject, e.detail) for e in entries])
