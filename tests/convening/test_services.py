from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from convene.communities.models import Contribution, OpportunityEntry
from convene.convening import services
from convene.convening.models import (
    ActivityType,
    AgendaItem,
    BreakoutMember,
    SentReminder,
    SessionInvitation,
)
from convene.convening.reminders import send_due_reminders
from convene.convening.selectors import (
    context_info,
    contexts_for,
    home_items,
    picker_ranking,
    queue_state,
    room_preview,
    upcoming,
)
from convene.core.errors import Conflict, InvalidInput

from .conftest import future, person

pytestmark = pytest.mark.django_db


def test_catalogue_is_data_with_variations_and_tools():
    be = ActivityType.objects.get(slug="boundary-engagement")
    assert {v.slug for v in be.variations.all()} == {
        "breakthrough-activity",
        "boundary-project",
        "joint-response-across-boundary",
    }
    jr = ActivityType.objects.get(slug="joint-response")
    assert [v.slug for v in jr.variations.all()] == ["request-for-opinion"]
    assert jr.opens_tool == "deliberation" and jr.tool_url_name == "deliberation:create"
    assert ActivityType.objects.get(slug="boundary-project").opens_tool == "project"
    for slug in ("open-discussion", "problem-solving-clinic", "show-and-tell", "visit", "invited-speaker"):
        a = ActivityType.objects.get(slug=slug)
        assert a.what and a.why and a.how and a.pitfalls and a.agenda_template


def test_create_stores_utc_copies_agenda_and_validates(world, boundary):
    coordinator = world.users["coordinator"]
    local = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo("America/Argentina/Buenos_Aires"))
    naive = local.replace(tzinfo=None, second=0, microsecond=0)
    session = services.session_create(
        host=world.public,
        actor=coordinator,
        activity=boundary,
        title="Meet",
        starts_at=naive,
        time_zone="America/Argentina/Buenos_Aires",
        invited_communities=[world.private],
    )
    assert session.starts_at.utcoffset() == timedelta(0)
    assert session.local_start.replace(tzinfo=None) == naive
    assert AgendaItem.objects.filter(session=session).count() == len(boundary.agenda_template)
    with pytest.raises(InvalidInput) as exc:
        services.session_create(
            host=world.public,
            actor=coordinator,
            activity=boundary,
            title="Old",
            starts_at=timezone.now() - timedelta(1),
            invited_communities=[world.private],
        )
    assert exc.value.field == "starts_at" and "past" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.session_create(
            host=world.public,
            actor=coordinator,
            activity=boundary,
            title="x",
            starts_at=future(),
            time_zone="Mars/Base",
            invited_communities=[world.private],
        )
    assert exc.value.field == "time_zone"
    with pytest.raises(InvalidInput) as exc:
        services.session_create(host=world.public, actor=coordinator, activity=boundary, title="x", starts_at=future())
    assert exc.value.field == "invited_communities"


def test_state_machine_refuses_other_moves(world, boundary):
    coordinator = world.users["coordinator"]
    engagement = services.session_create(
        host=world.public,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="open-discussion"),
        title="Nobody yet",
        starts_at=future(),
    )
    with pytest.raises(Conflict, match="Invite someone"):
        services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")
    with pytest.raises(Conflict, match="cannot become held"):
        services.session_transition(session=engagement, actor=coordinator, to="held")
    services.invitation_add(session=engagement, actor=coordinator, community=world.private)
    for state in ("invitations_sent", "in_progress", "held", "closed"):
        engagement = services.session_transition(session=engagement, actor=coordinator, to=state)
    assert engagement.state == "closed"
    with pytest.raises(Conflict):
        services.session_transition(session=engagement, actor=coordinator, to="cancelled")


def test_invitations_by_community_role_and_person_mail_on_send(world, engagement, django_capture_on_commit_callbacks):
    coordinator = world.users["coordinator"]
    # the community ticked on the form is already invited (issue 18.1): members and coordinators, not guests
    assert {i.user.email for i in engagement.invitations.all()} == {"member@example.com", "coordinator@example.com"}
    assert services.invitation_add(session=engagement, actor=coordinator, community=world.private) == []
    guests = services.invitation_add(session=engagement, actor=coordinator, community=world.public, role="guest")
    assert [i.user.email for i in guests] == ["guest@example.com"] and guests[0].via == "role"
    with pytest.raises(InvalidInput) as refused:  # someone outside the communities taking part: by e-mail only
        services.invitation_add(session=engagement, actor=coordinator, user=world.users["outsider"])
    assert "by e-mail" in refused.value.message
    by_mail = services.invitation_email_add(session=engagement, actor=coordinator, email="Outsider@Example.com")
    assert by_mail.email == "outsider@example.com" and not engagement.invitations.filter(user=world.users["outsider"])
    assert services.invitation_email_add(session=engagement, actor=coordinator, email="outsider@example.com") is None
    assert services.invitation_add(session=engagement, actor=coordinator, community=world.private) == []
    assert len(mail.outbox) == 0  # drafts send nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")
    assert len(mail.outbox) == 4
    assert sum("/rsvp/" in m.body for m in mail.outbox) == 3
    assert by_mail.token in next(m.body for m in mail.outbox if m.to == ["outsider@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        outsider = services.invitation_email_accept(invitation=by_mail, user=world.users["outsider"])
    assert outsider.community is None and outsider.rsvp == "yes" and not outsider.shares_answers
    with pytest.raises(Conflict):
        services.invitation_email_accept(invitation=by_mail, user=world.users["member"])
    newcomer = person("new@example.com", world.public)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.invitation_add(session=engagement, actor=coordinator, community=world.public)
    assert [i.user for i in created] == [newcomer]  # the others were already invited
    invitations = [m for m in mail.outbox if m.subject.startswith("[Convene] Invitation")]
    assert len(invitations) == 5 and invitations[-1].to == ["new@example.com"]  # (the inviter is told otherwise)


def test_rsvp_capacity_waitlist_and_promotion(world, sent, django_capture_on_commit_callbacks):
    coordinator = world.users["coordinator"]
    sent = services.session_update(session=sent, actor=coordinator, capacity=1)
    member, guest = world.users["member"], world.users["coordinator"]
    assert services.rsvp_set(session=sent, user=member, answer="yes", needs="Step-free access").rsvp == "yes"
    assert services.rsvp_set(session=sent, user=guest, answer="yes").rsvp == "waitlist"
    with pytest.raises(InvalidInput) as exc:
        services.session_update(session=sent, actor=coordinator, capacity=0)
    assert exc.value.field == "capacity"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_set(session=sent, user=member, answer="no")
    assert SessionInvitation.objects.get(session=sent, user=guest).rsvp == "yes"
    assert [m.to for m in mail.outbox] == [[guest.email]] and "seat" in mail.outbox[0].subject
    assert SessionInvitation.objects.get(session=sent, user=member).needs == "Step-free access"


def test_capacity_below_accepted_is_refused_and_nothing_lost(world, sent):
    coordinator = world.users["coordinator"]
    services.rsvp_set(session=sent, user=world.users["member"], answer="yes")
    services.rsvp_set(session=sent, user=coordinator, answer="yes")
    with pytest.raises(InvalidInput, match="2 people have already accepted"):
        services.session_update(session=sent, actor=coordinator, capacity=1, title="Changed")
    sent.refresh_from_db()
    assert sent.capacity == 10 and sent.title == "Referrals across the boundary"


def test_rsvp_after_close_and_uninvited(world, sent):
    coordinator = world.users["coordinator"]
    with pytest.raises(Conflict, match="not on the invitation list"):
        services.rsvp_set(session=sent, user=world.users["outsider"], answer="yes")
    for state in ("in_progress", "held", "closed"):
        sent = services.session_transition(session=sent, actor=coordinator, to=state)
    with pytest.raises(Conflict) as exc:
        services.rsvp_set(session=sent, user=world.users["member"], answer="yes")
    assert exc.value.code == "rsvp_closed"


def test_invalid_answer(world, sent):
    with pytest.raises(InvalidInput, match="yes, no or maybe"):
        services.rsvp_set(session=sent, user=world.users["member"], answer="perhaps")


def test_update_time_in_past_keeps_everything(world, sent):
    with pytest.raises(InvalidInput, match="past"):
        services.session_update(
            session=sent, actor=world.users["coordinator"], starts_at=datetime(2020, 1, 1, 10, 0), place="Room 4"
        )
    sent.refresh_from_db()
    assert sent.place == "" and sent.starts_at > timezone.now()


def test_reminders_sent_once(world, sent, settings):
    settings.CONVENE_SESSION_REMINDER_HOURS = 24 * 8
    services.rsvp_set(session=sent, user=world.users["member"], answer="no")
    mail.outbox.clear()
    link = services.invitation_email_add(session=sent, actor=world.users["coordinator"], email="outsider@example.com")
    services.invitation_email_accept(invitation=link, user=world.users["outsider"])
    mail.outbox.clear()
    first = send_due_reminders(timezone.now())
    assert first == 2  # everyone invited except the one who said no
    assert send_due_reminders(timezone.now()) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.com", "outsider@example.com"]
    assert SentReminder.objects.count() == 2
    settings.CONVENE_SESSION_REMINDER_HOURS = 1
    assert send_due_reminders(timezone.now() - timedelta(days=30)) == 0


def test_reminder_not_due_outside_window(world, sent):
    assert send_due_reminders(timezone.now()) == 0  # starts in 7 days, default 48 h


def test_preview_profile_exact_diversity_protected(world, sent, crowd):
    from convene.accounts.models import DiversityAnswer

    coordinator = world.users["coordinator"]
    for p in crowd["people"]:
        services.invitation_add(session=sent, actor=coordinator, user=p)
    for n, p in enumerate(crowd["people"]):
        DiversityAnswer.objects.create(user=p, attribute="gender", value="woman" if n < 9 else "man")
        if n < 2:
            DiversityAnswer.objects.create(user=p, attribute="caring", value="yes")
    preview = room_preview(sent)
    invited = preview["invited"]
    assert invited["total"] == 14
    community = invited["profile"][0]
    # public profile fields: exact (communities of the invitees are not private)
    assert {r["value"]: r["count"] for r in community["rows"]} == {"Public Practice": 8, "Private Practice": 6}
    assert community["band"] == "varied"
    gender = next(d for d in invited["diversity"] if d["key"] == "gender")
    cells = {r["value"]: r for r in gender["rows"]}
    # private answers: rounded to 5 after a small adjustment, a small cell never exact
    assert cells["woman"]["count"] in (5, 10) and cells["woman"]["text"].startswith("about ")
    assert "man" not in cells  # an answer given by fewer than 5 people site-wide is never listed by name
    assert all(r["count"] is None or r["count"] % 5 == 0 for d in invited["diversity"] for r in d["rows"])
    assert room_preview(sent)["invited"]["diversity"] == invited["diversity"]  # same room, same figures
    assert preview["accepted"]["total"] == 0
    assert preview["accepted"]["warnings"][:2] == [
        "No one from Public Practice is coming yet.",
        "No one from Private Practice is coming yet.",
    ]


def test_preview_warns_of_a_missing_community(world, engagement):
    engagement.invitations.filter(community=world.private).delete()
    services.invitation_add(session=engagement, actor=world.users["coordinator"], community=world.public)
    invited = room_preview(engagement)["invited"]
    rows = {r["value"]: r for r in invited["profile"][0]["rows"]}
    assert rows["Private Practice"]["count"] == 0 and rows["Private Practice"]["text"] == "0"
    assert "No one from Private Practice is invited yet." in invited["warnings"]


def test_attendance_self_check_in_and_walk_in(world, sent):
    coordinator = world.users["coordinator"]
    with pytest.raises(Conflict):
        services.attendance_self(session=sent, user=world.users["member"], code=sent.code)
    sent = services.session_transition(session=sent, actor=coordinator, to="in_progress")
    with pytest.raises(InvalidInput) as exc:
        services.attendance_self(session=sent, user=world.users["member"], code="WRONG1")
    assert exc.value.field == "code"
    assert services.attendance_self(session=sent, user=world.users["member"], code=sent.code.lower()).checked_in_at
    walk_in = services.attendance_mark(session=sent, actor=coordinator, user=world.users["outsider"])
    assert walk_in.checked_in_at and walk_in.rsvp == "yes"


def test_roles_record_opportunities_and_turns_record_contributions(world, sent):
    coordinator, member = world.users["coordinator"], world.users["member"]
    services.role_assign(session=sent, actor=coordinator, user=member, kind="facilitator")
    entry = OpportunityEntry.objects.get(user=member, kind="facilitator")
    assert entry.source == f"session:{sent.pk}" and entry.community == world.public
    with pytest.raises(InvalidInput):
        services.role_assign(session=sent, actor=coordinator, user=world.users["outsider"], kind="speaker")
    services.role_remove(session=sent, actor=coordinator, user=member, kind="facilitator")
    assert not OpportunityEntry.objects.filter(user=member).exists()
    with pytest.raises(Conflict):
        services.turn_give(session=sent, actor=coordinator, user=member)
    sent = services.session_transition(session=sent, actor=coordinator, to="in_progress")
    services.rsvp_set(session=sent, user=member, answer="yes")
    services.rsvp_set(session=sent, user=coordinator, answer="yes")
    services.hand_set(session=sent, user=coordinator, raised=True)
    state = queue_state(sent)
    assert state["hands"][0]["user"] == coordinator
    services.turn_give(session=sent, actor=coordinator, user=coordinator)
    services.turn_give(session=sent, actor=coordinator, user=coordinator)
    turn = Contribution.objects.filter(kind="turn", context=f"session:{sent.pk}")
    assert turn.count() == 2
    state = queue_state(sent)
    assert [p["user"] for p in state["not_spoken"]] == [member]
    assert state["hands"] == []
    shares = {s["community"]: s["share"] for s in state["shares"]}
    assert shares == {"Public Practice": 1.0, "Private Practice": 0.0} or sum(shares.values()) == 1.0
    services.note_add(session=sent, author=member, text="We agreed on a checklist.")
    assert Contribution.objects.filter(kind="note", user=member).count() == 1


def test_outcomes_and_follow_ups_on_home_until_done(world, sent):
    coordinator, member = world.users["coordinator"], world.users["member"]
    with pytest.raises(Conflict):
        services.outcome_add(session=sent, actor=coordinator, text="Too early")
    sent = services.session_transition(session=sent, actor=coordinator, to="in_progress")
    services.outcome_add(session=sent, actor=coordinator, text="A shared referral checklist")
    action = services.follow_up_create(
        session=sent, actor=coordinator, title="Draft the checklist", owner=member, due=timezone.now().date()
    )
    assert [i.kind for i in home_items(member) if i.kind == "Follow-up"] == ["Follow-up"]
    with pytest.raises(InvalidInput) as exc:
        services.follow_up_create(session=sent, actor=coordinator, title="x", owner=world.users["outsider"])
    assert exc.value.field == "owner"
    services.follow_up_update(action=action, actor=member, status="done")
    assert [i for i in home_items(member) if i.kind == "Follow-up"] == []


def test_home_invitation_and_upcoming(world, sent):
    member = world.users["member"]
    assert any(i.kind == "Invitation" for i in home_items(member))
    services.rsvp_set(session=sent, user=member, answer="maybe")
    assert not any(i.kind == "Invitation" for i in home_items(member))
    assert [i.title for i in upcoming(member)] == ["Referrals across the boundary"]


def test_picker_ranks_by_least_served_community(world, sent):
    coordinator, member = world.users["coordinator"], world.users["member"]  # coordinator: pub; member: pub
    other = SessionInvitation.objects.get(session=sent, user=member)
    other.community = world.private
    other.save()
    a = services.candidate_propose(session=sent, user=member, title="Referral checklist")
    b = services.candidate_propose(session=sent, user=coordinator, title="Joint ward round")
    with pytest.raises(Conflict):
        services.candidate_propose(session=sent, user=member, title="referral CHECKLIST")
    services.rating_set(candidate=a, user=coordinator, usefulness=4, commitment="light")
    services.rating_set(candidate=a, user=member, usefulness=3, commitment="light")
    services.rating_set(candidate=b, user=coordinator, usefulness=5, commitment="heavy")
    services.rating_set(candidate=b, user=member, usefulness=2, commitment="medium")
    services.rating_set(candidate=b, user=member, usefulness=1, commitment="medium")  # changing a rating
    with pytest.raises(InvalidInput):
        services.rating_set(candidate=a, user=member, usefulness=6, commitment="light")
    ranking = picker_ranking(sent)
    assert [r["candidate"] for r in ranking] == [a, b]
    assert ranking[0]["min_community_usefulness"] == 3 and ranking[1]["weakest_community"] == "Private Practice"
    services.candidate_pick(session=sent, actor=coordinator, candidate=a)
    sent.refresh_from_db()
    assert sent.picked_candidate == a


def test_picker_only_for_boundary_engagements(world):
    session = services.session_create(
        host=world.public,
        actor=world.users["coordinator"],
        activity=ActivityType.objects.get(slug="open-discussion"),
        title="Chat",
        starts_at=future(),
    )
    with pytest.raises(Conflict, match="boundary"):
        services.candidate_propose(session=session, user=world.users["coordinator"], title="x")


def _accept_all(world, session, people):
    coordinator = world.users["coordinator"]
    services.session_update(session=session, actor=coordinator, capacity=None)
    for p in people:
        services.invitation_add(session=session, actor=coordinator, user=p)
    for p in people:
        services.rsvp_set(session=session, user=p, answer="yes")


def test_groups_mix_communities_spread_facilitators_and_save(world, sent, crowd):
    coordinator = world.users["coordinator"]
    people = crowd["people"]
    _accept_all(world, sent, people)
    services.role_assign(session=sent, actor=coordinator, user=people[0], kind="facilitator")
    services.role_assign(session=sent, actor=coordinator, user=people[2], kind="breakout_lead")
    groups = services.groups_form(session=sent, actor=coordinator, n_groups=2, separate=[(people[1], people[3])])
    assert len(groups) == 2
    members = {g.number: set(BreakoutMember.objects.filter(group=g).values_list("user_id", flat=True)) for g in groups}
    assert sorted(len(m) for m in members.values()) == [6, 6]
    assert {g.lead_id for g in groups} == {people[0].pk, people[2].pk}
    public = {p.pk for p in people[::2]}
    for m in members.values():
        assert not {people[1].pk, people[3].pk} <= m
        assert len(m & public) == 3  # three from each community in each group of six
    sent.refresh_from_db()
    assert sent.grouping["objective"] > 0
    info = context_info(f"session:{sent.pk}")
    assert set(info["groups"]) == {"Group 1", "Group 2"} and info["kind"] == "session"
    assert contexts_for(world.private) == [f"session:{sent.pk}"]
    # forming again with the same seed gives the same groups
    again = services.groups_form(session=sent, actor=coordinator, n_groups=2, separate=[(people[1], people[3])])
    assert {g.number: set(BreakoutMember.objects.filter(group=g).values_list("user_id", flat=True)) for g in again} == (
        members
    )


def test_manual_move_reports_score_change(world, sent, crowd):
    coordinator = world.users["coordinator"]
    people = crowd["people"][:6]
    _accept_all(world, sent, people)
    services.groups_form(session=sent, actor=coordinator, n_groups=2)
    sent.refresh_from_db()
    before = sent.grouping["objective"]
    member = BreakoutMember.objects.filter(session=sent).select_related("group").first()
    target = 2 if member.group.number == 1 else 1
    preview = services.group_move_score(session=sent, user=member.user, to_number=target)
    assert preview["before"] == pytest.approx(before)
    assert BreakoutMember.objects.get(pk=member.pk).group == member.group  # nothing saved by the preview
    moved = services.group_move(session=sent, actor=coordinator, user=member.user, to_number=target)
    assert moved["after"] == pytest.approx(preview["after"]) and moved["delta"] == pytest.approx(preview["delta"])
    assert BreakoutMember.objects.get(pk=member.pk).group.number == target
    with pytest.raises(InvalidInput, match="no group 9"):
        services.group_move_score(session=sent, user=member.user, to_number=9)


def test_infeasible_group_constraints_name_the_constraint(world, sent, crowd):
    coordinator = world.users["coordinator"]
    people = crowd["people"][:6]
    _accept_all(world, sent, people)
    services.groups_form(session=sent, actor=coordinator, n_groups=2)
    saved = set(BreakoutMember.objects.filter(session=sent).values_list("user_id", "group__number"))
    for p in people[:3]:
        services.role_assign(session=sent, actor=coordinator, user=p, kind="facilitator")
    with pytest.raises(InvalidInput) as exc:
        services.groups_form(session=sent, actor=coordinator, n_groups=2)
    assert "facilitator" in exc.value.message and exc.value.code == "infeasible"
    with pytest.raises(InvalidInput) as exc:
        services.groups_form(
            session=sent,
            actor=coordinator,
            n_groups=6,
            separate=[(people[3], people[4])],
            together=[(people[3], people[4])],
        )
    assert "must-separate" in exc.value.message and exc.value.field == "separate"
    with pytest.raises(InvalidInput):
        services.groups_form(
            session=sent, actor=coordinator, n_groups=2, together=[(people[0], world.users["outsider"])]
        )
    assert set(BreakoutMember.objects.filter(session=sent).values_list("user_id", "group__number")) == saved


def test_context_info_ignores_other_contexts():
    assert context_info("response:1") is None and context_info("session:999999") is None


def test_personal_data_includes_own_needs(world, sent):
    from convene.convening.selectors import personal_data

    services.rsvp_set(session=sent, user=world.users["member"], answer="yes", needs="Hearing loop")
    data = personal_data(world.users["member"])["convening"]
    assert data["invitations"][0]["access_and_care_needs"] == "Hearing loop"
