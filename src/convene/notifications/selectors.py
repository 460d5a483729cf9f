"""Reading a person's notifications (never writes)."""

from __future__ import annotations

from .models import Notification


def notifications_for(user, *, unread_only: bool = False, limit: int = 50):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")[:limit]


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
