"""Reading attachments: a parent's list, one's own uploads (data download), a community's (export)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Attachment


def of_parent(kind: str, parent) -> QuerySet[Attachment]:
    return Attachment.objects.filter(**{kind: parent}).select_related("uploaded_by").order_by("created_at", "pk")


def names_hidden(attachment: Attachment) -> bool:
    """Anonymous joint responses never say who added a file."""
    return attachment.parent_kind == "response" and attachment.response.anonymous


def uploader_name(attachment: Attachment) -> str | None:
    """Who added it, "A former member" once they have left, None where names are never shown."""
    if names_hidden(attachment):
        return None
    if attachment.uploaded_by is None:
        return _("A former member")
    return attachment.uploaded_by.display_name


def download_url(attachment: Attachment) -> str:
    return reverse("attachments:download", args=[attachment.key])


def as_dict(attachment: Attachment) -> dict:
    """The API's and the personal data's view of one attachment (never the stored name)."""
    return {
        "key": attachment.key,
        "filename": attachment.filename,
        "size": attachment.size,
        "content_type": attachment.content_type.split(";")[0],
        "image": attachment.is_image,
        "alt_text": attachment.alt_text,
        "uploaded_by": uploader_name(attachment),
        "created_at": attachment.created_at,
        "parent": {"kind": attachment.parent_kind, "id": attachment.parent_id},
        "url": download_url(attachment),
    }


def personal_data(user) -> dict:
    """The files a person added: what they are and where, not their bytes (downloadable on the page)."""
    return {
        "attachments": [
            {
                "filename": a.filename,
                "size": a.size,
                "content_type": a.content_type.split(";")[0],
                "alt_text": a.alt_text,
                "attached_to": {"kind": a.parent_kind, "id": a.parent_id},
                "created_at": a.created_at.isoformat(),
            }
            for a in Attachment.objects.filter(uploaded_by=user).order_by("created_at", "pk")
        ]
    }


def community_metadata(community) -> list[dict]:
    """Metadata of the files on a community's sessions, joint responses, projects and threads
    (the community export; the bytes are not exported: docs/attachments.md)."""
    rows = (
        Attachment.objects.filter(
            Q(session__host=community)
            | Q(response__community=community)
            | Q(project__lead_community=community)
            | Q(thread__community=community)
        )
        .select_related("response", "uploaded_by")
        .order_by("pk")
    )
    return [
        {
            "filename": a.filename,
            "size": a.size,
            "content_type": a.content_type.split(";")[0],
            "alt_text": a.alt_text,
            "attached_to": {"kind": a.parent_kind, "id": a.parent_id},
            "uploaded_by": None if names_hidden(a) else a.uploaded_by_id,
            "created_at": a.created_at.isoformat(),
        }
        for a in rows
    ]
