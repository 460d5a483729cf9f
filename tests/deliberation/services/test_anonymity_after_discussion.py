"""A response cannot turn anonymous once people have discussed it under their names (issue 19: threads
exist only outside anonymous mode, and a later switch would put named posts beside an anonymous room)."""

from __future__ import annotations

import pytest

from convene.communities.models import Role
from convene.core.errors import Conflict
from convene.deliberation import services
from convene.discussions.services import thread_create

from ...factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _draft():
    community = CommunityFactory(slug="psy")
    cora = UserFactory(email="cora@example.com")
    MembershipFactory(community=community, user=cora, role=Role.COORDINATOR)
    response = services.response_create(community=community, creator=cora, title="Rota", what_changed="New rules")
    return community, cora, response


def test_a_discussed_response_stays_named():
    community, cora, response = _draft()
    thread_create(community=community, author=cora, title="Before we start", body="Thoughts?", about=response)
    with pytest.raises(Conflict, match="discussed") as refused:
        services.response_update(response=response, actor=cora, anonymous=True)
    assert refused.value.field == "anonymous"
    response.refresh_from_db()
    assert response.anonymous is False


def test_an_undiscussed_draft_can_turn_anonymous_and_back():
    community, cora, response = _draft()
    assert services.response_update(response=response, actor=cora, anonymous=True).anonymous is True
    assert services.response_update(response=response, actor=cora, anonymous=False).anonymous is False
