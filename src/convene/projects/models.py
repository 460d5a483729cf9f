"""Boundary projects: help requests, projects with milestones, mentoring offers, team places, outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from convene.communities.models import Community

MAX_MINUTES_PER_RUN = 10_000
MAX_RUNS_PER_MONTH = 1_000
MINUTES_IN_A_MONTH = 31 * 24 * 60


def hours_per_month(minutes_per_run: float | None, runs_per_month: float | None) -> float | None:
    """The one computation of "hours per month" every page and route shows (help requests, outcomes).

    Whole hours from 10 h up, one decimal below (25 min once a month is 0.4 h, not 0).
    """
    if minutes_per_run is None or runs_per_month is None:
        return None
    hours = minutes_per_run * runs_per_month / 60
    return float(round(hours)) if hours >= 10 else round(hours, 1)


class HelpRequestState(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a coordinator")
    INFO_REQUESTED = "info_requested", _("More information asked")
    ACCEPTED = "accepted", _("Accepted as a project")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


HELP_REQUEST_TRANSITIONS: dict[str, set[str]] = {
    HelpRequestState.SUBMITTED: {
        HelpRequestState.INFO_REQUESTED,
        HelpRequestState.ACCEPTED,
        HelpRequestState.DECLINED,
        HelpRequestState.WITHDRAWN,
    },
    HelpRequestState.INFO_REQUESTED: {
        HelpRequestState.SUBMITTED,  # the requester answered
        HelpRequestState.ACCEPTED,
        HelpRequestState.DECLINED,
        HelpRequestState.WITHDRAWN,
    },
    HelpRequestState.ACCEPTED: set(),
    HelpRequestState.DECLINED: set(),
    HelpRequestState.WITHDRAWN: set(),
}


class HelpRequest(models.Model):
    """A team with a slow, manual process asks a community for help."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="help_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests")
    title = models.CharField(max_length=200)
    team_name = models.CharField(_("requesting team"), max_length=200)
    process = models.TextField(_("the process today, step by step"), max_length=5000)
    minutes_per_run = models.PositiveIntegerField(_("minutes per run"))
    runs_per_month = models.FloatField(_("runs per month"))
    people_involved = models.PositiveSmallIntegerField(_("people involved"), default=1)
    done_looks_like = models.TextField(_("what “done” would look like"), max_length=3000)
    data_and_tools = models.TextField(_("data and tools involved"), max_length=3000, blank=True)
    contact = models.CharField(_("contact"), max_length=200)
    state = models.CharField(max_length=20, choices=HelpRequestState.choices, default=HelpRequestState.SUBMITTED)
    decline_reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def hours_per_month(self) -> float | None:
        return hours_per_month(self.minutes_per_run, self.runs_per_month)


class NoteKind(models.TextChoices):
    QUESTION = "question", _("Question from a coordinator")
    ANSWER = "answer", _("Answer from the requester")


class HelpRequestNote(models.Model):
    """The conversation during triage: a coordinator's question and the requester's answer."""

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=NoteKind.choices)
    text = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class ProjectState(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("project state", "Proposed")
    STAFFING = "staffing", _("Staffing")
    ACTIVE = "active", _("Active")
    DELIVERED = "delivered", pgettext_lazy("project state", "Delivered")
    EVALUATED = "evaluated", _("Evaluated")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")


PROJECT_TRANSITIONS: dict[str, set[str]] = {
    ProjectState.PROPOSED: {ProjectState.STAFFING, ProjectState.PAUSED, ProjectState.CANCELLED},
    ProjectState.STAFFING: {ProjectState.ACTIVE, ProjectState.PAUSED, ProjectState.CANCELLED},
    ProjectState.ACTIVE: {ProjectState.DELIVERED, ProjectState.PAUSED, ProjectState.CANCELLED},
    ProjectState.DELIVERED: {ProjectState.EVALUATED},
    # a paused project resumes where it stopped (checked against `paused_from`)
    ProjectState.PAUSED: {ProjectState.PROPOSED, ProjectState.STAFFING, ProjectState.ACTIVE, ProjectState.CANCELLED},
    ProjectState.EVALUATED: set(),
    ProjectState.CANCELLED: set(),
}
OPEN_STATES = (ProjectState.PROPOSED, ProjectState.STAFFING, ProjectState.ACTIVE, ProjectState.PAUSED)


class Project(models.Model):
    title = models.CharField(max_length=200)
    goal = models.TextField(max_length=5000)
    requesting_contact = models.CharField(_("requesting team contact"), max_length=200)
    help_request = models.OneToOneField(
        HelpRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="project"
    )
    lead_community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="led_projects")
    communities = models.ManyToManyField(Community, related_name="projects")
    requesting_team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="requested_projects")
    required_skills = models.JSONField(default=list, blank=True)
    learning_skills = models.JSONField(default=list, blank=True)
    mentors_wanted = models.PositiveSmallIntegerField(default=2)
    mentees_wanted = models.PositiveSmallIntegerField(default=4)
    min_hours = models.PositiveSmallIntegerField(_("minimum hours per month"), default=0)
    state = models.CharField(max_length=12, choices=ProjectState.choices, default=ProjectState.PROPOSED)
    paused_from = models.CharField(max_length=12, choices=ProjectState.choices, blank=True)
    shortfalls = models.JSONField(default=dict, blank=True)  # {"mentor": n, "mentee": m} after the last match
    # outcomes: the process before and after
    before_minutes_per_run = models.FloatField(null=True, blank=True)
    before_runs_per_month = models.FloatField(null=True, blank=True)
    after_minutes_per_run = models.FloatField(null=True, blank=True)
    after_runs_per_month = models.FloatField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    satisfaction_comment = models.TextField(max_length=2000, blank=True)
    approach = models.TextField(_("approach (for the case study)"), max_length=5000, blank=True)
    case_study_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def context(self) -> str:
        return f"project:{self.pk}"

    @property
    def case_study_published(self) -> bool:
        return self.case_study_published_at is not None

    @property
    def before_minutes_per_month(self) -> float | None:
        if self.before_minutes_per_run is None or self.before_runs_per_month is None:
            return None
        return self.before_minutes_per_run * self.before_runs_per_month

    @property
    def after_minutes_per_month(self) -> float | None:
        if self.after_minutes_per_run is None or self.after_runs_per_month is None:
            return None
        return self.after_minutes_per_run * self.after_runs_per_month

    @property
    def before_hours_per_month(self) -> float | None:
        return hours_per_month(self.before_minutes_per_run, self.before_runs_per_month)

    @property
    def after_hours_per_month(self) -> float | None:
        return hours_per_month(self.after_minutes_per_run, self.after_runs_per_month)

    @property
    def hours_saved_per_year(self) -> float | None:
        before, after = self.before_minutes_per_month, self.after_minutes_per_month
        if before is None or after is None:
            return None
        return round((before - after) * 12 / 60, 1)


class MilestoneState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


MILESTONE_TRANSITIONS: dict[str, set[str]] = {
    MilestoneState.PLANNED: {MilestoneState.IN_PROGRESS, MilestoneState.DONE},
    MilestoneState.IN_PROGRESS: {MilestoneState.PLANNED, MilestoneState.DONE},
    MilestoneState.DONE: {MilestoneState.IN_PROGRESS},  # reopen
}


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_milestones"
    )
    due = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=MilestoneState.choices, default=MilestoneState.PLANNED)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]


class OfferRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor others")
    MENTEE = "mentee", _("Be mentored")
    BOTH = "both", _("Both")
    NONE = "none", _("Not at the moment")


class MentoringOffer(models.Model):
    """What a member is willing to do, and how much time they have (one per person)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_offer")
    role = models.CharField(max_length=8, choices=OfferRole.choices, default=OfferRole.NONE)
    teaches = models.JSONField(default=list, blank=True)
    wants = models.JSONField(default=list, blank=True)
    hours_per_month = models.PositiveSmallIntegerField(default=0)
    max_projects = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def can_mentor(self) -> bool:
        return self.role in (OfferRole.MENTOR, OfferRole.BOTH)

    @property
    def can_be_mentored(self) -> bool:
        return self.role in (OfferRole.MENTEE, OfferRole.BOTH)


class ProjectConflict(models.Model):
    """A member's declared conflict of interest with a project: never matched to it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_conflicts")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_conflict_per_project")]


class PlaceRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class PlaceStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("team place", "Proposed")
    PUBLISHED = "published", pgettext_lazy("team place", "Published")
    DECLINED = "declined", pgettext_lazy("team place", "Declined")


PLACE_LIVE = (PlaceStatus.PROPOSED, PlaceStatus.PUBLISHED)


class Consent(models.TextChoices):
    """A mentee's answer to "may the case study show your skill ratings by name?"."""

    PENDING = "pending", _("Not asked yet")
    CONFIRMED = "confirmed", pgettext_lazy("consent", "Confirmed")
    DECLINED = "declined", pgettext_lazy("consent", "Declined")


class TeamPlace(models.Model):
    """A person's place on a project team, as proposed by matching and published by a coordinator."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="places")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_places")
    role = models.CharField(max_length=8, choices=PlaceRole.choices)
    status = models.CharField(max_length=10, choices=PlaceStatus.choices, default=PlaceStatus.PROPOSED)
    is_lead = models.BooleanField(default=False)
    mentor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentees")
    score = models.FloatField(default=0)
    priority_tier = models.PositiveSmallIntegerField(default=0)
    explanation = models.CharField(max_length=500, blank=True)
    shared_skills = models.JSONField(default=list, blank=True)
    # outcomes
    skills_before = models.JSONField(default=dict, blank=True)  # mentee: {skill: 1..5}
    skills_after = models.JSONField(default=dict, blank=True)
    reflection = models.TextField(max_length=5000, blank=True)  # mentor
    # a mentee's ratings appear by name in the case study only once they confirm (docs/privacy.md)
    case_study_consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], condition=Q(status__in=["proposed", "published"]), name="one_live_place"
            )
        ]
        indexes = [models.Index(fields=["user", "status"])]

    @property
    def skill_gains(self) -> list[dict]:
        rows = []
        for skill in sorted(set(self.skills_before) | set(self.skills_after)):
            before, after = self.skills_before.get(skill), self.skills_after.get(skill)
            gain = after - before if before is not None and after is not None else None
            rows.append({"skill": skill, "before": before, "after": after, "gain": gain})
        return rows
