"""Reading a person's notifications and mail preferences (never writes)."""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import KINDS, Delivery
from .models import Notification, Preference


def notifications_for(user, *, unread_only: bool = False, limit: int = 50):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")[:limit]


def inbox(user, *, unread_only: bool = False):
    """The person's notifications, newest first, with their community (for a paginated list)."""
    qs = Notification.objects.filter(recipient=user).select_related("community")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_of(user, notification_id: int) -> Notification | None:
    """One of the person's own notifications; None for anyone else's (the caller answers 404)."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()


def unread_count(user) -> int:
    """One COUNT query (the header badge polls it)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def kind_label(code: str) -> str:
    spec = KINDS.get(code)
    return str(spec.label) if spec else code


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    delivery: str
    default: str
    urgent: bool


def preferences_for(user) -> list[PreferenceRow]:
    """Every kind with the person's choice (or the default when they never chose)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return [
        PreferenceRow(code, str(spec.label), chosen.get(code, spec.default), spec.default, spec.urgent)
        for code, spec in KINDS.items()
    ]


def delivery_label(value: str) -> str:
    return Delivery(value).label if value in Delivery.values else value


def personal_data(user) -> dict:
    """The person's own notifications and mail choices (core hook; nobody else's)."""
    own = Notification.objects.filter(recipient=user).select_related("community").order_by("created_at", "pk")
    return {
        "notifications": [
            {
                "kind": n.kind,
                "text": n.text,
                "url": n.url,
                "community": n.community.slug if n.community_id else None,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
                "mailed_at": n.mailed_at.isoformat() if n.mailed_at else None,
                "mail_failed": bool(n.mail_failed),
            }
            for n in own
        ],
        "notification_preferences": dict(
            Preference.objects.filter(user=user).order_by("kind").values_list("kind", "delivery")
        ),
    }
