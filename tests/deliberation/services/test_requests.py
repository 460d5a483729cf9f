"""services/requests.py: requests for opinion from outside organisations."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import services
from convene.deliberation.models import Phase, RequestStatus


def test_opinion_request_lifecycle(boundary, django_capture_on_commit_callbacks):
    b = boundary
    with pytest.raises(InvalidInput) as exc:
        services.opinion_request_submit(
            community=b.psy,
            requester_name="Ada",
            organisation="Health Board",
            contact="ada@board.example",
            question="What do you think?",
            deadline=date.today() - timedelta(days=1),
        )
    assert exc.value.field == "deadline"
    with django_capture_on_commit_callbacks(execute=True):
        req = services.opinion_request_submit(
            community=b.psy,
            requester_name="Ada",
            organisation="Health Board",
            contact="ada@board.example",
            question="What do you think of the new discharge rule?",
            deadline=date.today() + timedelta(days=40),
        )
    assert any(req.token in m.body for m in mail.outbox)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = services.opinion_request_accept(
            opinion_request=req, actor=b.coordinator, gathering_ends=now + timedelta(days=5)
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.ACCEPTED and response.kind == "request" and response.state == Phase.DRAFT
    with pytest.raises(Conflict):
        services.opinion_request_decline(opinion_request=req, actor=b.coordinator, reason="no")
    with pytest.raises(InvalidInput, match="deadline"):
        services.response_update(response=response, actor=b.coordinator, endorsement_ends=now + timedelta(days=90))


def test_decline_shows_reason(boundary):
    req = services.opinion_request_submit(
        community=boundary.psy,
        requester_name="Bo",
        organisation="Vendor",
        contact="bo@vendor.example",
        question="Will you endorse our product?",
        deadline=date.today() + timedelta(days=10),
    )
    services.opinion_request_decline(
        opinion_request=req, actor=boundary.coordinator, reason="We do not endorse products."
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.DECLINED and req.decline_reason == "We do not endorse products."
