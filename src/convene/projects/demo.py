"""Demo: Ignite's mentored projects, in our own words.

The patient-flow operations team built its weekly bed-state report by hand: six ward exports,
copied and reconciled over most of a working day. They asked Ignite for help; two mentors and four
people learning Python built a script that now makes the report in a few minutes. Also: an open
help request from the nursing forum, and a second project being staffed, with proposals waiting.

Idempotent: every record is keyed on a stable natural key, and a story already told is not replayed.
"""

from __future__ import annotations

from datetime import date

from convene.accounts.models import User
from convene.communities.models import Community, Membership, Role

from . import services
from .models import HelpRequest, MentoringOffer, Project, TeamPlace

TEACHABLE = {"python", "pandas", "sql", "testing", "automation"}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _offers(ignite: Community) -> None:
    """Ignite members who code offer to mentor; the others would like to learn."""
    for m in Membership.objects.filter(community=ignite, role=Role.MEMBER).select_related("user__profile"):
        if MentoringOffer.objects.filter(user=m.user).exists():
            continue
        skills = {s.name for s in m.user.profile.skills.all()}
        if "python" in skills:
            services.mentoring_offer_save(
                user=m.user, role="mentor", teaches=sorted(skills & TEACHABLE), hours_per_month=10, max_projects=2
            )
        else:
            services.mentoring_offer_save(
                user=m.user, role="mentee", wants=["python", "pandas"], hours_per_month=8, max_projects=1
            )


def _request(community, requester, **fields) -> tuple[HelpRequest, bool]:
    existing = HelpRequest.objects.filter(community=community, requester=requester, title=fields["title"]).first()
    if existing:
        return existing, False
    return services.help_request_submit(community=community, requester=requester, **fields), True


def _bed_state_story(ignite, operations, coordinator, ops_lead) -> str:
    request, new = _request(
        ignite,
        ops_lead,
        title="Weekly bed-state report",
        team_name="Patient flow operations, City General Hospital",
        process=(
            "1. Every Monday two administrators download the bed exports of six wards.\n"
            "2. They copy the open, occupied and blocked counts into a master workbook.\n"
            "3. They fix the wards whose exports use different column names.\n"
            "4. They check the totals against the site report.\n"
            "5. They email a summary to the managers."
        ),
        minutes_per_run=300,
        runs_per_month=4.3,
        people_involved=2,
        done_looks_like="The report is built from the exports with one click, in minutes, with the same checks.",
        data_and_tools="Excel exports from the bed management system; shared drive; Outlook.",
        contact="Grace Mensah, patient flow",
    )
    if not new:
        return "bed-state story already loaded"
    services.help_request_ask(
        help_request=request, actor=coordinator, question="Do the exports always arrive by Monday 9:00?"
    )
    services.help_request_answer(
        help_request=request, requester=ops_lead, answer="Yes, the system drops them at 7:00 every Monday."
    )
    project = services.help_request_accept(help_request=request, actor=coordinator)
    project = services.project_update(
        project=project,
        actor=coordinator,
        communities=[operations],
        required_skills=["python", "pandas"],
        learning_skills=["python", "pandas"],
        mentors_wanted=2,
        mentees_wanted=4,
        min_hours=4,
        approach=(
            "Weekly pairing sessions. The flow team shared anonymised exports; mentees wrote one cleaning step "
            "each, mentors reviewed every change, and the flow team tried each version on a real Monday."
        ),
    )
    services.project_transition(project=project, actor=coordinator, to="staffing")
    services.team_match(project=project, actor=coordinator)
    services.team_publish(project=project, actor=coordinator)
    services.project_transition(project=project, actor=coordinator, to="active")
    places = list(TeamPlace.objects.filter(project=project, status="published").select_related("user"))
    mentors = [p for p in places if p.role == "mentor"]
    mentees = [p for p in places if p.role == "mentee"]
    steps = [
        ("Read the six exports into one table", mentees[0].user if mentees else None, date(2025, 9, 15)),
        ("Reconcile ward names and totals", mentees[1].user if len(mentees) > 1 else None, date(2025, 10, 6)),
        ("Write the summary email", mentors[0].user if mentors else None, date(2025, 10, 27)),
        ("Hand over to the flow team", ops_lead, date(2025, 11, 10)),
    ]
    for title, owner, due in steps:
        milestone = services.milestone_create(project=project, actor=coordinator, title=title, owner=owner, due=due)
        services.milestone_transition(milestone=milestone, actor=coordinator, to="done")
    services.project_transition(project=project, actor=coordinator, to="delivered")
    services.measures_record(
        project=project,
        actor=coordinator,
        before_minutes_per_run=300,
        before_runs_per_month=4.3,
        after_minutes_per_run=8,
        after_runs_per_month=4.3,
    )
    for i, place in enumerate(mentees):
        services.skills_record(
            project=project,
            user=place.user,
            before={"python": 1, "pandas": 1},
            after={"python": 3 + i % 2, "pandas": 2 + i % 2},
        )
    reflections = [
        "I had never run a team before. Agreeing small weekly goals with the flow team was the part I learned most "
        "from: it kept us from building what nobody asked for.",
        "Reviewing four people's code taught me to explain why, not only what. Next time I would plan the hand-over "
        "from the first week.",
    ]
    for place, text in zip(mentors, reflections, strict=False):
        services.reflection_record(project=project, user=place.user, text=text)
    services.satisfaction_record(
        project=project,
        actor=ops_lead,
        score=5,
        comment="The Monday report used to take most of a day. Now it is ready before the morning meeting.",
    )
    services.project_transition(project=project, actor=coordinator, to="evaluated")
    services.case_study_publish(project=project, actor=coordinator)
    return f"project “{project.title}” evaluated with {len(places)} people; case study published"


def load() -> str:
    ignite = Community.objects.filter(slug="ignite").first()
    operations = Community.objects.filter(slug="operations").first()
    coordinator = _user("ignite.coordinator@example.org")
    ops_lead = _user("ops.coordinator@example.org")
    if not (ignite and operations and coordinator and ops_lead):
        return "projects: the communities demo is missing, nothing loaded"
    _offers(ignite)
    told = _bed_state_story(ignite, operations, coordinator, ops_lead)

    nurse = (
        Membership.objects.filter(community__slug="nursing", role=Role.MEMBER)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    if nurse is not None:
        _request(
            ignite,
            nurse.user,
            title="Falls audit spreadsheet",
            team_name="Ward 7 nursing team",
            process=(
                "After each fall a nurse fills a paper form; once a month someone types all forms into a "
                "spreadsheet and counts falls by hour and by bay."
            ),
            minutes_per_run=180,
            runs_per_month=1,
            people_involved=1,
            done_looks_like="A form we fill on the ward computer, and the monthly counts made automatically.",
            data_and_tools="Paper incident forms, Excel",
            contact="Ward 7 nurse in charge",
        )

    social_lead = _user("social.coordinator@example.org")
    if social_lead is not None and not Project.objects.filter(title="Referral letter drafts").exists():
        project = services.project_create(
            community=ignite,
            actor=coordinator,
            title="Referral letter drafts",
            goal="Draft the standard referral letter from the case record so social workers only check and sign it.",
            requesting_contact="Tomás Reyes, community social work",
            required_skills=["python", "automation"],
            learning_skills=["python"],
            mentors_wanted=1,
            mentees_wanted=2,
            requesting_team=[social_lead],
            before_minutes_per_run=25,
            before_runs_per_month=60,
        )
        services.project_transition(project=project, actor=coordinator, to="staffing")
        services.team_match(project=project, actor=coordinator)
    return f"projects: {told}; {HelpRequest.objects.count()} help requests, {Project.objects.count()} projects"
