"""The draft page: formatted paragraphs, the toolbar and preview, word-level version history."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from convene.deliberation import services
from convene.deliberation.models import DraftVersion, Phase

from .conftest import vote_pattern


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _drafting(b):
    response = b.open_response()
    vote_pattern(response, b, b.statements(response))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    return response


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_paragraphs_are_formatted_text_not_raw_markdown(boundary):
    b = boundary
    response = _drafting(b)
    page = _client(b.members[0]).get(f"/responses/{response.pk}/draft/").content.decode()
    text = page.split('id="paras"')[1].split('id="minority"')[0]
    assert "<h4>What we agree on</h4>" in text and "<li>" in text
    assert "## What we agree on" not in text and "- " not in text.replace("&quot;- ", "")
    assert "<h1>" not in text and "<h2>What we agree on" not in text  # the page's own headings stay above


def test_editing_has_a_toolbar_help_and_a_preview_that_saves_nothing(boundary):
    b = boundary
    response = _drafting(b)
    c = _client(b.members[0])
    page = c.get(f"/responses/{response.pk}/draft/").content.decode()
    assert 'class="md-toolbar"' in page and 'data-md="bold"' in page and 'name="preview"' in page
    assert 'aria-describedby="id_text_helptext"' in page and 'id="id_text_helptext"' in page
    body = {"text": "## Our answer\n\nWe **support** it.", "base_version": 1, "preview": "1"}
    fragment = c.post(f"/responses/{response.pk}/draft/", body, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert "<h4>Our answer</h4>" in html and "<strong>support</strong>" in html and "Preview (not saved)" in html
    full = c.post(f"/responses/{response.pk}/draft/", body)  # without JavaScript: the page with the preview
    assert full.status_code == 200 and b"<strong>support</strong>" in full.content
    assert b"We **support** it." in full.content  # the typed text stays in the box
    assert DraftVersion.objects.filter(response=response).count() == 1
    response.refresh_from_db()
    assert response.draft_version == 1


def test_preview_refuses_people_who_cannot_edit(boundary):
    b = boundary
    response = _drafting(b)
    body = {"text": "Anything", "base_version": 1, "preview": "1"}
    assert _client(b.guest).post(f"/responses/{response.pk}/draft/", body).status_code in (403, 404)
    assert Client().post(f"/responses/{response.pk}/draft/", body).status_code in (302, 403, 404)


def test_version_history_shows_words_added_and_removed(boundary):
    b = boundary
    response = _drafting(b)
    text = response.draft_text.replace("(Write the community's answer here.)", "We support the rule with a call.")
    services.draft_save(response=response, user=b.members[0], text=text, base_version=1)
    page = _client(b.members[1]).get(f"/responses/{response.pk}/draft/versions/").content.decode()
    assert (
        '<ins><span class="sr-only">[added: </span>We support the rule with a call.<span class="sr-only">]</span></ins>'
        in page
    )
    assert '<del><span class="sr-only">[removed: </span>(Write the community&#x27;s answer here.)' in page
    assert "paragraphs unchanged" in page
    assert "@@" not in page and "+++" not in page  # no raw unified diff
