"""API routes for attachments: list a parent's files, upload (multipart/form-data), download, delete.

Errors are JSON like everywhere under /api/v1/: 413 for a file over the limit, 415 for contents
that are not an accepted kind (or do not match the name), 422 for an image without alt text or a
missing file. The download answers the file's bytes (never a redirect to a public address).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from convene.core.api import ERRORS, Error

from . import selectors, services
from .permissions import attachment_for, parent_for
from .views import file_response

router = Router(tags=["attachments"])

ParentKind = Literal["session", "response", "project", "thread"]


class AttachmentParentOut(Schema):
    kind: str
    id: int


class AttachmentOut(Schema):
    key: str = Field(description="Random and unguessable; the download path uses it")
    filename: str
    size: int
    content_type: str = Field(description="Told by the file's contents, not by the uploader")
    image: bool
    alt_text: str
    uploaded_by: str | None = Field(description="null on anonymous joint responses")
    created_at: datetime
    parent: AttachmentParentOut
    url: str = Field(description="The web download address (needs the same permission)")


UPLOAD_ERRORS = {**ERRORS, 413: Error, 415: Error}


def _out(attachment, kind: str, parent) -> dict:
    setattr(attachment, kind, parent)
    return selectors.as_dict(attachment)


@router.get(
    "/on/{kind}/{int:object_id}",
    response={200: list[AttachmentOut], **ERRORS},
    summary="The files of a session, joint response, project or thread",
)
def list_attachments(request, kind: ParentKind, object_id: int):
    parent = parent_for(request.user, kind, object_id)
    return [_out(a, kind, parent) for a in selectors.of_parent(kind, parent)]


@router.post(
    "/on/{kind}/{int:object_id}",
    response={201: AttachmentOut, **UPLOAD_ERRORS},
    summary="Attach a file (multipart/form-data: `file`, and `alt_text` for images)",
)
def upload_attachment(
    request,
    kind: ParentKind,
    object_id: int,
    file: File[UploadedFile],
    alt_text: Form[str] = "",
):
    parent = parent_for(request.user, kind, object_id, add=True)
    added = services.attachment_add(parent=parent, uploader=request.user, file=file, alt_text=alt_text)
    return Status(201, _out(added, kind, parent))


@router.get(
    "/files/{key}",
    response={200: None, **ERRORS},
    summary="Download a file (its bytes; images inline, other kinds as an attachment)",
)
def download_attachment(request, key: str):
    return file_response(attachment_for(request.user, key))


@router.delete("/files/{key}", response={204: None, **ERRORS}, summary="Remove a file")
def delete_attachment(request, key: str):
    attachment = attachment_for(request.user, key, remove=True)
    services.attachment_remove(attachment=attachment, actor=request.user)
    return Status(204, None)
