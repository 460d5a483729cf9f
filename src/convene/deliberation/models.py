"""Joint responses: an external development or a request for opinion, answered together.

Privacy design: people taking part are `Participant` rows keyed by `user_key`, an HMAC of the
user id with the response's own secret. In anonymous responses `Participant.user` stays empty,
so statements, votes, predictions and endorsements never point at a person; the server can
still recognise a returning member (to replace a vote) by recomputing the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convene.communities.models import Community

STATEMENT_LIMIT = 280  # what a member may write
STORED_STATEMENT_LIMIT = 1000  # what the column holds: Pol.is comments run to 500 and more


def _secret() -> str:
    return secrets.token_hex(16)


def _token() -> str:
    return secrets.token_urlsafe(24)


def new_tracking_token() -> str:
    """A fresh secret for a requester's tracking link."""
    return _token()


class Kind(models.TextChoices):
    DEVELOPMENT = "development", _("External development")
    REQUEST = "request", _("Request for opinion")


class Phase(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    GATHERING = "gathering", _("Gathering views")
    DRAFTING = "drafting", _("Drafting the response")
    ENDORSEMENT = "endorsement", _("Endorsement")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


TRANSITIONS: dict[str, set[str]] = {
    Phase.DRAFT: {Phase.GATHERING, Phase.WITHDRAWN},
    Phase.GATHERING: {Phase.DRAFTING, Phase.WITHDRAWN},
    Phase.DRAFTING: {Phase.ENDORSEMENT, Phase.GATHERING, Phase.WITHDRAWN},
    Phase.ENDORSEMENT: {Phase.DELIVERED, Phase.DRAFTING, Phase.WITHDRAWN},
    Phase.DELIVERED: {Phase.CLOSED},
    Phase.CLOSED: set(),
    Phase.WITHDRAWN: set(),
}

# The phases in their forward order. A move to an earlier one reopens a phase (drafting -> gathering,
# endorsement -> drafting): pages offer it apart from the phase buttons, and only after confirmation.
PHASE_ORDER = (Phase.DRAFT, Phase.GATHERING, Phase.DRAFTING, Phase.ENDORSEMENT, Phase.DELIVERED, Phase.CLOSED)


def is_backward(was: str, to: str) -> bool:
    """True when moving from phase `was` to phase `to` goes back to an earlier phase."""
    return was in PHASE_ORDER and to in PHASE_ORDER and PHASE_ORDER.index(to) < PHASE_ORDER.index(was)


# Which phase-end field belongs to which phase (reminders, home page deadlines).
PHASE_END_FIELD = {
    Phase.GATHERING: "gathering_ends",
    Phase.DRAFTING: "drafting_ends",
    Phase.ENDORSEMENT: "endorsement_ends",
}


class JointResponse(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="joint_responses")
    communities = models.ManyToManyField(Community, related_name="invited_responses", blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DEVELOPMENT)
    title = models.CharField(max_length=200)
    what_changed = models.TextField(max_length=5000, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    why_it_matters = models.TextField(max_length=5000, blank=True)
    question = models.TextField(max_length=5000, blank=True)
    state = models.CharField(max_length=12, choices=Phase.choices, default=Phase.DRAFT, db_index=True)
    anonymous = models.BooleanField(default=False)
    hide_results = models.BooleanField(default=False)
    perception_step = models.BooleanField(default=False)
    # Guests of the invited communities read the response only if this is set (or they took part).
    guests_can_read = models.BooleanField(default=False)
    gathering_ends = models.DateTimeField(null=True, blank=True)
    drafting_ends = models.DateTimeField(null=True, blank=True)
    endorsement_ends = models.DateTimeField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    secret = models.CharField(max_length=64, default=_secret, editable=False)
    # Bumped by every vote, re-vote and moderation decision: the opinion map cache key.
    revision = models.PositiveIntegerField(default=0)
    draft_text = models.TextField(blank=True)
    draft_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def context(self) -> str:
        return f"response:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state not in (Phase.DELIVERED, Phase.CLOSED, Phase.WITHDRAWN)

    @property
    def results_hidden(self) -> bool:
        return self.hide_results and self.state in (Phase.DRAFT, Phase.GATHERING)

    @property
    def phase_ends(self):
        field = PHASE_END_FIELD.get(self.state)
        return getattr(self, field) if field else None

    def user_key(self, user_id: int) -> str:
        return user_key(self.secret, user_id)


def user_key(secret: str, user_id: int) -> str:
    """A person's key in the response with this secret (`Participant.user_key`)."""
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:40]


class Participant(models.Model):
    """One person taking part in one response. `user` is empty in anonymous responses."""

    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="participants")
    user_key = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "user_key"], name="one_participant_per_response")]


class StatementState(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    META = "meta", _("Meta (about the process)")


class Statement(models.Model):
    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="statements")
    author = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    text = models.CharField(max_length=STORED_STATEMENT_LIMIT)
    state = models.CharField(max_length=10, choices=StatementState.choices, default=StatementState.PENDING)
    reject_reason = models.CharField(max_length=500, blank=True)
    is_key = models.BooleanField(default=False, help_text=_("Used in the perception-gap step."))
    created_at = models.DateTimeField(default=timezone.now)
    n_agree = models.PositiveIntegerField(default=0)
    n_disagree = models.PositiveIntegerField(default=0)
    n_pass = models.PositiveIntegerField(default=0)
    extremity = models.FloatField(default=0.0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["response", "state"])]

    def __str__(self) -> str:
        return self.text

    @property
    def n_votes(self) -> int:
        return self.n_agree + self.n_disagree + self.n_pass


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, _("Pass / unsure")


class Vote(models.Model):
    # No index of its own: one_vote_per_statement leads with it, and every vote writes each index.
    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="votes", db_index=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "participant", "statement"], name="one_vote_per_statement")
        ]


class MapCache(models.Model):
    """The latest opinion map of a response, shared by every web process."""

    response = models.OneToOneField(JointResponse, on_delete=models.CASCADE, related_name="map_cache")
    revision = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0.0)


class Prediction(models.Model):
    """Perception gap: a participant's guess of the share of another community that agrees."""

    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="predictions")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="predictions")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="predictions")
    target = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    share = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement", "target"], name="one_prediction_per_target")
        ]


class DraftVersion(models.Model):
    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    diff = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="one_version_number")]


class MinorityView(models.Model):
    """A minority position kept in the document. There is no way to delete it: only to answer it."""

    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="minority_views")
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=1000)
    held_by = models.CharField(max_length=200, blank=True, help_text=_("Which group or community holds it."))
    answer = models.TextField(max_length=5000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class ParagraphComment(models.Model):
    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="comments")
    paragraph_key = models.CharField(max_length=16, db_index=True)
    paragraph_excerpt = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Stance(models.TextChoices):
    ENDORSE = "endorse", _("Endorse")
    RESERVATIONS = "reservations", _("Endorse with reservations")
    OBJECT = "object", _("Object")
    ABSTAIN = "abstain", _("Abstain")


class Endorsement(models.Model):
    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="endorsements")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="endorsements")
    stance = models.CharField(max_length=12, choices=Stance.choices)
    reason = models.TextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "participant"], name="one_endorsement")]


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Received, waiting for the community's coordinators")
    ACCEPTED = "accepted", _("Accepted: the community is working on its response")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Response delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn by the community")


class OpinionRequest(models.Model):
    """An outside body asks a community for its opinion; it follows progress with `token`."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="opinion_requests")
    requester_name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=200)
    contact = models.EmailField()
    question = models.TextField(max_length=3000)
    context = models.TextField(max_length=5000, blank=True)
    deadline = models.DateField()
    token = models.CharField(max_length=64, unique=True, default=_token)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decline_reason = models.TextField(max_length=2000, blank=True)
    response = models.OneToOneField(
        JointResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="opinion_request"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # When coordinators last replaced the tracking link (the old one stops working at once; the
    # new one lives CONVENE_OPINION_TRACKING_DAYS from delivery or from this, whichever is later).
    link_renewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ReminderSent(models.Model):
    """So `convene remind` never mails the same person twice for the same phase."""

    response = models.ForeignKey(JointResponse, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=12)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "user", "phase"], name="one_reminder_per_phase")]
