"""Write paths for boundary projects: help requests, projects, mentoring offers, matching, outcomes."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from convene.accounts.models import User
from convene.accounts.services import skill_names
from convene.communities.ledgers import opportunity_record, opportunity_withdraw
from convene.communities.models import Community, Membership, OpportunityEntry, Role
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.core.lifecycle import transition
from convene.core.text import clean_text
from convene.engines.matching import (
    Candidate,
    Explanation,
    Match,
    MatchingError,
    MatchResult,
    Pair,
    match_teams,
    rematch,
)
from convene.engines.matching import ProjectNeed as Need
from convene.notifications.events import coordinator_ids, message_send, require_audience
from convene.notifications.services import notify

from . import selectors
from .models import (
    HELP_REQUEST_TRANSITIONS,
    MAX_MINUTES_PER_RUN,
    MAX_RUNS_PER_MONTH,
    MILESTONE_TRANSITIONS,
    MINUTES_IN_A_MONTH,
    OPEN_STATES,
    PLACE_LIVE,
    PROJECT_TRANSITIONS,
    Consent,
    HelpRequest,
    HelpRequestNote,
    HelpRequestState,
    MentoringOffer,
    Milestone,
    MilestoneState,
    NoteKind,
    OfferRole,
    PlaceRole,
    PlaceStatus,
    Project,
    ProjectConflict,
    ProjectState,
    TeamPlace,
)

MAX_TEAM = 20
MAX_HOURS = 200
MAX_CONCURRENT = 10


# ----------------------------------------------------------------------------- helpers


def _number(value, *, field: str, label: str, low: float, high: float, integer: bool = False, most: str = ""):
    """`value` as a number within [low, high]; `label` names it and `most` words the maximum
    ("10,000 minutes per run"; the bare number by default), both already in the active language."""
    if value is None or value == "":
        return None
    not_a_number = _("%(label)s must be a number.") % {"label": label}
    if isinstance(value, bool):
        raise InvalidInput(not_a_number, field=field)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(not_a_number, field=field) from None
    if math.isnan(number) or math.isinf(number):
        raise InvalidInput(not_a_number, field=field)
    if number < low:
        if low == 0:
            raise InvalidInput(_("%(label)s cannot be negative.") % {"label": label}, field=field)
        raise InvalidInput(_("%(label)s cannot be below %(low)s.") % {"label": label, "low": f"{low:g}"}, field=field)
    if number > high:
        raise InvalidInput(
            _("%(label)s cannot be more than %(most)s: check the figure.")
            % {"label": label, "most": most or f"{high:,g}"},
            field=field,
        )
    if integer:
        if number != int(number):
            raise InvalidInput(_("%(label)s must be a whole number.") % {"label": label}, field=field)
        return int(number)
    return number


def _skills(value, *, field: str) -> list[str]:
    return skill_names(value or [], field=field)


def _check_process(minutes, runs, *, prefix: str = "") -> None:
    if minutes is not None and runs is not None and minutes * runs > MINUTES_IN_A_MONTH:
        raise InvalidInput(
            _("%(minutes)s minutes × %(runs)s runs is more time than a month has: check the figures.")
            % {"minutes": f"{minutes:g}", "runs": f"{runs:g}"},
            field=f"{prefix}minutes_per_run",
        )


def _minutes(value, field: str, *, required: bool = False):
    number = _number(
        value,
        field=field,
        label=_("Minutes per run"),
        low=0,
        high=MAX_MINUTES_PER_RUN,
        most=_("%(n)s minutes per run") % {"n": f"{MAX_MINUTES_PER_RUN:,g}"},
    )
    if required and number is None:
        raise InvalidInput(_("Minutes per run is required."), field=field)
    return number


def _runs(value, field: str, *, required: bool = False):
    number = _number(
        value,
        field=field,
        label=_("Runs per month"),
        low=0,
        high=MAX_RUNS_PER_MONTH,
        most=_("%(n)s runs") % {"n": f"{MAX_RUNS_PER_MONTH:,g}"},
    )
    if required and number is None:
        raise InvalidInput(_("Runs per month is required."), field=field)
    return number


def _transition_messages(what: str) -> tuple[str, str]:
    """(unknown, refused) for `core.lifecycle.transition`, one whole sentence per kind of object."""
    if what == "help request":
        return _("“{to}” is not a state of a help request."), _(
            "A help request cannot go from {was_label} to {to_label}."
        )
    if what == "milestone":
        return _("“{to}” is not a state of a milestone."), _("A milestone cannot go from {was_label} to {to_label}.")
    return _("“{to}” is not a state of a project."), _("A project cannot go from {was_label} to {to_label}.")


def _transition(obj, to: str, graph: Mapping[str, set[str]], what: str) -> str:
    """`core.lifecycle.transition` worded for the objects of a project."""
    unknown, refused = _transition_messages(what)
    return transition(obj, to, graph, unknown=unknown, refused=refused)


# ----------------------------------------------------------------------------- notifications


def _render(template, params: dict) -> str:
    return str(template) % params


# A notification sentence put together when it is read, in the language active then: `notify()`
# turns a lazy text into each recipient's language (the same contract as notifications.phrases).
_phrase = lazy(_render, str)


def _project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _coordinators(project: Project) -> set[int]:
    """Coordinators of the project's communities: the people who manage it."""
    return coordinator_ids(project.lead_community_id, *project.communities.values_list("pk", flat=True))


def _tell(project: Project, kind: str, user_ids, text: str, actor: User | None = None) -> None:
    notify(
        recipients=user_ids,
        kind=kind,
        obj=project,
        text=text,
        url=_project_url(project),
        community=project.lead_community,
        actor=actor,
    )


def _proposed_notify(project: Project, places: Iterable[TeamPlace], actor: User) -> None:
    for place in places:
        if place.role == PlaceRole.MENTOR:
            template = gettext_lazy(
                "You are proposed as a mentor on the project “%(title)s”. "
                "Look at the project and its team; you can still decline the place."
            )
        else:
            template = gettext_lazy(
                "You are proposed as a mentee on the project “%(title)s”. "
                "Look at the project and its team; you can still decline the place."
            )
        _tell(project, "team.proposed", [place.user_id], _phrase(template, {"title": project.title}), actor)


def _help_request_tell(help_request: HelpRequest, kind: str, text: str, actor: User, url: str = "") -> None:
    notify(
        recipients=[help_request.requester_id],
        kind=kind,
        obj=help_request,
        text=text,
        url=url or reverse("projects:request_detail", args=[help_request.pk]),
        community=help_request.community,
        actor=actor,
    )


# ----------------------------------------------------------------------------- help requests


@transaction.atomic
def help_request_submit(
    *,
    community: Community,
    requester: User,
    title: str,
    team_name: str,
    process: str,
    minutes_per_run,
    runs_per_month,
    done_looks_like: str,
    contact: str,
    people_involved=1,
    data_and_tools: str = "",
) -> HelpRequest:
    minutes = _minutes(minutes_per_run, "minutes_per_run", required=True)
    runs = _runs(runs_per_month, "runs_per_month", required=True)
    _check_process(minutes, runs)
    people = _number(
        people_involved, field="people_involved", label=_("People involved"), low=1, high=1000, integer=True
    )
    help_request = HelpRequest.objects.create(
        community=community,
        requester=requester,
        title=clean_text(title, field="title", limit=200, required=True, label=_("Title")),
        team_name=clean_text(team_name, field="team_name", limit=200, required=True, label=_("Requesting team")),
        process=clean_text(process, field="process", limit=5000, required=True, label=_("The process today")),
        minutes_per_run=round(minutes),
        runs_per_month=runs,
        people_involved=people or 1,
        done_looks_like=clean_text(
            done_looks_like, field="done_looks_like", limit=3000, required=True, label=_("What done looks like")
        ),
        data_and_tools=clean_text(data_and_tools, field="data_and_tools", limit=3000, label=_("Data and tools")),
        contact=clean_text(contact, field="contact", limit=200, required=True, label=_("Contact")),
    )
    notify(  # the community's coordinators triage it
        recipients=coordinator_ids(community),
        kind="help.requested",
        obj=help_request,
        text=_phrase(
            gettext_lazy("%(team)s asks %(community)s for help: “%(title)s”."),
            {"team": help_request.team_name, "community": community.name, "title": help_request.title},
        ),
        url=reverse("projects:request_detail", args=[help_request.pk]),
        community=community,
        actor=requester,
    )
    return help_request


def _help_request_move(help_request: HelpRequest, to: str, actor: User | None) -> HelpRequest:
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    _transition(help_request, to, HELP_REQUEST_TRANSITIONS, "help request")
    fields = ["state"]
    if to in (HelpRequestState.ACCEPTED, HelpRequestState.DECLINED, HelpRequestState.INFO_REQUESTED):
        help_request.decided_at, help_request.decided_by = timezone.now(), actor
        fields += ["decided_at", "decided_by"]
    help_request.save(update_fields=fields)
    return help_request


@transaction.atomic
def help_request_ask(*, help_request: HelpRequest, actor: User, question: str) -> HelpRequest:
    """A coordinator asks for more information; the requester sees the question and answers it."""
    question = clean_text(question, field="message", limit=3000, required=True, label=_("The question"))
    help_request = _help_request_move(help_request, HelpRequestState.INFO_REQUESTED, actor)
    HelpRequestNote.objects.create(help_request=help_request, author=actor, kind=NoteKind.QUESTION, text=question)
    _help_request_tell(
        help_request,
        "help.triaged",
        _phrase(
            gettext_lazy(
                "A coordinator of %(community)s read your help request “%(title)s” and asks a question before "
                "deciding. Answer it on the request's page."
            ),
            {"community": help_request.community.name, "title": help_request.title},
        ),
        actor,
    )
    return help_request


@transaction.atomic
def help_request_answer(*, help_request: HelpRequest, requester: User, answer: str) -> HelpRequest:
    answer = clean_text(answer, field="answer", limit=3000, required=True, label=_("Your answer"))
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.state != HelpRequestState.INFO_REQUESTED:
        raise Conflict(_("No question is waiting for an answer on this request."))
    help_request = _help_request_move(help_request, HelpRequestState.SUBMITTED, requester)
    HelpRequestNote.objects.create(help_request=help_request, author=requester, kind=NoteKind.ANSWER, text=answer)
    return help_request


@transaction.atomic
def help_request_decline(*, help_request: HelpRequest, actor: User, reason: str) -> HelpRequest:
    reason = clean_text(reason, field="message", limit=2000, required=True, label=_("The reason"))
    help_request = _help_request_move(help_request, HelpRequestState.DECLINED, actor)
    help_request.decline_reason = reason
    help_request.save(update_fields=["decline_reason"])
    _help_request_tell(
        help_request,
        "help.answered",
        _phrase(
            gettext_lazy(
                "%(community)s answered your help request “%(title)s”: it is declined, and the request's page "
                "gives the reason."
            ),
            {"community": help_request.community.name, "title": help_request.title},
        ),
        actor,
    )
    return help_request


@transaction.atomic
def help_request_withdraw(*, help_request: HelpRequest, requester: User) -> HelpRequest:
    return _help_request_move(help_request, HelpRequestState.WITHDRAWN, requester)


@transaction.atomic
def help_request_accept(*, help_request: HelpRequest, actor: User) -> Project:
    """Accept the request as a project (state proposed), carrying over what the team told us."""
    help_request = _help_request_move(help_request, HelpRequestState.ACCEPTED, actor)
    project = project_create(
        community=help_request.community,
        actor=actor,
        title=help_request.title,
        goal=help_request.done_looks_like,
        requesting_contact=help_request.contact,
        help_request=help_request,
        requesting_team=[help_request.requester],
        before_minutes_per_run=help_request.minutes_per_run,
        before_runs_per_month=help_request.runs_per_month,
    )
    _help_request_tell(
        help_request,
        "help.accepted",
        _phrase(
            gettext_lazy(
                "Your help request “%(title)s” is accepted: it is now a project of %(community)s, and a team will "
                "be matched to it."
            ),
            {"community": help_request.community.name, "title": help_request.title},
        ),
        actor,
        url=_project_url(project),
    )
    return project


# ----------------------------------------------------------------------------- projects


def _team_shape(mentors, mentees) -> tuple[int, int]:
    m = _number(mentors, field="mentors_wanted", label=_("Mentors wanted"), low=0, high=MAX_TEAM, integer=True)
    n = _number(mentees, field="mentees_wanted", label=_("Mentees wanted"), low=0, high=MAX_TEAM, integer=True)
    return (2 if m is None else m), (4 if n is None else n)


def _project_communities(lead: Community, others: Iterable[Community]) -> list[Community]:
    out = [lead]
    for c in others or ():
        if c.pk not in {x.pk for x in out}:
            out.append(c)
    return out


@transaction.atomic
def project_create(
    *,
    community: Community,
    actor: User,
    title: str,
    goal: str,
    requesting_contact: str,
    communities: Iterable[Community] = (),
    required_skills: Iterable[str] | str = (),
    learning_skills: Iterable[str] | str = (),
    mentors_wanted=2,
    mentees_wanted=4,
    min_hours=0,
    requesting_team: Iterable[User] = (),
    help_request: HelpRequest | None = None,
    before_minutes_per_run=None,
    before_runs_per_month=None,
) -> Project:
    mentors, mentees = _team_shape(mentors_wanted, mentees_wanted)
    before_minutes = _minutes(before_minutes_per_run, "before_minutes_per_run")
    before_runs = _runs(before_runs_per_month, "before_runs_per_month")
    _check_process(before_minutes, before_runs, prefix="before_")
    project = Project.objects.create(
        title=clean_text(title, field="title", limit=200, required=True, label=_("Title")),
        goal=clean_text(goal, field="goal", limit=5000, required=True, label=_("Goal")),
        requesting_contact=clean_text(
            requesting_contact, field="requesting_contact", limit=200, required=True, label=_("Requesting team contact")
        ),
        help_request=help_request,
        lead_community=community,
        required_skills=_skills(required_skills, field="required_skills"),
        learning_skills=_skills(learning_skills, field="learning_skills"),
        mentors_wanted=mentors,
        mentees_wanted=mentees,
        min_hours=_number(min_hours, field="min_hours", label=_("Minimum hours"), low=0, high=MAX_HOURS, integer=True)
        or 0,
        before_minutes_per_run=before_minutes,
        before_runs_per_month=before_runs,
        created_by=actor,
    )
    project.communities.set(_project_communities(community, communities))
    project.requesting_team.set(list(requesting_team))
    return project


PROJECT_FIELDS = (
    "title",
    "goal",
    "requesting_contact",
    "required_skills",
    "learning_skills",
    "mentors_wanted",
    "mentees_wanted",
    "min_hours",
    "approach",
)


@transaction.atomic
def project_update(
    *, project: Project, actor: User, communities: Iterable[Community] | None = None, **changes
) -> Project:
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    project = Project.objects.select_for_update().get(pk=project.pk)
    fields = []
    labels = {"title": _("Title"), "goal": _("Goal"), "requesting_contact": _("Requesting team contact")}
    for name in ("title", "goal", "requesting_contact"):
        if changes.get(name) is not None:
            limit = 200 if name != "goal" else 5000
            setattr(
                project, name, clean_text(changes[name], field=name, limit=limit, required=True, label=labels[name])
            )
            fields.append(name)
    if changes.get("approach") is not None:
        project.approach = clean_text(changes["approach"], field="approach", limit=5000, label=_("Approach"))
        fields.append("approach")
    for name in ("required_skills", "learning_skills"):
        if changes.get(name) is not None:
            setattr(project, name, _skills(changes[name], field=name))
            fields.append(name)
    if changes.get("mentors_wanted") is not None or changes.get("mentees_wanted") is not None:
        if project.state not in (ProjectState.PROPOSED, ProjectState.STAFFING, ProjectState.PAUSED):
            raise Conflict(_("The team shape can only change before the project is active."), field="mentors_wanted")
        project.mentors_wanted, project.mentees_wanted = _team_shape(
            changes.get("mentors_wanted", project.mentors_wanted), changes.get("mentees_wanted", project.mentees_wanted)
        )
        fields += ["mentors_wanted", "mentees_wanted"]
    if changes.get("min_hours") is not None:
        project.min_hours = (
            _number(
                changes["min_hours"], field="min_hours", label=_("Minimum hours"), low=0, high=MAX_HOURS, integer=True
            )
            or 0
        )
        fields.append("min_hours")
    if fields:
        project.save(update_fields=[*fields, "updated_at"])
    if communities is not None:
        project.communities.set(_project_communities(project.lead_community, communities))
    return project


@transaction.atomic
def project_transition(*, project: Project, actor: User, to: str) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    current = _transition(project, to, PROJECT_TRANSITIONS, "project")
    if current == ProjectState.PAUSED and to != ProjectState.CANCELLED and to != project.paused_from:
        raise Conflict(
            _("This project was paused while %(state)s: it resumes there.")
            % {"state": ProjectState(project.paused_from).label.lower()}
        )
    live = project.places.filter(status__in=PLACE_LIVE)
    if to == ProjectState.ACTIVE:
        if not live.filter(status=PlaceStatus.PUBLISHED).exists():
            raise Conflict(_("Publish a team before starting the project."))
        waiting = live.filter(status=PlaceStatus.PROPOSED).count()
        if waiting:
            raise Conflict(
                ngettext(
                    "%(n)d proposed place is waiting: publish the team first.",
                    "%(n)d proposed places are waiting: publish the team first.",
                    waiting,
                )
                % {"n": waiting}
            )
    if to == ProjectState.EVALUATED and project.after_minutes_per_month is None:
        raise Conflict(_("Record how long the process takes now (the “after” measures) before marking it evaluated."))
    if to == ProjectState.PAUSED:
        project.paused_from = current
    elif current == ProjectState.PAUSED:
        project.paused_from = ""
    if to == ProjectState.CANCELLED:
        live.filter(status=PlaceStatus.PROPOSED).delete()
    project.save(update_fields=["state", "paused_from", "updated_at"])
    return project


# ----------------------------------------------------------------------------- willingness and capacity


@transaction.atomic
def mentoring_offer_save(
    *,
    user: User,
    role: str,
    teaches: Iterable[str] | str = (),
    wants: Iterable[str] | str = (),
    hours_per_month=0,
    max_projects=1,
) -> MentoringOffer:
    if role not in OfferRole.values:
        raise InvalidInput(_("Choose mentor, mentee, both or not at the moment."), field="role")
    teaches, wants = _skills(teaches, field="teaches"), _skills(wants, field="wants")
    hours = _number(
        hours_per_month, field="hours_per_month", label=_("Hours per month"), low=0, high=MAX_HOURS, integer=True
    )
    most = _number(
        max_projects, field="max_projects", label=_("Projects at a time"), low=0, high=MAX_CONCURRENT, integer=True
    )
    if role in (OfferRole.MENTOR, OfferRole.BOTH) and not teaches:
        raise InvalidInput(_("List at least one skill you could teach."), field="teaches")
    if role in (OfferRole.MENTEE, OfferRole.BOTH) and not wants:
        raise InvalidInput(_("List at least one skill you would like to learn."), field="wants")
    offer, _created = MentoringOffer.objects.update_or_create(
        user=user,
        defaults={
            "role": role,
            "teaches": teaches,
            "wants": wants,
            "hours_per_month": hours or 0,
            "max_projects": 1 if most is None else most,
        },
    )
    return offer


@transaction.atomic
def conflict_declare(*, project: Project, user: User, note: str = "") -> ProjectConflict:
    """Declare a conflict of interest: never matched to this project; a live place before it starts is declined."""
    note = clean_text(note, field="note", limit=300, label=pgettext("conflict of interest", "Note"))
    conflict, _created = ProjectConflict.objects.update_or_create(project=project, user=user, defaults={"note": note})
    place = TeamPlace.objects.filter(project=project, user=user, status__in=PLACE_LIVE).first()
    if place is not None:
        place_decline(place=place, user=user)
    return conflict


@transaction.atomic
def conflict_withdraw(*, project: Project, user: User) -> None:
    ProjectConflict.objects.filter(project=project, user=user).delete()


# ----------------------------------------------------------------------------- matching


def _role_of(offer: MentoringOffer) -> tuple[bool, bool]:
    return offer.can_mentor, offer.can_be_mentored


def _need(project: Project, *, without: int | None = None) -> Need:
    published = {
        p.user_id: p.role
        for p in project.places.filter(status=PlaceStatus.PUBLISHED)
        if without is None or p.user_id != without
    }
    try:
        return Need(
            id=project.pk,
            required_skills=frozenset(s.lower() for s in project.required_skills),
            learning_skills=frozenset(s.lower() for s in project.learning_skills),
            mentors=project.mentors_wanted,
            mentees=project.mentees_wanted,
            min_hours=project.min_hours,
            requesting_team=frozenset(project.requesting_team.values_list("id", flat=True)),
            fixed=published,
        )
    except MatchingError as exc:
        raise InvalidInput(_("This project cannot be matched: %(reason)s.") % {"reason": exc}) from None


def candidate_pool(project: Project) -> list[Candidate]:
    """Members (not guests) of the project's communities who offered to mentor or be mentored.

    `current_projects` counts their live places in open projects, except proposals on this project
    (the matcher re-proposes those); opportunities come from the ledger's last 12 months.
    """
    community_ids = list(project.communities.values_list("id", flat=True))
    user_ids = set(
        Membership.objects.filter(community_id__in=community_ids, role__in=(Role.MEMBER, Role.COORDINATOR)).values_list(
            "user_id", flat=True
        )
    )
    # Ordered: the matcher breaks ties by input order, and proposals must not change between runs.
    offers = list(MentoringOffer.objects.filter(user_id__in=user_ids).exclude(role=OfferRole.NONE).order_by("user_id"))
    ids = [o.user_id for o in offers]
    load = Counter(
        TeamPlace.objects.filter(user_id__in=ids, status__in=PLACE_LIVE, project__state__in=OPEN_STATES)
        .exclude(project=project, status=PlaceStatus.PROPOSED)
        .values_list("user_id", flat=True)
    )
    since = timezone.now() - timedelta(days=365)
    opportunities = dict(
        OpportunityEntry.objects.filter(user_id__in=ids, occurred_at__gte=since)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    conflicts: dict[int, set[int]] = defaultdict(set)
    for user_id, project_id in ProjectConflict.objects.filter(user_id__in=ids).values_list("user_id", "project_id"):
        conflicts[user_id].add(project_id)
    for user_id in TeamPlace.objects.filter(project=project, status=PlaceStatus.DECLINED).values_list(
        "user_id", flat=True
    ):
        conflicts[user_id].add(project.pk)  # who declined is not proposed again for this project
    return [
        Candidate(
            id=o.user_id,
            can_mentor=o.can_mentor,
            can_be_mentored=o.can_be_mentored,
            teaches=frozenset(s.lower() for s in o.teaches),
            wants=frozenset(s.lower() for s in o.wants),
            hours_per_month=o.hours_per_month,
            max_projects=o.max_projects,
            current_projects=load.get(o.user_id, 0),
            opportunities_12m=opportunities.get(o.user_id, 0),
            conflicts=frozenset(conflicts.get(o.user_id, ())),
        )
        for o in offers
    ]


def _save_pairs(project: Project, pairs: Iterable[Pair]) -> None:
    places = {p.user_id: p for p in project.places.filter(status__in=PLACE_LIVE)}
    for place in places.values():
        if place.role == PlaceRole.MENTEE:
            place.mentor, place.shared_skills = None, []
    for pair in pairs:
        mentee, mentor = places.get(pair.mentee), places.get(pair.mentor)
        if mentee is not None and mentor is not None:
            mentee.mentor, mentee.shared_skills = mentor, list(pair.shared_skills)
    TeamPlace.objects.bulk_update(
        [p for p in places.values() if p.role == PlaceRole.MENTEE], ["mentor", "shared_skills"]
    )


def _save_shortfalls(project: Project, result: MatchResult) -> None:
    project.shortfalls = {s.role: s.missing for s in result.shortfalls if s.project == project.pk and s.missing}
    project.save(update_fields=["shortfalls", "updated_at"])


def _place_from(project: Project, match: Match) -> TeamPlace:
    return TeamPlace.objects.create(
        project=project,
        user_id=match.person,
        role=match.role,
        status=PlaceStatus.PROPOSED,
        score=round(match.score, 4),
        priority_tier=match.explanation.priority_tier,
        explanation=match.explanation.text[:500],
    )


def _require_staffing(project: Project) -> None:
    if project.state != ProjectState.STAFFING:
        raise Conflict(_("Team matching happens while the project is staffing: move it to staffing first."))


@transaction.atomic
def team_match(*, project: Project, actor: User) -> MatchResult:
    """Propose (or re-propose) the open places of the team; published members stay where they are."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_staffing(project)
    if not project.required_skills:
        raise InvalidInput(
            _("This project lists no required skills: add the skills the work needs so mentors can be matched."),
            field="required_skills",
        )
    if project.mentors_wanted + project.mentees_wanted == 0:
        raise InvalidInput(_("The team shape asks for nobody: set how many mentors and mentees you need."))
    proposed_before = set(project.places.filter(status=PlaceStatus.PROPOSED).values_list("user_id", "role"))
    project.places.filter(status=PlaceStatus.PROPOSED).delete()
    need = _need(project)
    try:
        result = match_teams([need], candidate_pool(project), seed=project.pk)
    except MatchingError as exc:
        raise InvalidInput(_("The team could not be matched: %(reason)s.") % {"reason": exc}) from None
    new = [_place_from(project, match) for match in result.assignments]
    _save_pairs(project, result.pairs)
    _save_shortfalls(project, result)
    _proposed_notify(project, [p for p in new if (p.user_id, p.role) not in proposed_before], actor)
    return result


def _ledger_community(project: Project, user_id: int) -> Community:
    mine = set(Membership.objects.filter(user_id=user_id).values_list("community_id", flat=True))
    if project.lead_community_id in mine:
        return project.lead_community
    return project.communities.filter(pk__in=mine).first() or project.lead_community


@transaction.atomic
def team_publish(*, project: Project, actor: User) -> list[TeamPlace]:
    """Publish every proposed place: the team is told, and the opportunities go to the ledger."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_staffing(project)
    proposed = list(project.places.filter(status=PlaceStatus.PROPOSED).select_related("user"))
    if not proposed:
        raise Conflict(_("Nothing to publish: run the matching first."))
    now = timezone.now()
    for place in proposed:
        place.status, place.published_at = PlaceStatus.PUBLISHED, now
        place.save(update_fields=["status", "published_at"])
        opportunity_record(
            community=_ledger_community(project, place.user_id),
            user=place.user,
            kind=place.role,
            source=project.context,
            label=f"{place.get_role_display()} on “{project.title}”"[:200],
        )
    published = project.places.filter(status=PlaceStatus.PUBLISHED)
    if not published.filter(is_lead=True).exists():
        lead = published.filter(role=PlaceRole.MENTOR).order_by("-score", "id").select_related("user").first()
        if lead is not None:
            lead.is_lead = True
            lead.save(update_fields=["is_lead"])
            opportunity_record(
                community=_ledger_community(project, lead.user_id),
                user=lead.user,
                kind="project_lead",
                source=project.context,
                label=f"Project lead on “{project.title}”"[:200],
            )
    audit(
        community=project.lead_community,
        actor=actor,
        action="team_published",
        subject=f"project:{project.pk}",
        places=len(proposed),
    )
    lead_id = published.filter(is_lead=True).values_list("user_id", flat=True).first()
    for place in proposed:
        if place.user_id == lead_id:
            template = gettext_lazy(
                "The team of “%(title)s” is published, and you are on it as its lead. Meet your team on the "
                "project's page."
            )
        elif place.role == PlaceRole.MENTOR:
            template = gettext_lazy(
                "The team of “%(title)s” is published, and you are on it as a mentor. Meet your team on the "
                "project's page."
            )
        else:
            template = gettext_lazy(
                "The team of “%(title)s” is published, and you are on it as a mentee. Meet your team on the "
                "project's page."
            )
        _tell(project, "team.published", [place.user_id], _phrase(template, {"title": project.title}), actor)
    return proposed


# ----------------------------------------------------------------------------- the team by hand


def _require_candidate(project: Project, user: User) -> None:
    if project.places.filter(user=user, status__in=PLACE_LIVE).exists():
        raise Conflict(_("%(name)s already has a place on this team.") % {"name": user.display_name}, field="user")
    if ProjectConflict.objects.filter(project=project, user=user).exists():
        raise Conflict(
            _("%(name)s declared a conflict of interest with this project.") % {"name": user.display_name}, field="user"
        )
    if project.places.filter(user=user, status=PlaceStatus.DECLINED).exists():
        raise Conflict(
            _("%(name)s declined a place on this project; ask them first.") % {"name": user.display_name}, field="user"
        )
    if not selectors.team_candidates(project).filter(pk=user.pk).exists():
        raise InvalidInput(
            _("Only members of the project's communities can join its team (guests cannot)."), field="user"
        )


def _role(role: str) -> str:
    if role not in PlaceRole.values:
        raise InvalidInput(_("Choose mentor or mentee."), field="role")
    return role


def _add_by_hand(project: Project, actor: User, user: User, role: str) -> TeamPlace:
    _require_candidate(project, user)
    return TeamPlace.objects.create(
        project=project,
        user=user,
        role=role,
        status=PlaceStatus.PROPOSED,
        explanation=f"Added by hand by {actor.display_name}."[:500],
    )


def _take_off(project: Project, place: TeamPlace) -> None:
    """Remove a live place; a published one gives its opportunity (and the lead's) back to the ledger."""
    if place.status == PlaceStatus.PUBLISHED:
        opportunity_withdraw(user=place.user, kind=place.role, source=project.context)
        if place.is_lead:
            opportunity_withdraw(user=place.user, kind="project_lead", source=project.context)
    TeamPlace.objects.filter(mentor=place).update(mentor=None, shared_skills=[])
    place.delete()


def _live_place(project: Project, place_id) -> TeamPlace:
    place = project.places.filter(pk=place_id, status__in=PLACE_LIVE).select_related("user").first()
    if place is None:
        raise InvalidInput(_("That person has no place on this team."), field="place")
    return place


@transaction.atomic
def place_add(*, project: Project, actor: User, user: User, role: str) -> TeamPlace:
    """A coordinator proposes a named person for the team; published like any proposal."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_staffing(project)
    place = _add_by_hand(project, actor, user, _role(role))
    _proposed_notify(project, [place], actor)
    return place


def _removed_notify(project: Project, place: TeamPlace, actor: User) -> None:
    _tell(
        project,
        "team.rematched",
        [place.user_id],
        _phrase(
            gettext_lazy(
                "The team of “%(title)s” changed: a coordinator gave your place as mentor to someone else. "
                "Thank you for your willingness."
            )
            if place.role == PlaceRole.MENTOR
            else gettext_lazy(
                "The team of “%(title)s” changed: a coordinator gave your place as mentee to someone else. "
                "Thank you for your willingness."
            ),
            {"title": project.title},
        ),
        actor,
    )


@transaction.atomic
def place_remove(*, project: Project, actor: User, place_id: int) -> None:
    """A coordinator takes a person off the team (proposed, or published before the project starts)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_staffing(project)
    place = _live_place(project, place_id)
    _take_off(project, place)
    _removed_notify(project, place, actor)


@transaction.atomic
def place_swap(*, project: Project, actor: User, place_id: int, user: User) -> TeamPlace:
    """A coordinator puts `user` in someone's place (same role); the newcomer is proposed."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_staffing(project)
    place = _live_place(project, place_id)
    _require_candidate(project, user)
    role = place.role
    _take_off(project, place)
    _removed_notify(project, place, actor)
    newcomer = _add_by_hand(project, actor, user, role)
    _proposed_notify(project, [newcomer], actor)
    return newcomer


def _as_match(place: TeamPlace) -> Match:
    explanation = Explanation(
        role=place.role,
        skills=(),
        basis="none",
        basis_size=0,
        priority_tier=place.priority_tier or 1,
        opportunities=0,
        score=place.score,
    )
    return Match(
        project=place.project_id, person=place.user_id, role=place.role, score=place.score, explanation=explanation
    )


def may_decline(project: Project) -> bool:
    state = project.paused_from if project.state == ProjectState.PAUSED else project.state
    return state in (ProjectState.PROPOSED, ProjectState.STAFFING)


@transaction.atomic
def place_decline(*, place: TeamPlace, user: User) -> TeamPlace | None:
    """The person declines their proposed (or published, before the project starts) place.

    The place is re-matched without touching anyone else's; returns the newcomer's place, or None
    when nobody eligible is left (the project then shows the shortfall).
    """
    project = Project.objects.select_for_update().get(pk=place.project_id)
    place = TeamPlace.objects.select_for_update().get(pk=place.pk)
    if place.user_id != user.pk:
        raise Conflict(_("Only the person proposed for this place can decline it."))
    if place.status not in PLACE_LIVE:
        raise Conflict(_("You already declined this place."))
    if not may_decline(project):
        raise Conflict(_("The project has started: talk to its coordinators about stepping back."))
    was_published, was_lead = place.status == PlaceStatus.PUBLISHED, place.is_lead

    team = list(project.places.filter(status__in=PLACE_LIVE))
    proposed = [p for p in team if p.status == PlaceStatus.PROPOSED]
    if was_published:
        proposed.append(place)
    pairs = [
        Pair(mentor=p.mentor.user_id, mentee=p.user_id, project=project.pk, shared_skills=tuple(p.shared_skills))
        for p in project.places.filter(status__in=PLACE_LIVE, mentor__isnull=False).select_related("mentor")
    ]
    declined_before = frozenset(
        (uid, project.pk)
        for uid in project.places.filter(status=PlaceStatus.DECLINED).values_list("user_id", flat=True)
    )
    previous = MatchResult(
        assignments=tuple(_as_match(p) for p in proposed),
        pairs=tuple(pairs),
        shortfalls=(),
        seconds=0.0,
        declined=declined_before,
    )

    place.status, place.declined_at, place.is_lead, place.mentor = PlaceStatus.DECLINED, timezone.now(), False, None
    place.save(update_fields=["status", "declined_at", "is_lead", "mentor"])
    if was_published:
        opportunity_withdraw(user=user, kind=place.role, source=project.context)
        if was_lead:
            opportunity_withdraw(user=user, kind="project_lead", source=project.context)

    newcomer = None
    if project.state == ProjectState.STAFFING:
        try:
            result = rematch(
                previous,
                [_need(project, without=user.pk)],
                candidate_pool(project),
                declined=(user.pk, project.pk),
                seed=project.pk,
            )
        except MatchingError as exc:
            raise InvalidInput(_("The place could not be re-matched: %(reason)s.") % {"reason": exc}) from None
        known = {(a.person, a.role) for a in previous.assignments}
        for match in result.assignments:
            if match.project == project.pk and (match.person, match.role) not in known:
                newcomer = _place_from(project, match)
        _save_pairs(project, result.pairs)
        _save_shortfalls(project, result)
    _tell(
        project,
        "team.declined",
        _coordinators(project),
        format_lazy(
            "{} {}",
            _phrase(
                gettext_lazy("%(name)s declined their place as mentor on “%(title)s”.")
                if place.role == PlaceRole.MENTOR
                else gettext_lazy("%(name)s declined their place as mentee on “%(title)s”."),
                {"name": user.display_name, "title": project.title},
            ),
            gettext_lazy("The place was offered to the next person who fits.")
            if newcomer
            else gettext_lazy("Nobody else fits it yet."),
        ),
        user,
    )
    if newcomer is not None:
        _tell(
            project,
            "team.rematched",
            [newcomer.user_id],
            _phrase(
                gettext_lazy(
                    "A place opened on the team of “%(title)s”, and you are proposed for it as mentor. "
                    "Look at the project; you can still decline the place."
                )
                if newcomer.role == PlaceRole.MENTOR
                else gettext_lazy(
                    "A place opened on the team of “%(title)s”, and you are proposed for it as mentee. "
                    "Look at the project; you can still decline the place."
                ),
                {"title": project.title},
            ),
            user,
        )
    return newcomer


# ----------------------------------------------------------------------------- milestones


@transaction.atomic
def milestone_create(
    *, project: Project, actor: User, title: str, owner: User | None = None, due: date | None = None
) -> Milestone:
    if project.state in (ProjectState.EVALUATED, ProjectState.CANCELLED):
        raise Conflict(_("This project is closed: milestones can no longer be added."))
    title = clean_text(title, field="title", limit=200, required=True, label=_("Title"))
    if owner is not None and not (
        project.places.filter(user=owner, status=PlaceStatus.PUBLISHED).exists()
        or project.requesting_team.filter(pk=owner.pk).exists()
        or Membership.objects.filter(user=owner, community__in=project.communities.all()).exists()
    ):
        raise InvalidInput(
            _("The owner must be on the team, on the requesting team or in the project's communities."), field="owner"
        )
    return Milestone.objects.create(project=project, title=title, owner=owner, due=due)


@transaction.atomic
def milestone_transition(*, milestone: Milestone, actor: User, to: str) -> Milestone:
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    _transition(milestone, to, MILESTONE_TRANSITIONS, "milestone")
    milestone.done_at = timezone.now() if to == MilestoneState.DONE else None
    milestone.save(update_fields=["state", "done_at"])
    return milestone


# ----------------------------------------------------------------------------- outcomes


@transaction.atomic
def measures_record(
    *,
    project: Project,
    actor: User,
    before_minutes_per_run=None,
    before_runs_per_month=None,
    after_minutes_per_run=None,
    after_runs_per_month=None,
) -> Project:
    """Before/after measures of the process. Everything is checked before anything is saved."""
    values = {
        "before_minutes_per_run": _minutes(before_minutes_per_run, "before_minutes_per_run"),
        "before_runs_per_month": _runs(before_runs_per_month, "before_runs_per_month"),
        "after_minutes_per_run": _minutes(after_minutes_per_run, "after_minutes_per_run"),
        "after_runs_per_month": _runs(after_runs_per_month, "after_runs_per_month"),
    }
    _check_process(values["before_minutes_per_run"], values["before_runs_per_month"], prefix="before_")
    _check_process(values["after_minutes_per_run"], values["after_runs_per_month"], prefix="after_")
    project = Project.objects.select_for_update().get(pk=project.pk)
    for name, value in values.items():
        setattr(project, name, value)
    project.save(update_fields=[*values, "updated_at"])
    return project


def skills_on_offer(project: Project) -> list[str]:
    return list(project.learning_skills or project.required_skills)


def _ratings(raw: Mapping | None, *, field: str, allowed: list[str]) -> dict[str, int]:
    out = {}
    for skill, value in dict(raw or {}).items():
        name = " ".join(str(skill).split()).lower()
        if value is None or value == "":
            continue
        if name not in allowed:
            raise InvalidInput(
                _("“%(skill)s” is not one of this project's skills.") % {"skill": name[:60]}, field=field
            )
        rating = _number(
            value, field=field, label=_("The rating for %(skill)s") % {"skill": name}, low=1, high=5, integer=True
        )
        out[name] = rating
    return out


@transaction.atomic
def skills_record(*, project: Project, user: User, before: Mapping | None, after: Mapping | None) -> TeamPlace:
    """A mentee's self-assessment, 1 (new to it) to 5 (could teach it), before and after the project."""
    place = TeamPlace.objects.filter(
        project=project, user=user, role=PlaceRole.MENTEE, status=PlaceStatus.PUBLISHED
    ).first()
    if place is None:
        raise Conflict(_("Only a mentee on this project's team records skills here."))
    allowed = skills_on_offer(Project.objects.get(pk=project.pk))
    place.skills_before = _ratings(before, field="before", allowed=allowed)
    place.skills_after = _ratings(after, field="after", allowed=allowed)
    place.save(update_fields=["skills_before", "skills_after"])
    return place


@transaction.atomic
def case_study_consent_set(*, project: Project, user: User, consent: bool) -> TeamPlace:
    """A published mentee says whether the case study may show their skill ratings by name.

    Until they confirm, the case study shows their ratings only inside a mean over at least
    five mentees (docs/privacy.md). They may change their answer at any time.
    """
    place = (
        TeamPlace.objects.select_for_update()
        .filter(project=project, user=user, role=PlaceRole.MENTEE, status=PlaceStatus.PUBLISHED)
        .first()
    )
    if place is None:
        raise Conflict(_("Only a mentee on this project's team decides about their own ratings."))
    if not isinstance(consent, bool):
        raise InvalidInput(_("Say yes or no."), field="consent")
    place.case_study_consent = Consent.CONFIRMED if consent else Consent.DECLINED
    place.save(update_fields=["case_study_consent"])
    _tell(
        project,
        "project.consent",
        _coordinators(project),
        _phrase(
            gettext_lazy("%(name)s agreed that the case study of “%(title)s” may show their skill ratings by name.")
            if consent
            else gettext_lazy(
                "%(name)s does not want the case study of “%(title)s” to show their skill ratings by name."
            ),
            {"name": user.display_name, "title": project.title},
        ),
        user,
    )
    return place


@transaction.atomic
def project_message_send(*, project: Project, actor: User, text: str, audience: str = "team") -> int:
    """A coordinator writes to everyone with a published place on the team; returns how many it
    reaches. Nobody sees anyone's address; the audit log records it, never the text."""
    require_audience("project", audience)
    reached = message_send(
        recipients=project.places.filter(status=PlaceStatus.PUBLISHED).values_list("user_id", flat=True),
        kind="project.message",
        obj=project,
        sender=actor,
        about=f"the team of “{project.title}”",
        text=text,
        url=_project_url(project),
        community=project.lead_community,
    )
    audit(
        community=project.lead_community,
        actor=actor,
        action="message_sent",
        subject=f"project:{project.pk}",
        audience=audience,
        recipients=reached,
    )
    return reached


@transaction.atomic
def reflection_record(*, project: Project, user: User, text: str) -> TeamPlace:
    place = TeamPlace.objects.filter(
        project=project, user=user, role=PlaceRole.MENTOR, status=PlaceStatus.PUBLISHED
    ).first()
    if place is None:
        raise Conflict(_("Only a mentor on this project's team writes a reflection here."))
    place.reflection = clean_text(text, field="reflection", limit=5000, required=True, label=_("The reflection"))
    place.save(update_fields=["reflection"])
    return place


@transaction.atomic
def satisfaction_record(*, project: Project, actor: User, score, comment: str = "") -> Project:
    value = _number(score, field="score", label=_("Satisfaction"), low=1, high=5, integer=True)
    if value is None:
        raise InvalidInput(_("Choose a satisfaction score from 1 to 5."), field="score")
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.satisfaction = value
    project.satisfaction_comment = clean_text(comment, field="comment", limit=2000, label=_("Comment"))
    project.save(update_fields=["satisfaction", "satisfaction_comment", "updated_at"])
    return project


def may_publish_case_study(project: Project) -> bool:
    """Whether `case_study_publish` would succeed: the page offers "Publish" only then."""
    return not project.case_study_published and project.state in (ProjectState.DELIVERED, ProjectState.EVALUATED)


@transaction.atomic
def case_study_publish(*, project: Project, actor: User, publish: bool = True) -> Project:
    """Publish the case study to every community (any logged-in person can read it), or withdraw it."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if publish and not project.case_study_published and not may_publish_case_study(project):
        raise Conflict(_("A case study is published once the project is delivered."))
    project.case_study_published_at = timezone.now() if publish else None
    project.save(update_fields=["case_study_published_at", "updated_at"])
    audit(
        community=project.lead_community,
        actor=actor,
        action="case_study_published" if publish else "case_study_withdrawn",
        subject=f"project:{project.pk}",
    )
    return project


def personal_data_erase(user: User) -> None:
    """Projects' part of a person leaving (core.hooks `personal_data_erase`).

    The mentoring offer, declared conflicts and places only proposed go; published places, outcomes
    and help requests stay under "A former member" (the team's record and its measured outcomes must
    still add up), without the request's contact details.
    """
    MentoringOffer.objects.filter(user=user).delete()
    ProjectConflict.objects.filter(user=user).delete()
    TeamPlace.objects.filter(user=user, status=PlaceStatus.PROPOSED).delete()
    HelpRequest.objects.filter(requester=user).update(contact="")
