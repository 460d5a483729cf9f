"""Convening: the activity catalogue, sessions across communities, invitations, the record of what
happened (agenda, attendance, notes, outcomes, follow-up actions), speaking turns, the breakthrough
activity picker and breakout groups."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .shipped_text import shipped_field


class Tool(models.TextChoices):
    NONE = "", _("No tool")
    DELIBERATION = "deliberation", _("Joint response (deliberation)")
    PROJECT = "project", _("Boundary project")


class ActivityType(models.Model):
    """One entry of the activity catalogue. Loaded by a data migration; edited in the admin."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variations", help_text=_("Variation of")
    )
    summary = models.CharField(max_length=300, blank=True)
    what = models.TextField(max_length=4000, blank=True)
    why = models.TextField(max_length=4000, blank=True)
    how = models.TextField(max_length=4000, blank=True)
    pitfalls = models.TextField(max_length=4000, blank=True)
    agenda_template = models.JSONField(
        default=list, blank=True, help_text=_('A list of {"title": "...", "minutes": 15} items.')
    )
    is_boundary = models.BooleanField(
        default=False,
        help_text=_("Brings several communities together: asks for the boundary concern, offers the picker."),
    )
    opens_tool = models.CharField(max_length=20, choices=Tool.choices, blank=True, default=Tool.NONE)
    tool_url_name = models.CharField(
        max_length=80, blank=True, help_text=_("URL name of the page the tool starts on, e.g. deliberation:create.")
    )
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SessionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    INVITATIONS_SENT = "invitations_sent", _("Invitations sent")
    IN_PROGRESS = "in_progress", _("In progress")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


TRANSITIONS: dict[str, set[str]] = {
    SessionState.DRAFT: {SessionState.INVITATIONS_SENT, SessionState.CANCELLED},
    SessionState.INVITATIONS_SENT: {SessionState.IN_PROGRESS, SessionState.CANCELLED},
    SessionState.IN_PROGRESS: {SessionState.HELD},
    SessionState.HELD: {SessionState.CLOSED},
    SessionState.CLOSED: set(),
    SessionState.CANCELLED: set(),
}


def _session_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out loud in a room
    return "".join(secrets.choice(alphabet) for _position in range(6))


class Session(models.Model):
    host = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="hosted_sessions")
    invited_communities = models.ManyToManyField(
        "communities.Community", blank=True, related_name="guest_sessions", help_text=_("Other communities invited.")
    )
    activity = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="sessions")
    catalogue_entry = models.ForeignKey(
        "CommunityActivity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        help_text=_("The host community's catalogue entry the session was planned from, if any."),
    )
    title = models.CharField(max_length=160)
    purpose = models.TextField(max_length=4000, blank=True)
    boundary_concern = models.TextField(max_length=4000, blank=True)
    starts_at = models.DateTimeField(help_text=_("Stored in UTC."))
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    time_zone = models.CharField(max_length=64, default="UTC")
    place = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: no limit."))
    state = models.CharField(max_length=20, choices=SessionState.choices, default=SessionState.DRAFT)
    code = models.CharField(max_length=12, default=_session_code, help_text=_("Self check-in code."))
    picked_candidate = models.ForeignKey(
        "Candidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grouping = models.JSONField(default=dict, blank=True, help_text=_("Parameters and objective of the saved groups."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_name(self) -> str:
        """The activity as the host community calls it: its catalogue entry's name, if planned from one."""
        return self.catalogue_entry.name if self.catalogue_entry_id else shipped_field(self.activity, "name")

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)

    @property
    def tzinfo(self):
        return ZoneInfo(self.time_zone)

    def community_ids(self) -> list[int]:
        """The host and the invited communities (the communities taking part)."""
        return [self.host_id, *self.invited_communities.values_list("pk", flat=True)]

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.tzinfo)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.tzinfo)

    @property
    def context(self) -> str:
        return f"session:{self.pk}"

    @property
    def is_open_for_rsvp(self) -> bool:
        return self.state in (SessionState.INVITATIONS_SENT, SessionState.IN_PROGRESS)


class InvitedVia(models.TextChoices):
    COMMUNITY = "community", _("Whole community")
    ROLE = "role", _("Role in a community")
    PERSON = "person", _("Personal invitation")


class Rsvp(models.TextChoices):
    PENDING = "pending", _("Not answered")
    YES = "yes", pgettext_lazy("answer to an invitation", "Yes")
    NO = "no", pgettext_lazy("answer to an invitation", "No")
    MAYBE = "maybe", _("Maybe")
    WAITLIST = "waitlist", _("On the waitlist")


class SessionInvitation(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_invitations")
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The community the person takes part for (empty: an individual guest)."),
    )
    via = models.CharField(max_length=12, choices=InvitedVia.choices, default=InvitedVia.PERSON)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    needs = models.TextField(
        max_length=2000, blank=True, help_text=_("Access and care needs: seen by the host's coordinators only.")
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    shares_answers = models.BooleanField(
        default=True,
        help_text=_(
            "Whether the person's private diversity answers count in the room preview (people who join "
            "through an e-mail invitation choose this when they accept)."
        ),
    )

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="one_session_invitation")]
        indexes = [models.Index(fields=["session", "rsvp"]), models.Index(fields=["user", "session"])]


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class EmailInvitation(models.Model):
    """An invitation sent to an e-mail address (anyone outside the communities taking part).

    It names nobody and counts in no figure: the person joins the guest list (a
    :class:`SessionInvitation`) only when they open the link, sign in or sign up, and accept.
    Whether the address belongs to an account is never looked up when it is created."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="email_invitations")
    email = models.EmailField(max_length=254)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    mailed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "email"], name="one_email_invitation")]

    def __str__(self) -> str:
        return f"{self.email} → {self.session}"


class SessionRoleKind(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    SPEAKER = "speaker", _("Speaker")
    BREAKOUT_LEAD = "breakout_lead", _("Breakout lead")


class SessionRole(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SessionRoleKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user", "kind"], name="one_session_role")]


class AgendaItem(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    minutes = models.PositiveSmallIntegerField(default=10)
    detail = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["position", "id"]


class Note(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Outcome(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField(max_length=3000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class FollowUp(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_ups")
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["owner", "status"])]


class Turn(models.Model):
    """One speaking turn given by the facilitator (also written to the contribution ledger)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="turns")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("communities.Community", null=True, on_delete=models.SET_NULL, related_name="+")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Commitment(models.TextChoices):
    LIGHT = "light", _("Light")
    MEDIUM = "medium", _("Medium")
    HEAVY = "heavy", _("Heavy")


class Candidate(models.Model):
    """A proposed breakthrough activity."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="candidates")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "title"], name="one_candidate_title")]


class Rating(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    usefulness = models.PositiveSmallIntegerField()
    commitment = models.CharField(max_length=10, choices=Commitment.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "user"], name="one_rating_per_candidate"),
            models.CheckConstraint(condition=Q(usefulness__gte=1, usefulness__lte=5), name="usefulness_1_to_5"),
        ]


class BreakoutGroup(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="breakout_groups")
    number = models.PositiveSmallIntegerField()
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="one_group_number")]

    @property
    def label(self) -> str:
        return gettext("Group %(number)s") % {"number": self.number}


class BreakoutMember(models.Model):
    group = models.ForeignKey(BreakoutGroup, on_delete=models.CASCADE, related_name="members")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="one_group_per_person")]


class SentReminder(models.Model):
    """One row per reminder mail sent: the unique constraint makes `convene remind` idempotent."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, default="before")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user", "kind"], name="one_reminder")]


class CommunityActivity(models.Model):
    """A community's own catalogue entry (issue 18.19), beside the shared one (`ActivityType`).

    Either the community's version of a shipped activity (`base` set: its own name, summary, how-to
    and agenda, or hidden from the community's catalogue) or an activity of its own (`base` empty).
    """

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="catalogue_entries")
    base = models.ForeignKey(
        ActivityType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="community_versions",
        help_text=_("The shipped activity this entry adapts; empty for the community's own activity."),
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
