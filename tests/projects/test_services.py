"""Service tests: help requests, the project state machine, matching, declines, outcomes, ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.ledgers import opportunity_record
from convene.communities.models import OpportunityEntry, Role
from convene.core.errors import Conflict, InvalidInput
from convene.projects import services
from convene.projects.models import HelpRequestState, PlaceStatus, ProjectState, TeamPlace

from ..factories import MembershipFactory, UserFactory


def _places(project, status=PlaceStatus.PROPOSED):
    return list(TeamPlace.objects.filter(project=project, status=status).order_by("role", "user_id"))


# ----------------------------------------------------------------------------- help requests


def test_help_request_triage_ask_answer_accept(lab):
    request = lab.request()
    assert request.state == HelpRequestState.SUBMITTED
    services.help_request_ask(help_request=request, actor=lab.coordinator, question="Which wards?")
    request.refresh_from_db()
    assert request.state == HelpRequestState.INFO_REQUESTED
    services.help_request_answer(help_request=request, requester=lab.requester, answer="All twelve.")
    request.refresh_from_db()
    assert request.state == HelpRequestState.SUBMITTED
    assert [n.kind for n in request.notes.all()] == ["question", "answer"]
    project = services.help_request_accept(help_request=request, actor=lab.coordinator)
    assert project.state == ProjectState.PROPOSED
    assert project.before_minutes_per_run == 240 and project.before_runs_per_month == 4
    assert list(project.requesting_team.all()) == [lab.requester]
    assert list(project.communities.all()) == [lab.community]
    with pytest.raises(Conflict):
        services.help_request_decline(help_request=request, actor=lab.coordinator, reason="late")


def test_help_request_decline_needs_a_reason_and_keeps_it(lab):
    request = lab.request()
    with pytest.raises(InvalidInput) as exc:
        services.help_request_decline(help_request=request, actor=lab.coordinator, reason="  ")
    assert exc.value.field == "message"
    services.help_request_decline(help_request=request, actor=lab.coordinator, reason="Out of scope for us.")
    request.refresh_from_db()
    assert request.state == HelpRequestState.DECLINED and request.decline_reason == "Out of scope for us."


def test_answer_without_question_is_refused(lab):
    with pytest.raises(Conflict):
        services.help_request_answer(help_request=lab.request(), requester=lab.requester, answer="hi")


@pytest.mark.parametrize(
    ("minutes", "runs", "field", "words"),
    [
        (-5, 4, "minutes_per_run", "negative"),
        (20_000, 4, "minutes_per_run", "more than 10,000"),
        (60, -1, "runs_per_month", "negative"),
        (600, 100, "minutes_per_run", "more time than a month"),
        ("abc", 4, "minutes_per_run", "must be a number"),
    ],
)
def test_help_request_bad_times(lab, minutes, runs, field, words):
    with pytest.raises(InvalidInput) as exc:
        lab.request(minutes_per_run=minutes, runs_per_month=runs)
    assert exc.value.field == field
    assert words in exc.value.message


# ----------------------------------------------------------------------------- project state machine


def test_project_state_machine(lab):
    project = services.help_request_accept(help_request=lab.request(), actor=lab.coordinator)
    with pytest.raises(Conflict):
        services.project_transition(project=project, actor=lab.coordinator, to="delivered")
    with pytest.raises(InvalidInput):
        services.project_transition(project=project, actor=lab.coordinator, to="flying")
    services.project_transition(project=project, actor=lab.coordinator, to="staffing")
    with pytest.raises(Conflict, match="Publish a team"):
        services.project_transition(project=project, actor=lab.coordinator, to="active")
    services.project_transition(project=project, actor=lab.coordinator, to="paused")
    with pytest.raises(Conflict, match="resumes there"):
        services.project_transition(project=project, actor=lab.coordinator, to="active")
    project = services.project_transition(project=project, actor=lab.coordinator, to="staffing")
    assert project.paused_from == ""
    services.project_transition(project=project, actor=lab.coordinator, to="cancelled")
    with pytest.raises(Conflict):
        services.project_transition(project=project, actor=lab.coordinator, to="staffing")


def test_project_create_validates_team_shape(lab):
    with pytest.raises(InvalidInput) as exc:
        services.project_create(
            community=lab.community,
            actor=lab.coordinator,
            title="t",
            goal="g",
            requesting_contact="c",
            mentors_wanted=-1,
        )
    assert exc.value.field == "mentors_wanted"


# ----------------------------------------------------------------------------- matching


def test_match_publish_and_ledger(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    mentors = [p for p in _places(project) if p.role == "mentor"]
    mentees = [p for p in _places(project) if p.role == "mentee"]
    assert len(mentors) == 2 and len(mentees) == 4
    assert all("fit" in p.explanation for p in mentors + mentees)
    assert all(p.mentor_id in {m.pk for m in mentors} for p in mentees)
    assert not OpportunityEntry.objects.filter(source=project.context).exists()  # still proposals

    services.team_publish(project=project, actor=lab.coordinator)
    assert len(_places(project, PlaceStatus.PUBLISHED)) == 6
    kinds = sorted(OpportunityEntry.objects.filter(source=project.context).values_list("kind", flat=True))
    assert kinds == ["mentee"] * 4 + ["mentor"] * 2 + ["project_lead"]
    with pytest.raises(Conflict, match="Nothing to publish"):
        services.team_publish(project=project, actor=lab.coordinator)


def test_requesting_team_and_conflicts_are_never_matched(lab):
    project = lab.staffed_project()
    project.requesting_team.add(lab.mentors[0])
    services.conflict_declare(project=project, user=lab.mentees[0], note="My own team")
    services.team_match(project=project, actor=lab.coordinator)
    people = {p.user_id for p in _places(project)}
    assert lab.mentors[0].pk not in people and lab.mentees[0].pk not in people


def test_fairness_prefers_fewer_opportunities(lab):
    project = lab.staffed_project(mentees_wanted=2)
    busy = lab.mentees[:4]
    for i, person in enumerate(busy):
        opportunity_record(community=lab.community, user=person, kind="speaker", source=f"session:{i}")
    old = UserFactory(email="old@example.com")
    # an opportunity older than 12 months does not count
    opportunity_record(
        community=lab.community,
        user=lab.mentees[4],
        kind="speaker",
        source="session:old",
        occurred_at=timezone.now() - timedelta(days=400),
    )
    assert old
    services.team_match(project=project, actor=lab.coordinator)
    chosen = {p.user_id for p in _places(project) if p.role == "mentee"}
    assert chosen == {lab.mentees[4].pk, lab.mentees[5].pk}


def test_shortfall_names_role_and_count(lab):
    project = lab.staffed_project(mentors_wanted=5, mentees_wanted=2)
    services.team_match(project=project, actor=lab.coordinator)
    project.refresh_from_db()
    assert project.shortfalls == {"mentor": 2}


def test_match_refuses_project_without_required_skills(lab):
    project = lab.staffed_project()
    services.project_update(project=project, actor=lab.coordinator, required_skills=[])
    with pytest.raises(InvalidInput) as exc:
        services.team_match(project=project, actor=lab.coordinator)
    assert exc.value.field == "required_skills"


def test_capacity_is_respected_across_projects(lab):
    first = lab.staffed_project(mentors_wanted=0, mentees_wanted=6)
    services.team_match(project=first, actor=lab.coordinator)
    services.team_publish(project=first, actor=lab.coordinator)
    second = lab.staffed_project(mentors_wanted=0, mentees_wanted=2)
    services.team_match(project=second, actor=lab.coordinator)
    second.refresh_from_db()
    assert _places(second) == [] and second.shortfalls == {"mentee": 2}  # every mentee is at max_projects=1


def test_decline_proposed_rematches_without_disturbing_others(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    before = {(p.user_id, p.role) for p in _places(project)}
    leaving = next(p for p in _places(project) if p.role == "mentee")
    newcomer = services.place_decline(place=leaving, user=leaving.user)
    after = {(p.user_id, p.role) for p in _places(project)}
    assert newcomer is not None and newcomer.role == "mentee"
    assert after == (before - {(leaving.user_id, "mentee")}) | {(newcomer.user_id, "mentee")}
    newcomer.refresh_from_db()
    assert newcomer.mentor_id is not None
    # who declined is never proposed again for this project
    services.team_match(project=project, actor=lab.coordinator)
    assert leaving.user_id not in {p.user_id for p in _places(project)}


def test_decline_published_place_withdraws_opportunity(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    mentee = next(p for p in _places(project, PlaceStatus.PUBLISHED) if p.role == "mentee")
    newcomer = services.place_decline(place=mentee, user=mentee.user)
    assert not OpportunityEntry.objects.filter(user=mentee.user, source=project.context).exists()
    assert newcomer.status == PlaceStatus.PROPOSED
    with pytest.raises(Conflict, match="waiting"):
        services.project_transition(project=project, actor=lab.coordinator, to="active")
    services.team_publish(project=project, actor=lab.coordinator)
    assert OpportunityEntry.objects.filter(user=newcomer.user, kind="mentee", source=project.context).exists()
    services.project_transition(project=project, actor=lab.coordinator, to="active")
    other = next(p for p in _places(project, PlaceStatus.PUBLISHED) if p.role == "mentee")
    with pytest.raises(Conflict, match="has started"):
        services.place_decline(place=other, user=other.user)


def test_lead_declining_withdraws_project_lead(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    lead = TeamPlace.objects.get(project=project, is_lead=True)
    services.place_decline(place=lead, user=lead.user)
    assert not OpportunityEntry.objects.filter(user=lead.user, source=project.context).exists()


def test_decline_with_no_one_left_becomes_shortfall(db):
    from .conftest import make_lab

    lab = make_lab(n_mentors=2, n_mentees=4)
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    mentor = next(p for p in _places(project) if p.role == "mentor")
    assert services.place_decline(place=mentor, user=mentor.user) is None
    project.refresh_from_db()
    assert project.shortfalls == {"mentor": 1}


def test_guests_are_not_in_the_pool(lab):
    guest = UserFactory(email="g@example.com")
    MembershipFactory(community=lab.community, user=guest, role=Role.GUEST)
    services.mentoring_offer_save(user=guest, role="mentee", wants=["python"], hours_per_month=40, max_projects=3)
    project = lab.staffed_project()
    assert guest.pk not in {c.id for c in services.candidate_pool(project)}


def test_offer_validation(lab):
    with pytest.raises(InvalidInput) as exc:
        services.mentoring_offer_save(user=lab.requester, role="mentor", teaches=[], hours_per_month=4)
    assert exc.value.field == "teaches"
    with pytest.raises(InvalidInput) as exc:
        services.mentoring_offer_save(user=lab.requester, role="mentee", wants=["x"], hours_per_month=-3)
    assert exc.value.field == "hours_per_month"
    offer = services.mentoring_offer_save(user=lab.requester, role="both", teaches="Excel", wants="Python, SQL")
    assert offer.teaches == ["excel"] and offer.wants == ["python", "sql"]


# ----------------------------------------------------------------------------- milestones and outcomes


def _delivered(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    services.project_transition(project=project, actor=lab.coordinator, to="active")
    return project


def test_milestones(lab):
    project = _delivered(lab)
    owner = _places(project, PlaceStatus.PUBLISHED)[0].user
    milestone = services.milestone_create(project=project, actor=lab.coordinator, title="Prototype", owner=owner)
    stranger = UserFactory(email="stranger@example.com")
    with pytest.raises(InvalidInput):
        services.milestone_create(project=project, actor=lab.coordinator, title="x", owner=stranger)
    services.milestone_transition(milestone=milestone, actor=owner, to="done")
    milestone.refresh_from_db()
    assert milestone.state == "done" and milestone.done_at
    with pytest.raises(Conflict):
        services.milestone_transition(milestone=milestone, actor=owner, to="planned")


def test_outcomes_and_case_study(lab):
    project = _delivered(lab)
    with pytest.raises(Conflict):
        services.case_study_publish(project=project, actor=lab.coordinator)
    services.project_transition(project=project, actor=lab.coordinator, to="delivered")
    with pytest.raises(Conflict, match="after"):
        services.project_transition(project=project, actor=lab.coordinator, to="evaluated")
    project = services.measures_record(
        project=project,
        actor=lab.coordinator,
        before_minutes_per_run=240,
        before_runs_per_month=4,
        after_minutes_per_run=8,
        after_runs_per_month=4,
    )
    assert project.hours_saved_per_year == pytest.approx((240 * 4 - 8 * 4) * 12 / 60)
    mentee = next(p for p in _places(project, PlaceStatus.PUBLISHED) if p.role == "mentee")
    place = services.skills_record(project=project, user=mentee.user, before={"python": 1}, after={"python": "4"})
    assert place.skill_gains == [{"skill": "python", "before": 1, "after": 4, "gain": 3}]
    with pytest.raises(InvalidInput):
        services.skills_record(project=project, user=mentee.user, before={"python": 9}, after={})
    with pytest.raises(InvalidInput):
        services.skills_record(project=project, user=mentee.user, before={"cooking": 2}, after={})
    mentor = next(p for p in _places(project, PlaceStatus.PUBLISHED) if p.role == "mentor")
    with pytest.raises(Conflict):
        services.reflection_record(project=project, user=mentee.user, text="x")
    services.reflection_record(project=project, user=mentor.user, text="I learned to plan sprints.")
    services.satisfaction_record(project=project, actor=lab.requester, score=5, comment="Brilliant")
    with pytest.raises(InvalidInput):
        services.satisfaction_record(project=project, actor=lab.requester, score=7)
    services.project_transition(project=project, actor=lab.coordinator, to="evaluated")
    project = services.case_study_publish(project=project, actor=lab.coordinator)
    assert project.case_study_published


def test_bad_measures_save_nothing(lab):
    project = _delivered(lab)
    for bad in ({"after_minutes_per_run": -1}, {"after_minutes_per_run": 10_001}, {"after_runs_per_month": 5000}):
        with pytest.raises(InvalidInput):
            services.measures_record(project=project, actor=lab.coordinator, before_minutes_per_run=100, **bad)
    project.refresh_from_db()
    assert project.before_minutes_per_run == 240  # unchanged: nothing half-saved


def test_conflict_declared_on_live_place_declines_it(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    place = _places(project)[0]
    services.conflict_declare(project=project, user=place.user, note="I manage that team")
    place.refresh_from_db()
    assert place.status == PlaceStatus.DECLINED
