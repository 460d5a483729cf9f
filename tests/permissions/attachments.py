"""Decisions for attachments. Order: anon, outsider, guest, member, coordinator.

A file answers like its parent: a session of the private community is 404 to its guest (guests see
only sessions they are invited to), a joint response 404 (it is not readable by guests), a project
is seen by its communities' guests, a thread is 403 to them (members only). Adding is for the
host's coordinators (sessions), coordinators (responses, projects) and members (threads); removing
for the uploader or coordinators. A key nobody holds is 404 to everyone.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from convene.attachments import services
from convene.convening.models import ActivityType
from convene.convening.services import session_create, session_transition
from convene.deliberation.models import JointResponse, Phase
from convene.discussions.models import Post, Thread
from convene.projects.models import Project

from ..attachments.files import pdf, png
from . import Case


def setup(world):
    o, users = world.objects, world.users
    coordinator, member = users["coordinator"], users["member"]
    session = session_create(
        host=world.private,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Files session",
        invited_communities=[world.public],
        starts_at=timezone.now() + timedelta(days=2),
    )
    session = session_transition(session=session, actor=coordinator, to="invitations_sent")
    response = JointResponse.objects.create(
        community=world.private,
        title="Consultation with a paper",
        what_changed="A paper to read.",
        state=Phase.GATHERING,
        gathering_ends=timezone.now() + timedelta(days=3),
    )
    response.communities.add(world.private)
    project = Project.objects.create(
        title="Files project", goal="Share files", requesting_contact="x@example.com", lead_community=world.private
    )
    project.communities.set([world.private])
    thread = Thread.objects.create(community=world.private, title="Files thread", created_by=member)
    Post.objects.create(thread=thread, author=member, body="See the file.")
    o.update(att_session=session, att_response=response, att_project=project, att_thread=thread)
    add = services.attachment_add
    o["file_session"] = add(parent=session, uploader=coordinator, file=pdf())
    o["file_response"] = add(parent=response, uploader=coordinator, file=pdf())
    o["file_project"] = add(parent=project, uploader=coordinator, file=png(), alt_text="A chart")
    o["file_thread"] = add(parent=thread, uploader=member, file=pdf())
    o["file_thread_coord"] = add(parent=thread, uploader=coordinator, file=pdf())


def _key(name):
    return lambda w: {"key": w.objects[name].key}


def _parent(kind):
    return lambda w: {"kind": kind, "object_id": w.objects[f"att_{kind}"].pk}


UPLOAD = {"alt_text": ""}
WRONG_KEY = lambda w: {"key": "n0tAKeyAnyoneHolds0000000000000000"}  # noqa: E731


def _upload(w):
    return {**UPLOAD, "file": pdf("minutes.pdf")}


WEB = [
    Case("attachments:download", (302, 404, 404, 200, 200), _key("file_session")),
    Case("attachments:download", (302, 404, 404, 200, 200), _key("file_response")),
    Case("attachments:download", (302, 404, 200, 200, 200), _key("file_project"), note="guests see projects"),
    Case("attachments:download", (302, 404, 403, 200, 200), _key("file_thread")),
    Case("attachments:download", (302, 404, 404, 404, 404), WRONG_KEY, note="a guessed key"),
    Case("attachments:add", (302, 404, 404, 403, 200), _parent("session")),
    Case("attachments:add", (302, 404, 404, 403, 302), _parent("session"), method="POST", data=_upload),
    Case("attachments:add", (302, 404, 404, 403, 302), _parent("response"), method="POST", data=_upload),
    Case("attachments:add", (302, 404, 403, 403, 302), _parent("project"), method="POST", data=_upload),
    Case("attachments:add", (302, 404, 403, 302, 302), _parent("thread"), method="POST", data=_upload),
    Case("attachments:remove", (302, 404, 404, 403, 302), _key("file_session"), method="POST"),
    Case("attachments:remove", (302, 404, 403, 302, 302), _key("file_thread"), method="POST", note="the uploader"),
    Case(
        "attachments:remove",
        (302, 404, 403, 403, 302),
        _key("file_thread_coord"),
        method="POST",
        note="someone else's: coordinators only",
    ),
]

LIST = "GET /api/v1/attachments/on/{kind}/{object_id}"
POST = "POST /api/v1/attachments/on/{kind}/{object_id}"
API = [
    Case(LIST, (401, 404, 404, 200, 200), _parent("session")),
    Case(LIST, (401, 404, 404, 200, 200), _parent("response")),
    Case(LIST, (401, 404, 200, 200, 200), _parent("project")),
    Case(LIST, (401, 404, 403, 200, 200), _parent("thread")),
    Case(POST, (401, 404, 404, 403, 201), _parent("session"), data=_upload, extra={"multipart": True}),
    Case(POST, (401, 404, 403, 201, 201), _parent("thread"), data=_upload, extra={"multipart": True}),
    Case("GET /api/v1/attachments/files/{key}", (401, 404, 404, 200, 200), _key("file_session")),
    Case("GET /api/v1/attachments/files/{key}", (401, 404, 404, 404, 404), WRONG_KEY),
    Case("DELETE /api/v1/attachments/files/{key}", (401, 404, 404, 403, 204), _key("file_session")),
    Case("DELETE /api/v1/attachments/files/{key}", (401, 404, 403, 204, 204), _key("file_thread")),
]
