"""Mail of notifications: one message per notification sent immediately, one digest per person.

Everything here runs in a worker (`tasks.py`) or the `convene digest` command, never in a request.
Messages are built from `templates/email/` (an HTML and a plain-text part from one base layout) and
carry RFC 8058 one-click unsubscribe headers whose link is signed per person and kind.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from convene.core.hooks import first
from convene.core.text import header_safe

from .kinds import KINDS, Delivery
from .models import Notification, Preference

UNSUBSCRIBE_SALT = "convene.notifications.unsubscribe"
DIGEST_PREFIX = "digest:"  # the "kind" of an unsubscribe link in a digest: every kind on that rhythm
FAILURE_LIMIT = 200  # Notification.mail_failed
# A digest looks back this far: older unmailed rows (kinds set to "never", a long outage) are not
# news any more, and the bound keeps the digest's scan from growing with the table.
DIGEST_WINDOW = dt.timedelta(days=30)
BATCH = 100  # digest: people whose mails go over one SMTP connection, then are marked mailed in one UPDATE
SENDERS = 8  # digest: batches being sent at once (threads: the SMTP waits overlap the rendering)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@cache
def _path(name: str) -> str:
    """A fixed path of this app, reversed once per process (a digest builds thousands of mails)."""
    return reverse(f"notifications:{name}")


@cache
def _unsubscribe_prefix() -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": "T"})[:-2]


# ----------------------------------------------------------------------------- unsubscribe links


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed, non-expiring token naming one person and one kind (or `digest:<rhythm>`)."""
    return signing.dumps([int(user_id), kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None for a forged, damaged or outdated one."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    if kind not in KINDS and kind not in {DIGEST_PREFIX + Delivery.DAILY, DIGEST_PREFIX + Delivery.WEEKLY}:
        return None
    return user_id, kind


def unsubscribe_url(user_id: int, kind: str) -> str:
    return site_url(f"{_unsubscribe_prefix()}{unsubscribe_token(user_id, kind)}/")


def _headers(unsubscribe: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


@cache
def _template(name: str):
    """Each mail template is loaded and compiled once per process (a digest renders thousands)."""
    return get_template(name)


def _message(
    *, to: str, subject: str, template: str, context: dict, headers: dict, reply_to: str | None = None
) -> EmailMultiAlternatives:
    context = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": site_url(_path("preferences")),
        **context,
    }
    text = _template(f"email/{template}.txt").render(context)
    html = _template(f"email/{template}.html").render(context)
    message = EmailMultiAlternatives(
        subject=header_safe(f"[Convene] {subject}")[:250],
        body=text,
        to=[to],
        headers=headers,
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


# ----------------------------------------------------------------------------- who gets what, when


def effective_delivery(kind: str, chosen: str | None) -> str:
    """What happens to a notification of `kind` for a person whose choice is `chosen` (None: default).
    Urgent kinds go out at once unless the person chose "never"."""
    spec = KINDS.get(kind)
    if spec is None:
        return Delivery.NEVER
    delivery = chosen or spec.default
    if delivery == Delivery.NEVER:
        return Delivery.NEVER
    return Delivery.IMMEDIATE if spec.urgent else delivery


def immediate_recipients(kind: str, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who get a `kind` notification mailed at once (one query)."""
    user_ids = set(user_ids)
    chosen = dict(Preference.objects.filter(kind=kind, user_id__in=user_ids).values_list("user_id", "delivery"))
    return {u for u in user_ids if effective_delivery(kind, chosen.get(u)) == Delivery.IMMEDIATE}


# ----------------------------------------------------------------------------- sending


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)  # notification ids mailed
    retry: list[int] = field(default_factory=list)  # ids that met a passing failure
    bounced: list[int] = field(default_factory=list)  # ids whose address the server refused
    reason: str = ""


def _failure(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:FAILURE_LIMIT]


def send_classified(connection, message) -> str | None:
    """None when sent; 'bounce: …' when the server refused the address; 'retry: …' otherwise."""
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        return "bounce: " + _failure(exc)
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            return "bounce: " + _failure(exc)
        return "retry: " + _failure(exc)
    except (smtplib.SMTPException, OSError) as exc:
        return "retry: " + _failure(exc)
    return None


def plain_message(entry: dict) -> EmailMessage:
    """A plain-text message from an outbox item ({"to", "subject", "body"}: outbox.item)."""
    subject = header_safe(f"[Convene] {entry['subject']}")[:250]
    return EmailMessage(subject=subject, body=entry["body"], to=[entry["to"]])


def send_batch(messages: list) -> list[str | None]:
    """Send these messages over one SMTP connection; for each, None (sent) or 'bounce: …' / 'retry: …'.

    A connection that cannot be opened is a passing failure for every message."""
    if not messages:
        return []
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        return ["retry: " + _failure(exc)] * len(messages)
    try:
        return [send_classified(connection, message) for message in messages]
    finally:
        connection.close()


def deliver(ids: Iterable[int]) -> Outcome:
    """Mail each of these notifications that is not mailed yet to its recipient (one connection).

    Passing failures (connection refused, a 4xx answer) are returned for the task to retry; an
    address the server refuses (5xx) is a bounce, recorded on the notification and not retried.
    """
    outcome = Outcome()
    pending = list(
        Notification.objects.filter(pk__in=list(ids), mailed_at__isnull=True, recipient__is_active=True)
        .select_related("recipient", "community")
        .order_by("pk")
    )
    if not pending:
        return outcome
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        outcome.retry = [n.pk for n in pending]
        outcome.reason = "retry: " + _failure(exc)
        Notification.objects.filter(pk__in=outcome.retry).update(mail_failed=outcome.reason[:FAILURE_LIMIT])
        return outcome
    try:
        for notification in pending:
            spec = KINDS.get(notification.kind)
            unsubscribe = unsubscribe_url(notification.recipient_id, notification.kind)
            # A signed reply address when the object takes replies by mail (a post: discussions).
            reply_to = first("mail_reply_to", notification)
            message = _message(
                to=notification.recipient.email,
                subject=notification.text,
                template="notification",
                context={
                    "notification": notification,
                    "kind_label": spec.label if spec else notification.kind,
                    "link": site_url(notification.url) if notification.url.startswith("/") else "",
                    "unsubscribe_url": unsubscribe,
                    "reply_by_mail": bool(reply_to),
                },
                headers=_headers(unsubscribe),
                reply_to=reply_to,
            )
            problem = send_classified(connection, message)
            if problem is None:
                outcome.sent.append(notification.pk)
            elif problem.startswith("bounce"):
                outcome.bounced.append(notification.pk)
                Notification.objects.filter(pk=notification.pk).update(mail_failed=problem[:FAILURE_LIMIT])
            else:
                outcome.retry.append(notification.pk)
                outcome.reason = problem
                Notification.objects.filter(pk=notification.pk).update(mail_failed=problem[:FAILURE_LIMIT])
    finally:
        connection.close()
    if outcome.sent:
        Notification.objects.filter(pk__in=outcome.sent).update(mailed_at=timezone.now(), mail_failed="")
    return outcome


# ----------------------------------------------------------------------------- digests


def digest_queryset(rhythm: str, *, before=None):
    """Unmailed notifications of active people whose choice for the kind is `rhythm` (a daily or
    weekly digest), oldest first per person and community: one query, whatever the number of people."""
    before = before or timezone.now()
    eligible = [code for code, spec in KINDS.items() if not spec.urgent]
    default_kinds = [code for code in eligible if KINDS[code].default == rhythm]
    own_choice = Preference.objects.filter(user_id=OuterRef("recipient_id"), kind=OuterRef("kind"))
    chose_rhythm = Exists(own_choice.filter(delivery=rhythm))
    chose_other = Exists(own_choice.exclude(delivery=rhythm))
    return (
        Notification.objects.filter(
            mailed_at__isnull=True,
            created_at__lte=before,
            created_at__gt=before - DIGEST_WINDOW,
            kind__in=eligible,
            recipient__is_active=True,
        )
        .filter(Q(chose_rhythm) | (Q(kind__in=default_kinds) & ~chose_other))
        .order_by("recipient_id", "community_id", "created_at", "pk")
    )


@dataclass
class DigestRun:
    rhythm: str
    people: int = 0
    notifications: int = 0
    failed: int = 0


def _digest_rows(rhythm: str, before) -> Iterator[tuple[int, list[dict]]]:
    rows = (
        digest_queryset(rhythm, before=before)
        .values(
            "pk",
            "recipient_id",
            "recipient__email",
            "kind",
            "text",
            "url",
            "created_at",
            "read_at",
            "community_id",
            "community__name",
        )
        .iterator(chunk_size=2000)
    )
    for user_id, items in groupby(rows, key=lambda r: r["recipient_id"]):
        yield user_id, list(items)


def _when(moment) -> str:
    """ "5 Dec, 14:30" in the site's time zone (formatted here: the template filter costs more)."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b, %H:%M}"


def digest_message(rhythm: str, user_id: int, items: list[dict]) -> EmailMultiAlternatives:
    groups = []
    for _, in_community in groupby(items, key=lambda r: r["community_id"]):
        in_community = list(in_community)
        groups.append(
            {
                "name": in_community[0]["community__name"] or "Convene",
                "items": [
                    {
                        "text": r["text"],
                        "kind": KINDS[r["kind"]].label,
                        "when": _when(r["created_at"]),
                        "read": r["read_at"] is not None,
                        "link": site_url(r["url"]) if r["url"].startswith("/") else "",
                    }
                    for r in in_community
                ],
            }
        )
    label = "daily" if rhythm == Delivery.DAILY else "weekly"
    count = len(items)
    subject = f"Your {label} digest: {count} notification{'s' if count != 1 else ''}"
    unsubscribe = unsubscribe_url(user_id, DIGEST_PREFIX + rhythm)
    return _message(
        to=items[0]["recipient__email"],
        subject=subject,
        template="digest",
        context={
            "rhythm": label,
            "groups": groups,
            "count": count,
            "unsubscribe_url": unsubscribe,
            "centre_url": site_url(_path("list")),
        },
        headers=_headers(unsubscribe),
    )


def _mark_mailed(ids: list[int]) -> None:
    if ids:
        Notification.objects.filter(pk__in=ids).update(mailed_at=timezone.now(), mail_failed="")


def _settle(run: DigestRun, batch: list[list[int]], problems: list[str | None]) -> None:
    """Record one sent batch: its notifications marked mailed in one UPDATE, failures noted."""
    sent_ids: list[int] = []
    for ids, problem in zip(batch, problems, strict=True):
        if problem is None:
            run.people += 1
            run.notifications += len(ids)
            sent_ids += ids
        else:
            run.failed += 1
            Notification.objects.filter(pk__in=ids).update(mail_failed=problem[:FAILURE_LIMIT])
    _mark_mailed(sent_ids)


def digest_run(rhythm: str, *, before=None) -> DigestRun:
    """Send the daily or weekly digest: one mail per person, grouped by community.

    One streamed query reads everyone's rows and this thread renders the mails; batches of `BATCH`
    people go out each over one SMTP connection (`send_batch`), with up to `SENDERS` batches in flight
    on other threads, so the waits of the SMTP conversation overlap the rendering instead of adding
    to it. Each batch is marked mailed in one UPDATE as soon as it went out. Idempotent: only
    unmailed notifications are read, so a second run (or one after a crash) sends nothing twice
    (after a crash, at most the batches in flight go again).
    """
    if rhythm not in (Delivery.DAILY, Delivery.WEEKLY):
        raise ValueError(f"a digest is daily or weekly, not {rhythm!r}")
    before = before or timezone.now()
    run = DigestRun(rhythm=rhythm)
    in_flight: deque = deque()
    ids: list[list[int]] = []
    messages: list[EmailMultiAlternatives] = []
    with ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="digest-smtp") as pool:
        try:
            for user_id, items in _digest_rows(rhythm, before):
                ids.append([r["pk"] for r in items])
                messages.append(digest_message(rhythm, user_id, items))
                if len(messages) >= BATCH:
                    in_flight.append((ids, pool.submit(send_batch, messages)))
                    ids, messages = [], []
                    while len(in_flight) > SENDERS:  # bounded: memory stays flat whatever the number of people
                        done_ids, future = in_flight.popleft()
                        _settle(run, done_ids, future.result())
            if messages:
                in_flight.append((ids, pool.submit(send_batch, messages)))
        finally:
            while in_flight:
                done_ids, future = in_flight.popleft()
                _settle(run, done_ids, future.result())
    return run
