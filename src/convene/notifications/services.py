"""The one way to tell people about something: `notify()`, and marking notifications read."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from convene.core.errors import InvalidInput

from . import mail, tasks
from .kinds import KINDS, Delivery
from .kinds import kind as kind_for
from .models import Notification, Preference

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
    mailed_elsewhere: bool = False,
) -> list[Notification]:
    """Tell each recipient (users or user ids) about ``obj``: one unread notification each.

    The person who caused the event (``actor``) is not told about their own act; inactive accounts
    and duplicates are skipped. ``text`` must already be safe to show to every recipient (never the
    author of anything in an anonymous response). Delivery by mail follows each person's
    preferences and happens after the transaction commits, outside the request. ``mailed_elsewhere=True``:
    the app mails this news itself (an invitation with its `.ics`), so the rows are stamped as mailed
    and no delivery task is enqueued.
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
            mailed_at=timezone.now() if mailed_elsewhere else None,
        )
        for user_id in sorted(active)
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        if mailed_elsewhere:
            return created
        now_ids = mail.immediate_recipients(kind, (n.recipient_id for n in created))
        batch = [n.pk for n in created if n.recipient_id in now_ids]
        if batch:  # one task for the whole batch, enqueued once the rows are committed
            transaction.on_commit(lambda: tasks.deliver_notifications.enqueue(batch))
    return created


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def preferences_set(*, user, choices: dict[str, str]) -> int:
    """Store the person's delivery choice for each kind in ``choices``; returns how many changed.

    A choice equal to the kind's default removes the stored row, so a later change of a default
    reaches everyone who never chose otherwise.
    """
    for code, delivery in choices.items():
        if code not in KINDS:
            raise InvalidInput(f"There is no kind of notification called “{str(code)[:40]}”.", field="kind")
        if delivery not in Delivery.values:
            raise InvalidInput(f"Choose one of {', '.join(Delivery.values)} for “{KINDS[code].label}”.", field=code)
    changed = 0
    with transaction.atomic():
        stored = dict(
            Preference.objects.select_for_update()
            .filter(user=user, kind__in=list(choices))
            .values_list("kind", "delivery")
        )
        for code, delivery in choices.items():
            current = stored.get(code, KINDS[code].default)
            if delivery == current:
                continue
            changed += 1
            if delivery == KINDS[code].default:
                Preference.objects.filter(user=user, kind=code).delete()
            else:
                Preference.objects.update_or_create(user=user, kind=code, defaults={"delivery": delivery})
    return changed


def unsubscribe(*, user_id: int, kind: str) -> list[str]:
    """What a signed unsubscribe link does: the kind (or, from a digest, every kind the person gets
    in that digest) is no longer mailed. Returns the kinds turned off."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return []
    if kind.startswith(mail.DIGEST_PREFIX):
        rhythm = kind.removeprefix(mail.DIGEST_PREFIX)
        chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
        kinds = [
            code
            for code, spec in KINDS.items()
            if not spec.urgent and mail.effective_delivery(code, chosen.get(code)) == rhythm
        ]
    else:
        kinds = [kind]
    preferences_set(user=user, choices=dict.fromkeys(kinds, Delivery.NEVER))
    return kinds


def personal_data_erase(user) -> None:
    """Notifications' part of a person leaving (core.hooks): all of theirs go."""
    Notification.objects.filter(recipient=user).delete()
