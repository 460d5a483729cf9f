"""The one way to tell people about something: `notify()`, and marking notifications read."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .kinds import kind as kind_for
from .models import Notification

TEXT_LIMIT = 500


def notify(
    *,
    recipients: Iterable,
    kind: str,
    obj: models.Model | None = None,
    text: str,
    url: str = "",
    community=None,
    actor=None,
) -> list[Notification]:
    """Tell each recipient (users or user ids) about ``obj``: one unread notification each.

    The person who caused the event (``actor``) is not told about their own act; inactive accounts
    and duplicates are skipped. ``text`` must already be safe to show to every recipient (never the
    author of anything in an anonymous response). Delivery by mail follows each person's
    preferences and happens after the transaction commits, outside the request.
    """
    kind_for(kind)  # refuses an unknown kind
    text = (text or "").strip()  # kept as written: a coordinator's message may have lines
    if not text:
        raise ValueError("a notification needs a text")
    if len(text) > TEXT_LIMIT:  # titles are the callers' users' words; cut, never refuse an event
        text = text[: TEXT_LIMIT - 1] + "…"
    ids = {getattr(r, "pk", r) for r in recipients}
    ids.discard(getattr(actor, "pk", actor))
    ids.discard(None)
    if not ids:
        return []
    active = get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            content_type=content_type,
            object_id=obj.pk if obj is not None else None,
            community=community,
            text=text,
            url=url,
        )
        for user_id in sorted(active)
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
    return created


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def personal_data_erase(user) -> None:
    """Notifications' part of a person leaving (core.hooks): all of theirs go."""
    Notification.objects.filter(recipient=user).delete()
