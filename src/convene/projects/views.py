"""Pages for help requests, projects, team matching, milestones, outcomes and case studies.

Thin: a form validates, a helper from permissions.py authorizes, a service does the work.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from convene.accounts.models import User
from convene.communities.models import Community, Membership, Role
from convene.communities.views import community_context as _community_ctx
from convene.core.errors import ServiceError
from convene.core.forms import run_service
from convene.notifications.compose import message_form_handle

from . import selectors, services
from .forms import (
    AnswerForm,
    ConflictForm,
    HelpRequestForm,
    MeasuresForm,
    MilestoneForm,
    MilestoneStateForm,
    OfferForm,
    ProjectForm,
    ReflectionForm,
    SatisfactionForm,
    SkillsForm,
    TeamPersonForm,
    TransitionForm,
    TriageForm,
)
from .models import PROJECT_TRANSITIONS, MentoringOffer, PlaceStatus, ProjectConflict, ProjectState
from .permissions import (
    Access,
    Need,
    can_record,
    case_study_for,
    community_for,
    help_request_for,
    milestone_for,
    place_for,
    project_for,
    require_record,
)


def _flash(request, call, success: str | None = None):
    try:
        result = call()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def _act(request, call, success: str, to: str, **kwargs):
    """A POST action's usual end: run the service (flashing its outcome) and go back to `to`."""
    _flash(request, call, success)
    return redirect(to, **kwargs)


def _skills_text(value) -> str:
    return ", ".join(value or [])


# ----------------------------------------------------------------------------- help requests


@login_required
def request_create(request, slug):
    community = community_for(request.user, slug)
    form = HelpRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        help_request = run_service(
            form,
            lambda: services.help_request_submit(community=community, requester=request.user, **form.cleaned_data),
        )
        if help_request:
            messages.success(
                request,
                _("Your request was sent to the coordinators of %(community)s.") % {"community": community.name},
            )
            return redirect("projects:request_detail", request_id=help_request.pk)
    return render(request, "projects/request_form.html", _community_ctx(request, community, form=form))


@login_required
def request_list(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    page = Paginator(selectors.community_requests(community), 30).get_page(request.GET.get("page"))
    return render(request, "projects/requests.html", _community_ctx(request, community, page_obj=page))


@login_required
def request_detail(request, request_id):
    help_request = help_request_for(request.user, request_id)
    return render(
        request,
        "projects/request_detail.html",
        {
            "help_request": help_request,
            "process_steps": selectors.process_steps(help_request.process),
            "notes": help_request.notes.select_related("author__profile"),
            "project": getattr(help_request, "project", None),
            "triage_form": TriageForm(),
            "answer_form": AnswerForm(),
            "nav": "communities",
        },
    )


@login_required
@require_POST
def request_triage(request, request_id):
    help_request = help_request_for(request.user, request_id, manage=True)
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision: accept, ask for more information or decline."))
        return redirect("projects:request_detail", request_id=help_request.pk)
    action, message = form.cleaned_data["action"], form.cleaned_data["message"]
    if action == "accept":
        project = _flash(
            request,
            lambda: services.help_request_accept(help_request=help_request, actor=request.user),
            _("Accepted. The project is proposed: set its skills and team shape, then start staffing."),
        )
        if project:
            return redirect("projects:edit", project_id=project.pk)
    elif action == "ask":
        _flash(
            request,
            lambda: services.help_request_ask(help_request=help_request, actor=request.user, question=message),
            _("Your question was sent to the requester."),
        )
    else:
        _flash(
            request,
            lambda: services.help_request_decline(help_request=help_request, actor=request.user, reason=message),
            _("The request was declined; the requester sees your reason."),
        )
    return redirect("projects:request_detail", request_id=help_request.pk)


@login_required
@require_POST
def request_answer(request, request_id):
    help_request = help_request_for(request.user, request_id, requester=True)
    form = AnswerForm(request.POST)
    if form.is_valid():
        _flash(
            request,
            lambda: services.help_request_answer(
                help_request=help_request, requester=request.user, answer=form.cleaned_data["answer"]
            ),
            _("Thank you: your answer was sent to the coordinators."),
        )
    else:
        messages.error(request, _("Write an answer first."))
    return redirect("projects:request_detail", request_id=help_request.pk)


@login_required
@require_POST
def request_withdraw(request, request_id):
    help_request = help_request_for(request.user, request_id, requester=True)
    return _act(
        request,
        lambda: services.help_request_withdraw(help_request=help_request, requester=request.user),
        _("Your request was withdrawn."),
        "projects:request_detail",
        request_id=help_request.pk,
    )


# ----------------------------------------------------------------------------- willingness and offers


@login_required
def offer_edit(request):
    offer = MentoringOffer.objects.filter(user=request.user).first()
    profile = request.user.profile
    initial = (
        {
            "role": offer.role,
            "teaches": _skills_text(offer.teaches),
            "wants": _skills_text(offer.wants),
            "hours_per_month": offer.hours_per_month,
            "max_projects": offer.max_projects,
        }
        if offer
        else {
            "role": "none",
            "teaches": ", ".join(s.name for s in profile.skills.all()),
            "wants": ", ".join(s.name for s in profile.interests.all()),
            "hours_per_month": profile.hours_per_month or 4,
            "max_projects": 1,
        }
    )
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.mentoring_offer_save(user=request.user, **form.cleaned_data)):
            messages.success(request, _("Saved. Coordinators of your communities can now consider you for projects."))
            return redirect("projects:offer")
    return render(request, "projects/offer.html", {"form": form, "offer": offer, "nav": "profile"})


@login_required
def offer_list(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    page = Paginator(selectors.community_offers(community), 50).get_page(request.GET.get("page"))
    return render(request, "projects/offers.html", _community_ctx(request, community, page_obj=page))


# ----------------------------------------------------------------------------- projects


@login_required
def project_mine(request):
    return render(
        request,
        "projects/mine.html",
        {
            "projects": selectors.my_projects(request.user),
            "requests": request.user.help_requests.select_related("community", "project"),
            "coordinated": Membership.objects.filter(user=request.user, role=Role.COORDINATOR).select_related(
                "community"
            ),
            "nav": "projects",
        },
    )


@login_required
def community_projects(request, slug):
    community = community_for(request.user, slug, need=Need.GUEST)
    page = Paginator(selectors.community_projects(community), 30).get_page(request.GET.get("page"))
    return render(request, "projects/community.html", _community_ctx(request, community, page_obj=page))


def _others(community: Community):
    return Community.objects.exclude(pk=community.pk).order_by("name")


@login_required
def project_create(request, slug=None):
    if slug is None:
        coordinated = Membership.objects.filter(user=request.user, role=Role.COORDINATOR).select_related("community")
        if len(coordinated) == 1:
            return redirect("projects:create", slug=coordinated[0].community.slug)
        return render(request, "projects/choose_community.html", {"coordinated": coordinated, "nav": "projects"})
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    form = ProjectForm(request.POST or None, others=_others(community))
    del form.fields["approach"]  # written once there is something to say, on the edit page
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        project = run_service(form, lambda: services.project_create(community=community, actor=request.user, **data))
        if project:
            messages.success(
                request,
                _("“%(title)s” is proposed. Move it to staffing when the shape is right.") % {"title": project.title},
            )
            return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/project_form.html", _community_ctx(request, community, form=form, creating=True))


@login_required
def project_detail(request, project_id):
    project = project_for(request.user, project_id)
    project = _with_access(selectors.project_page(project), project.access)
    places = list(selectors.team(project))
    managing = project.access == Access.MANAGE
    mine = next((p for p in places if p.user_id == request.user.pk), None)
    shown = [p for p in places if p.status == PlaceStatus.PUBLISHED or managing]
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "managing": managing,
            "places": shown,
            "my_place": mine,
            "may_decline": mine is not None and services.may_decline(project),
            "next_states": _next_states(project),
            "milestone_form": MilestoneForm(people=_milestone_people(project)) if managing else None,
            "milestone_states": MilestoneStateForm.base_fields["state"].choices,
            "conflict": ProjectConflict.objects.filter(project=project, user=request.user).first(),
            "conflict_form": ConflictForm(),
            "on_requesting_team": request.user in project.requesting_team.all(),
            "nav": "projects",
        },
    )


def _with_access(project, access):
    project.access = access
    return project


def _next_states(project) -> list[tuple[str, str]]:
    allowed = PROJECT_TRANSITIONS.get(project.state, set())
    if project.state == ProjectState.PAUSED:
        allowed = {project.paused_from, ProjectState.CANCELLED} & allowed
    order = list(ProjectState.values)
    return [(s, ProjectState(s).label) for s in sorted(allowed, key=order.index)]


def _milestone_people(project):
    ids = set(project.places.filter(status=PlaceStatus.PUBLISHED).values_list("user_id", flat=True))
    ids |= set(project.requesting_team.values_list("id", flat=True))
    ids |= set(
        Membership.objects.filter(community__in=project.communities.all(), role=Role.COORDINATOR).values_list(
            "user_id", flat=True
        )
    )
    return User.objects.filter(pk__in=ids).select_related("profile").order_by("profile__display_name")


@login_required
def project_edit(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    initial = {
        "title": project.title,
        "goal": project.goal,
        "requesting_contact": project.requesting_contact,
        "communities": project.communities.exclude(pk=project.lead_community_id),
        "required_skills": _skills_text(project.required_skills),
        "learning_skills": _skills_text(project.learning_skills),
        "mentors_wanted": project.mentors_wanted,
        "mentees_wanted": project.mentees_wanted,
        "min_hours": project.min_hours,
        "approach": project.approach,
    }
    form = ProjectForm(request.POST or None, initial=initial, others=_others(project.lead_community))
    if request.method == "POST" and form.is_valid():
        if run_service(
            form, lambda: services.project_update(project=project, actor=request.user, **form.service_kwargs())
        ):
            messages.success(request, _("Saved."))
            return redirect("projects:detail", project_id=project.pk)
    return render(
        request,
        "projects/project_form.html",
        _community_ctx(request, project.lead_community, form=form, project=project),
    )


@login_required
@require_POST
def project_transition(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    form = TransitionForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["state"]
        _flash(
            request,
            lambda: services.project_transition(project=project, actor=request.user, to=to),
            _("The project is now %(state)s.") % {"state": ProjectState(to).label.lower()},
        )
    else:
        messages.error(request, _("Choose a valid state."))
    return redirect("projects:detail", project_id=project.pk)


# ----------------------------------------------------------------------------- team


@login_required
def team(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    places = list(selectors.team(project))
    declined = selectors.team(project, statuses=(PlaceStatus.DECLINED,))
    candidates = selectors.team_candidates(project)
    return render(
        request,
        "projects/team.html",
        {
            "project": project,
            "add_form": TeamPersonForm(candidates=candidates, prefix_id="add"),
            "candidates": candidates,
            "uncovered": selectors.uncovered_skills(project),
            "editable": project.state == ProjectState.STAFFING,
            "mentors": [p for p in places if p.role == "mentor"],
            "mentees": [p for p in places if p.role == "mentee"],
            "declined": declined,
            "n_proposed": sum(1 for p in places if p.status == PlaceStatus.PROPOSED),
            "pool_size": selectors.matching_pool_size(services.candidate_pool(project)),
            "nav": "projects",
        },
    )


@login_required
def team_message(request, project_id):
    """A coordinator writes to everyone on the published team."""
    project = project_for(request.user, project_id, need=Access.MANAGE)
    form, done = message_form_handle(
        request,
        group="project",
        send=partial(services.project_message_send, project=project, actor=request.user),
        done=reverse("projects:message", args=[project.pk]),
    )
    return done or render(request, "projects/message.html", {"project": project, "form": form, "nav": "projects"})


@login_required
@require_POST
def team_match(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    result = _flash(request, lambda: services.team_match(project=project, actor=request.user))
    if result and result is not True:
        messages.success(
            request,
            ngettext(
                "%(n)d place proposed. Review it, then publish the team.",
                "%(n)d places proposed. Review them, then publish the team.",
                len(result.assignments),
            )
            % {"n": len(result.assignments)},
        )
    return redirect("projects:team", project_id=project.pk)


@login_required
@require_POST
def team_place_add(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    form = TeamPersonForm(request.POST, candidates=selectors.team_candidates(project), prefix_id="add")
    if form.is_valid():
        person, role = form.cleaned_data["user"], form.cleaned_data["role"]
        done = _flash(
            request,
            lambda: services.place_add(project=project, actor=request.user, user=person, role=role),
            (
                _("%(name)s is proposed as mentor. Publish the team to tell them.")
                if role == "mentor"
                else _("%(name)s is proposed as mentee. Publish the team to tell them.")
            )
            % {"name": person.display_name},
        )
        if done:
            return redirect("projects:team", project_id=project.pk)
    else:
        messages.error(request, _("Choose a person and a role."))
    return redirect("projects:team", project_id=project.pk)


@login_required
@require_POST
def team_place_remove(request, project_id, place_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    return _act(
        request,
        lambda: services.place_remove(project=project, actor=request.user, place_id=place_id),
        _("The place was removed from the team."),
        "projects:team",
        project_id=project.pk,
    )


@login_required
@require_POST
def team_place_swap(request, project_id, place_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    form = TeamPersonForm(request.POST, candidates=selectors.team_candidates(project), with_role=False)
    if not form.is_valid():
        messages.error(request, _("Choose the person who takes this place."))
        return redirect("projects:team", project_id=project.pk)
    person = form.cleaned_data["user"]
    return _act(
        request,
        lambda: services.place_swap(project=project, actor=request.user, place_id=place_id, user=person),
        _("%(name)s takes the place (proposed). Publish the team to tell them.") % {"name": person.display_name},
        "projects:team",
        project_id=project.pk,
    )


@login_required
@require_POST
def team_publish(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    return _act(
        request,
        lambda: services.team_publish(project=project, actor=request.user),
        _("The team is published: everyone on it can see their place."),
        "projects:team",
        project_id=project.pk,
    )


@login_required
@require_POST
def place_decline(request, place_id):
    place = place_for(request.user, place_id)
    return _act(
        request,
        lambda: services.place_decline(place=place, user=request.user),
        _("You declined the place. Thank you for saying so early: the coordinators will find someone else."),
        "projects:detail",
        project_id=place.project_id,
    )


@login_required
@require_POST
def conflict(request, project_id):
    project = project_for(request.user, project_id)
    if request.POST.get("withdraw"):
        _flash(
            request,
            lambda: services.conflict_withdraw(project=project, user=request.user),
            _("Your conflict of interest was withdrawn."),
        )
    else:
        form = ConflictForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        _flash(
            request,
            lambda: services.conflict_declare(project=project, user=request.user, note=note),
            _("Noted: you will not be proposed for this project."),
        )
    return redirect("projects:detail", project_id=project.pk)


# ----------------------------------------------------------------------------- milestones


@login_required
@require_POST
def milestone_add(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    form = MilestoneForm(request.POST, people=_milestone_people(project))
    if form.is_valid():
        _flash(
            request,
            lambda: services.milestone_create(project=project, actor=request.user, **form.cleaned_data),
            _("Milestone “%(title)s” added.") % {"title": form.cleaned_data["title"]},
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("projects:detail", project_id=project.pk)


@login_required
@require_POST
def milestone_state(request, milestone_id):
    milestone = milestone_for(request.user, milestone_id)
    form = MilestoneStateForm(request.POST)
    if form.is_valid():
        _flash(
            request,
            lambda: services.milestone_transition(
                milestone=milestone, actor=request.user, to=form.cleaned_data["state"]
            ),
            _("“%(title)s” updated.") % {"title": milestone.title},
        )
    else:
        messages.error(request, _("Choose a valid state."))
    return redirect("projects:detail", project_id=milestone.project_id)


# ----------------------------------------------------------------------------- outcomes


def _measures_initial(project) -> dict:
    return {f: getattr(project, f) for f in MeasuresForm.base_fields}


@login_required
def outcomes(request, project_id):
    project = project_for(request.user, project_id)
    my_place = project.places.filter(user=request.user, status=PlaceStatus.PUBLISHED).first()
    skills = services.skills_on_offer(project)
    skills_initial = {}
    if my_place is not None:
        for i, skill in enumerate(skills):
            skills_initial[f"before_{i}"] = my_place.skills_before.get(skill, "")
            skills_initial[f"after_{i}"] = my_place.skills_after.get(skill, "")
    forms = {
        "measures": MeasuresForm(initial=_measures_initial(project)),
        "skills": SkillsForm(skills=skills, initial=skills_initial),
        "reflection": ReflectionForm(initial={"reflection": my_place.reflection if my_place else ""}),
        "satisfaction": SatisfactionForm(
            initial={
                "score": project.satisfaction and str(project.satisfaction),
                "comment": project.satisfaction_comment,
            }
        ),
    }
    if request.method == "POST":
        part = request.POST.get("part", "")
        if part not in forms:
            raise Http404(_("No such part of the outcomes."))
        require_record(request.user, project, part)
        form = {
            "measures": lambda: MeasuresForm(request.POST),
            "skills": lambda: SkillsForm(request.POST, skills=skills),
            "reflection": lambda: ReflectionForm(request.POST),
            "satisfaction": lambda: SatisfactionForm(request.POST),
        }[part]()
        forms[part] = form
        if form.is_valid() and run_service(form, lambda: _record(request.user, project, part, form)):
            messages.success(request, _("Saved."))
            return redirect("projects:outcomes", project_id=project.pk)
    return render(
        request,
        "projects/outcomes.html",
        {
            "project": project,
            "forms": forms,
            "may": {part: can_record(request.user, project, part) for part in forms},
            "managing": project.access == Access.MANAGE,
            "study": selectors.case_study(
                project,
                viewer=request.user,
                audience=selectors.Audience.COORDINATORS
                if project.access == Access.MANAGE
                else selectors.Audience.TEAM,
            ),
            "nav": "projects",
        },
    )


def _record(user, project, part, form):
    data = form.cleaned_data
    if part == "measures":
        return services.measures_record(project=project, actor=user, **data)
    if part == "skills":
        before, after = form.ratings()
        return services.skills_record(project=project, user=user, before=before, after=after)
    if part == "reflection":
        return services.reflection_record(project=project, user=user, text=data["reflection"])
    return services.satisfaction_record(project=project, actor=user, score=data["score"], comment=data["comment"])


# ----------------------------------------------------------------------------- case studies


@login_required
def case_study(request, project_id):
    project = case_study_for(request.user, project_id)
    if not project.case_study_published and project.access < Access.VIEW:
        raise Http404(_("No such case study."))
    return render(
        request,
        "projects/case_study.html",
        {
            "project": project,
            "study": selectors.case_study(project, viewer=request.user),
            "managing": project.access == Access.MANAGE,
            "may_publish": services.may_publish_case_study(project),
            "my_mentee_place": selectors.mentee_place(project, request.user),
        },
    )


@login_required
@require_POST
def case_study_consent(request, project_id):
    project = project_for(request.user, project_id)
    consent = request.POST.get("consent") == "1"
    return _act(
        request,
        lambda: services.case_study_consent_set(project=project, user=request.user, consent=consent),
        _("Thank you: the case study now shows your ratings by name.")
        if consent
        else _("Your ratings are no longer shown by name; they count only in averages over at least 5 people."),
        "projects:case_study",
        project_id=project.pk,
    )


@login_required
@require_POST
def case_study_publish(request, project_id):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    publish = request.POST.get("publish", "1") != "0"
    return _act(
        request,
        lambda: services.case_study_publish(project=project, actor=request.user, publish=publish),
        _("The case study is published to every community.") if publish else _("The case study was withdrawn."),
        "projects:case_study",
        project_id=project.pk,
    )


@login_required
def case_studies(request):
    page = Paginator(selectors.published_case_studies(), 20).get_page(request.GET.get("page"))
    seen = selectors.seen_community_ids(request.user)
    rows = [
        {"project": p, "communities": selectors.community_names([p.lead_community], seen)} for p in page.object_list
    ]
    return render(request, "projects/case_studies.html", {"page_obj": page, "rows": rows, "nav": "projects"})
