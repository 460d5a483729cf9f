"""Files attached to a session, a joint response, a project or a discussion thread.

One model with four nullable foreign keys and a check constraint that exactly one is set
(docs/decisions.md, "Attachments"): the database keeps each file tied to a parent that exists,
deleting the parent deletes the rows (and `signals.py` the stored files, once the deletion
commits), and each kind of parent is a plain indexed join.

The stored file's name is `attachments/<key>.<ext>`, where `key` is random (192 bits) and also
the download address; the name the uploader gave is kept, cleaned, for display only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS

PARENTS = ("session", "response", "project", "thread")
FILENAME_LIMIT = 150
ALT_LIMIT = 300


def _exactly_one() -> Q:
    condition = Q()
    for name in PARENTS:
        one = Q(**{f"{name}__isnull": False}) & Q(**{f"{other}__isnull": True for other in PARENTS if other != name})
        condition |= one
    return condition


class Attachment(models.Model):
    key = models.CharField(max_length=64, unique=True, editable=False)
    session = models.ForeignKey(
        "convening.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    response = models.ForeignKey(
        "deliberation.JointResponse", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    thread = models.ForeignKey(
        "discussions.Thread", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=FILENAME_LIMIT + 10)
    stored_name = models.CharField(max_length=255, editable=False)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10)  # a key of kinds.KINDS
    alt_text = models.CharField(_("alt text"), max_length=ALT_LIMIT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [models.CheckConstraint(condition=_exactly_one(), name="attachment_one_parent")]

    def __str__(self) -> str:
        return self.filename

    @property
    def parent_kind(self) -> str:
        return next(name for name in PARENTS if getattr(self, f"{name}_id") is not None)

    @property
    def parent_id(self) -> int:
        return getattr(self, f"{self.parent_kind}_id")

    @property
    def parent(self):
        return getattr(self, self.parent_kind)

    @property
    def is_image(self) -> bool:
        return KINDS.get(self.kind) is not None and KINDS[self.kind].image
