"""A notification: one line to one person about one object, read or not."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .kinds import Delivery


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)  # a code from kinds.KINDS
    # The object it is about (a session, a response, a team, a thread ...), and its community when it
    # has one (digests group by community; a community export carries its notifications).
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Text and link are fixed when the event happens: what was true then, in words that never name
    # the author of anything in an anonymous response (the caller writes them).
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Mail: set when sent on its own or in a digest; `mail_failed` keeps the last failure's reason.
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_failed = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=("recipient", "read_at", "-created_at"), name="notif_inbox"),
            models.Index(fields=("mailed_at", "created_at"), name="notif_unmailed"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.text[:40]}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """How one person wants one kind of notification mailed; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)  # a code from kinds.KINDS (checked by the service)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("user", "kind"), name="notif_pref_once")]
        indexes = [models.Index(fields=("kind", "delivery"), name="notif_pref_kind")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.delivery}"
