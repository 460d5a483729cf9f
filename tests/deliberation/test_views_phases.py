"""Phase buttons only move forward; going back, withdrawing and delivering are confirmed first,
delivery after a checklist of gaps."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from convene.deliberation import services
from convene.deliberation.models import JointResponse, MinorityView, Phase

from .conftest import vote_pattern


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _state(response):
    return JointResponse.objects.get(pk=response.pk).state


def test_the_phase_buttons_only_move_forward(boundary):
    b = boundary
    response = b.open_response()
    vote_pattern(response, b, b.statements(response))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    page = _client(b.coordinator).get(f"/responses/{response.pk}/").content.decode()
    buttons = page.split('id="phases"')[1].split("</section>")[0]
    assert "Move to: Endorsement" in buttons
    assert 'name="to" value="gathering"' not in buttons and 'name="to" value="withdrawn"' not in buttons
    assert f"/responses/{response.pk}/phase/gathering/" in buttons  # apart, behind "Other phase changes"
    assert f"/responses/{response.pk}/phase/withdrawn/" in buttons and "Other phase changes" in buttons


def test_going_back_needs_the_confirmation_page(boundary):
    b = boundary
    response = b.open_response()
    vote_pattern(response, b, b.statements(response))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    c = _client(b.coordinator)
    unconfirmed = c.post(f"/responses/{response.pk}/phase/", {"to": "gathering"})
    assert unconfirmed.status_code == 302 and unconfirmed["Location"] == f"/responses/{response.pk}/phase/gathering/"
    assert _state(response) == Phase.DRAFTING
    confirm = c.get(unconfirmed["Location"])
    assert confirm.status_code == 200 and b"Reopen gathering views?" in confirm.content
    assert b'name="confirm" value="yes"' in confirm.content
    done = c.post(f"/responses/{response.pk}/phase/", {"to": "gathering", "confirm": "yes"})
    assert done.status_code == 302 and _state(response) == Phase.GATHERING


def test_forward_moves_are_one_click_and_impossible_moves_are_refused(boundary):
    b = boundary
    response = b.open_response()
    c = _client(b.coordinator)
    assert c.post(f"/responses/{response.pk}/phase/", {"to": "drafting"}).status_code == 302
    assert _state(response) == Phase.DRAFTING
    # a confirmation page for a move the graph lacks (drafting -> delivered) sends back with a message
    refused = c.get(f"/responses/{response.pk}/phase/delivered/", follow=True)
    assert refused.status_code == 200 and "cannot move to" in refused.content.decode()
    # nor is a forward move given a confirmation page; an unknown phase is 404
    assert c.get(f"/responses/{response.pk}/phase/endorsement/").status_code == 302
    assert c.get(f"/responses/{response.pk}/phase/nonsense/").status_code == 404
    assert _client(b.members[0]).get(f"/responses/{response.pk}/phase/withdrawn/").status_code == 403


def test_withdrawing_is_confirmed(boundary):
    b = boundary
    response = b.open_response()
    c = _client(b.coordinator)
    assert c.post(f"/responses/{response.pk}/phase/", {"to": "withdrawn"}).status_code == 302
    assert _state(response) == Phase.GATHERING
    page = c.get(f"/responses/{response.pk}/phase/withdrawn/").content.decode()
    assert "cannot be reopened" in page and 'class="danger"' in page
    c.post(f"/responses/{response.pk}/phase/", {"to": "withdrawn", "confirm": "yes"})
    assert _state(response) == Phase.WITHDRAWN


def test_delivery_shows_the_checklist_before_it_goes(boundary):
    b = boundary
    response = b.open_response()
    vote_pattern(response, b, b.statements(response))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    MinorityView.objects.create(response=response, text="Keep direct referrals.")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    c = _client(b.coordinator)
    detail = c.get(f"/responses/{response.pk}/").content.decode()
    assert f'href="/responses/{response.pk}/phase/delivered/">Close endorsement and mark delivered' in detail
    assert c.post(f"/responses/{response.pk}/phase/", {"to": "delivered"}).status_code == 302
    assert _state(response) == Phase.ENDORSEMENT
    page = c.get(f"/responses/{response.pk}/phase/delivered/").content.decode()
    checklist = page.split('id="checklist"')[1].split("</section>")[0]
    assert "1 minority view has no answer yet" in checklist and "Keep direct referrals" in checklist
    assert "placeholder" in checklist and "To check: " in checklist
    assert "the gaps are warnings, not locks" in checklist
    c.post(f"/responses/{response.pk}/phase/", {"to": "delivered", "confirm": "yes"})
    assert _state(response) == Phase.DELIVERED
