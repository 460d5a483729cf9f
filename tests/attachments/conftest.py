from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.convening.models import ActivityType
from convene.convening.services import session_create, session_transition
from convene.discussions.models import Post, Thread
from convene.projects.models import Project

from ..worlds import gathering_response


@pytest.fixture
def media(settings, tmp_path):
    """A fresh MEDIA_ROOT for this test: what the storage writes can be looked at on disk."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def parents(world):
    coordinator = world.users["coordinator"]
    session = session_create(
        host=world.private,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Handover review",
        starts_at=timezone.now() + timedelta(days=2),
        invited_communities=[world.public],
    )
    session = session_transition(session=session, actor=coordinator, to="invitations_sent")
    response = gathering_response(world.private, title="Discharge letters", what_changed="A new template.")
    anonymous = gathering_response(world.private, title="Night shifts", what_changed="Rota changes.", anonymous=True)
    project = Project.objects.create(
        title="Rota report", goal="Automate", requesting_contact="x@example.com", lead_community=world.private
    )
    project.communities.set([world.private])
    thread = Thread.objects.create(community=world.private, title="Shift swaps", created_by=world.users["member"])
    Post.objects.create(thread=thread, author=world.users["member"], body="Files here.")
    return {"session": session, "response": response, "anonymous": anonymous, "project": project, "thread": thread}
