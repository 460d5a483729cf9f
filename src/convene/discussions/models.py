"""Threads, posts, their edit history and who follows which thread.

A thread lives in one community and may be about one thing of it (a session, a joint response that
is not anonymous, or a project: a generic relation, checked by `services.thread_create`). Hidden
threads and posts stay in the database for the record; only coordinators see them, marked hidden.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_LIMIT = 200
BODY_LIMIT = 10_000
REASON_LIMIT = 500
# Who takes part in a community's discussions (guests do not).
MEMBER_ROLES = ("member", "coordinator")


class Hideable(models.Model):
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=REASON_LIMIT, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Thread(Hideable):
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=TITLE_LIMIT)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="threads_started"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-last_post_at", "-pk")
        indexes = [models.Index(fields=("content_type", "object_id"), name="thread_about")]

    def __str__(self) -> str:
        return self.title


class Post(Hideable):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts")
    body = models.TextField(max_length=BODY_LIMIT)  # Markdown; rendered safely when shown
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"post {self.pk} in thread {self.thread_id}"


class PostRevision(models.Model):
    """What a post said before an edit (one row per edit, the body as it was)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=BODY_LIMIT)
    created_at = models.DateTimeField(auto_now_add=True)  # when it was replaced

    class Meta:
        ordering = ("-created_at", "-pk")


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_follows")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("user", "thread"), name="follow_once")]


class ReactionKind(models.TextChoices):
    """The fixed set of reactions: a code stored, an emoji shown, a label read out by screen readers."""

    THUMBS_UP = "thumbs_up", _("Thumbs up")
    HEART = "heart", _("Heart")
    HOORAY = "hooray", _("Hooray")
    SMILE = "smile", _("Smile")
    THINKING = "thinking", _("Thinking")
    EYES = "eyes", _("Looking")


EMOJI = {
    ReactionKind.THUMBS_UP: "\N{THUMBS UP SIGN}",
    ReactionKind.HEART: "\N{HEAVY BLACK HEART}\ufe0f",
    ReactionKind.HOORAY: "\N{PARTY POPPER}",
    ReactionKind.SMILE: "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}",
    ReactionKind.THINKING: "\N{THINKING FACE}",
    ReactionKind.EYES: "\N{EYES}",
}


class Reaction(models.Model):
    """One person's reaction of one kind to one post (a second click takes it back)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_reactions")
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [models.UniqueConstraint(fields=("post", "user", "kind"), name="react_once")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on post {self.post_id}"
