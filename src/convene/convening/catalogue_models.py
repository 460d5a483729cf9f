"""A community's own activity catalogue (issue 18.19), beside the shared one (`ActivityType`).

Kept in its own module so that convening's models.py stays untouched; `apps.py` imports it.
An entry either adapts a shipped activity for one community (its own summary, how-to and agenda,
or hidden from the community's catalogue) or is an activity of the community's own (`base` empty).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import ActivityType


class CommunityActivity(models.Model):
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="catalogue_entries")
    base = models.ForeignKey(
        ActivityType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="community_versions",
        help_text="The shipped activity this entry adapts; empty for the community's own activity.",
    )
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, blank=True)
    how = models.TextField(max_length=4000, blank=True)
    agenda_template = models.JSONField(default=list, blank=True)
    hidden = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "convening"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "base"], condition=Q(base__isnull=False), name="one_version_per_community"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def agenda_minutes(self) -> int:
        return sum(int(item.get("minutes", 0)) for item in self.agenda_template)
