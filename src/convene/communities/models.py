"""Communities of practice, membership with roles, joining, glossaries and the audit log."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone can see it and ask to join")
    PRIVATE = "private", _("Private: visible to members, joined by invitation")


class Role(models.TextChoices):
    GUEST = "guest", _("Guest")
    MEMBER = "member", _("Member")
    COORDINATOR = "coordinator", _("Coordinator")


ROLE_RANK = {Role.GUEST: 1, Role.MEMBER: 2, Role.COORDINATOR: 3}


class Community(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    domain = models.CharField(max_length=200, help_text=_("What the practice is about."))
    description = models.TextField(max_length=5000, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="one_membership")]
        indexes = [models.Index(fields=["community", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role})"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.role]


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a coordinator")
    APPROVED = "approved", pgettext_lazy("join request status", "Approved")
    DECLINED = "declined", pgettext_lazy("join request status", "Declined")


class JoinRequest(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(status="pending"), name="one_pending_request"
            )
        ]


def _invite_token() -> str:
    return secrets.token_urlsafe(24)


def _invite_expiry():
    return timezone.now() + timedelta(days=14)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", pgettext_lazy("invitation status", "Accepted")
    REVOKED = "revoked", _("Revoked")


class Invitation(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_invite_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invite_expiry)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at


class GlossaryTerm(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=80)
    definition = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["community", "term"], name="unique_term_per_community")]

    def __str__(self) -> str:
        return self.term


class TermMapping(models.Model):
    """“What we call *client*, they call *patient*”: a link between two communities' terms."""

    source = models.ForeignKey(GlossaryTerm, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(GlossaryTerm, on_delete=models.CASCADE, related_name="mappings_in")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="unique_term_mapping")]


class AuditEntry(models.Model):
    """An administrative action, kept for coordinators to review: who, when, what, on which object.

    `community` is None for acts outside any community (API tokens) and after the community is
    deleted (the `community_deleted` entry keeps its slug and name); staff see those in the admin.
    `subject` names the object acted on as "kind:id" ("response:4", "session:12", "token:7").
    `detail` never holds the content of anonymous contributions.
    """

    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=80, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def action_label(self) -> str:
        """The action in the reader's language when it is one of ``ACTION_LABELS``; other apps'
        codes are shown as their words ("role_changed" → "Role changed")."""
        label = ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action.replace("_", " ").capitalize()


# How the audit log names the actions of communities, convening and accounts (by their codes).
ACTION_LABELS = {
    "account_deleted": _("Account deleted"),
    "catalogue.adapt": _("Catalogue: activity adapted"),
    "catalogue.create": _("Catalogue: activity added"),
    "catalogue.hide": _("Catalogue: activity hidden"),
    "catalogue.show": _("Catalogue: activity shown again"),
    "catalogue.update": _("Catalogue: activity edited"),
    "communities_invited": _("Communities invited"),
    "community_copied": _("Community copied"),
    "community_created": _("Community created"),
    "community_deleted": _("Community deleted"),
    "community_exported": _("Community exported"),
    "community_imported": _("Community imported"),
    "community_updated": _("Community updated"),
    "glossary_term_deleted": _("Glossary term deleted"),
    "glossary_term_saved": _("Glossary term saved"),
    "invitation_accepted": _("Invitation accepted"),
    "invitation_revoked": _("Invitation revoked"),
    "invitation_sent": _("Invitation sent"),
    "join_approved": _("Join approved"),
    "join_declined": _("Join declined"),
    "member_left": _("Member left"),
    "member_removed": _("Member removed"),
    "message_sent": _("Message sent"),
    "role_changed": _("Role changed"),
    "session_created": _("Session created"),
    "session_state_changed": _("Session state changed"),
    "session_updated": _("Session updated"),
    "term_mapping_created": _("Term mapping created"),
    "term_mapping_deleted": _("Term mapping deleted"),
    "token_created": _("Token created"),
    "token_revoked": _("Token revoked"),
    "tokens_revoked": _("Tokens revoked"),
}


class OpportunityKind(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    SPEAKER = "speaker", _("Speaker")
    BREAKOUT_LEAD = "breakout_lead", _("Breakout lead")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    PROJECT_LEAD = "project_lead", _("Project lead")


class OpportunityEntry(models.Model):
    """The opportunity ledger: one row each time a member takes a role that helps them grow.

    Written by convening (facilitator, speaker, breakout lead) and projects (mentor, mentee,
    project lead); read by insights and by the matching fairness stage.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="opportunities")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opportunities")
    kind = models.CharField(max_length=20, choices=OpportunityKind.choices)
    source = models.CharField(max_length=40, help_text=_("Which record gave it, e.g. 'session:12' or 'project:3'."))
    label = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "source"], name="one_opportunity_per_source"),
        ]
        indexes = [
            models.Index(fields=["community", "occurred_at"]),
            models.Index(fields=["user", "occurred_at"]),
            # Covers the insights aggregates (per person over a period) so they read the index only.
            models.Index(fields=["community", "user", "occurred_at", "kind"], name="opportunity_cover"),
        ]


class ContributionKind(models.TextChoices):
    SPEAKING_TURN = "turn", _("Speaking turn")
    STATEMENT = "statement", _("Statement")
    VOTE = "vote", _("Vote")
    NOTE = "note", pgettext_lazy("contribution kind", "Note")
    COMMENT = "comment", _("Comment")


class Contribution(models.Model):
    """The voice ledger: one row per contribution, so equity of voice aggregates in the database.

    `context` names where it happened ('session:12', 'response:4'). Anonymous joint responses do
    not write rows here: who took part in them must not be recoverable.
    """

    # Community and context have no index of their own: the indexes below lead with them, and every
    # vote of a named participant writes a row here, paying for each index.
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="contributions", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=12, choices=ContributionKind.choices)
    context = models.CharField(max_length=40)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["community", "occurred_at"]),
            models.Index(fields=["context", "user"]),
            models.Index(fields=["community", "user", "occurred_at", "kind"], name="contribution_cover"),
        ]
