"""Adding and removing attachments. Keyword-only, atomic; the bytes go through the storage API.

The kind of a file comes from its first bytes (kinds.sniff), never from the name or the type the
client claims; the name's extension must agree with the contents (a PNG named .pdf is refused),
and a name without one gets the right one. Images need a text alternative.
"""

from __future__ import annotations

import posixpath
import re
import secrets
import unicodedata

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _

from convene.communities.models import Membership
from convene.convening.models import Session
from convene.core.errors import Conflict, InvalidInput, TooLarge, Unprocessable, UnsupportedType
from convene.core.text import BIDI_CONTROLS, clean_text, text_problem
from convene.deliberation.models import JointResponse
from convene.discussions.models import MEMBER_ROLES, Follow, Thread
from convene.notifications.services import notify
from convene.projects.models import Project

from .kinds import HEAD_BYTES, KINDS, canonical, sniff
from .models import ALT_LIMIT, FILENAME_LIMIT, Attachment
from .storage import attachment_storage

_PARENT_FIELDS = ((Session, "session"), (JointResponse, "response"), (Project, "project"), (Thread, "thread"))
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*;]')


def allowed_kinds() -> list[str]:
    """The kinds the settings allow (CONVENE_ATTACHMENT_TYPES, aliases such as jpeg folded in)."""
    wanted = {canonical(ext) for ext in settings.CONVENE_ATTACHMENT_TYPES}
    return [kind for kind in KINDS if kind in wanted]


def allowed_text() -> str:
    return ", ".join(kind.upper() for kind in allowed_kinds())


def max_bytes() -> int:
    return settings.CONVENE_ATTACHMENT_MAX_BYTES


def clean_filename(name: str | None) -> str:
    """The last part of the name a client sent, without folders, control or bidi characters,
    characters that file systems or headers treat specially, or leading dots; at most
    FILENAME_LIMIT characters, keeping the extension. Empty when nothing usable is left."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c not in BIDI_CONTROLS and unicodedata.category(c) not in ("Cf", "Cc"))
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > FILENAME_LIMIT:
        stem, ext = posixpath.splitext(name)
        ext = ext[:10]
        name = stem[: FILENAME_LIMIT - len(ext)].rstrip(" .") + ext
    return name


def _parent_field(parent) -> str:
    for model, field in _PARENT_FIELDS:
        if isinstance(parent, model):
            return field
    raise InvalidInput(_("Files can only belong to a session, a joint response, a project or a thread."))


def _check_kind(upload, name: str) -> tuple[str, str]:
    """(kind, name with the right extension); UnsupportedType when the contents are not taken."""
    stem, ext = posixpath.splitext(name)
    ext = canonical(ext)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    kind = sniff(head, upload, extension=ext)
    upload.seek(0)
    allowed = allowed_kinds()
    if kind is None or kind not in allowed:
        raise UnsupportedType(
            _("“%(name)s” is not a kind of file Convene takes. Accepted: %(kinds)s.")
            % {"name": name, "kinds": allowed_text()},
            field="file",
        )
    if not ext:
        return kind, f"{stem or 'file'}.{kind}"
    if ext != kind:
        if ext in KINDS:
            message = _(
                "“%(name)s” is named as a %(named)s but its contents are a %(found)s. "
                "Rename it, or choose the file you meant."
            ) % {"name": name, "named": KINDS[ext].label, "found": KINDS[kind].label}
        else:
            message = _("Files ending in .%(ext)s are not taken. Accepted: %(kinds)s.") % {
                "ext": ext,
                "kinds": allowed_text(),
            }
        raise UnsupportedType(message, field="file")
    return kind, name


@transaction.atomic
def attachment_add(*, parent, uploader, file, alt_text: str = "") -> Attachment:
    """Store `file` (a Django File or UploadedFile) as an attachment of `parent`.

    Refused: an empty file or one over CONVENE_ATTACHMENT_MAX_BYTES (413), contents that are not
    an accepted kind or do not match the name's extension (415), an image without alt text (422),
    a hidden thread (409). Who may add is checked by the caller (permissions.parent_for)."""
    field = _parent_field(parent)
    if field == "thread" and parent.is_hidden:
        raise Conflict(_("This thread is hidden: it takes no files."))
    name = clean_filename(getattr(file, "name", ""))
    size = file.size
    if not size:
        raise InvalidInput(_("The file is empty."), field="file")
    if size > max_bytes():
        raise TooLarge(
            _("“%(name)s” is %(size)s; a file can be at most %(limit)s.")
            % {"name": name or _("The file"), "size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
            field="file",
        )
    kind, name = _check_kind(file, name)
    alt_text = clean_text(alt_text, field="alt_text", limit=ALT_LIMIT, label=_("Alt text"))
    problem = text_problem(alt_text)
    if problem:  # multipart fields do not pass the API's JSON text guard: checked here
        raise InvalidInput(_("Alt text %(problem)s.") % {"problem": problem}, field="alt_text")
    if KINDS[kind].image and not alt_text:
        raise Unprocessable(
            _("Describe the image in a few words (alt text): people who cannot see it read or hear this instead."),
            field="alt_text",
        )
    if not KINDS[kind].image:
        alt_text = ""
    key = secrets.token_urlsafe(24)
    storage = attachment_storage()
    stored = storage.save(f"attachments/{key}.{kind}", file)
    try:
        added = Attachment.objects.create(
            key=key,
            uploaded_by=uploader,
            filename=name,
            stored_name=stored,
            size=size,
            content_type=KINDS[kind].content_type,
            kind=kind,
            alt_text=alt_text,
            **{field: parent},
        )
    except Exception:
        storage.delete(stored)  # a row that could not be written leaves no file behind
        raise
    if field == "thread":
        _tell_followers(added, parent, uploader)
    return added


def _tell_followers(attachment: Attachment, thread: Thread, uploader) -> None:
    """A file in a thread reaches its followers like a reply does (same kind, same preferences)."""
    members = Membership.objects.filter(community_id=thread.community_id, role__in=MEMBER_ROLES).values("user_id")
    followers = set(Follow.objects.filter(thread=thread, user_id__in=members).values_list("user_id", flat=True))
    if not followers:
        return
    name = uploader.display_name if uploader else _("Someone")
    notify(
        recipients=followers,
        kind="discussion.reply",
        obj=thread,
        text=_("%(name)s added a file in “%(title)s”: %(file)s")
        % {"name": name, "title": thread.title, "file": attachment.filename},
        url=reverse("discussions:thread", args=[thread.pk]) + "#attachments",
        community=thread.community,
        actor=uploader,
    )


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    """Delete the row; the stored file goes when the transaction commits (signals.py).
    Who may remove is checked by the caller (permissions.attachment_for(remove=True))."""
    attachment.delete()


def personal_data_erase(user) -> None:
    """A person leaving: the files they added stay with their session, response, project or
    thread (the community's record, like their statements), shown as added by a former member."""
    Attachment.objects.filter(uploaded_by=user).update(uploaded_by=None)
