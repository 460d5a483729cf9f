"""Leaving (issue 20 point 5): a deleted account holds nothing personal; the records still add up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from convene.accounts import services
from convene.accounts.models import ApiToken, DiversityAnswer, Profile, User
from convene.communities.models import AuditEntry, Membership, Role
from convene.convening.models import ActivityType, Session, SessionInvitation, SessionState, Turn
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import services as deliberation
from convene.deliberation.models import Phase, Statement, Vote
from convene.notifications.models import Notification
from convene.notifications.services import notify
from convene.projects.models import HelpRequest, MentoringOffer

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver_world():
    community = CommunityFactory(slug="psy", name="Psychiatry")
    coordinator = UserFactory(email="coord@example.com", name="Cora Coordinator")
    MembershipFactory(community=community, user=coordinator, role=Role.COORDINATOR)
    leaver = UserFactory(email="lee@example.com", name="Lee Leaver")
    MembershipFactory(community=community, user=leaver, role=Role.MEMBER)
    others = [UserFactory(name=f"Other {i}") for i in range(3)]
    for other in others:
        MembershipFactory(community=community, user=other, role=Role.MEMBER)
    services.diversity_answers_set(user=leaver, answers={"gender": "woman"}, consent=True)
    services.api_token_create(user=leaver, name="script")
    activity = ActivityType.objects.create(slug="talk", name="Talk")
    now = timezone.now()
    held = Session.objects.create(
        host=community, activity=activity, title="Held", starts_at=now - timedelta(days=3), state=SessionState.HELD
    )
    ahead = Session.objects.create(
        host=community,
        activity=activity,
        title="Ahead",
        starts_at=now + timedelta(days=3),
        state=SessionState.INVITATIONS_SENT,
    )
    SessionInvitation.objects.create(session=held, user=leaver, community=community, needs="Step-free access")
    SessionInvitation.objects.create(session=ahead, user=leaver, community=community, needs="Hearing loop")
    Turn.objects.create(session=held, user=leaver, community=community, given_by=coordinator)
    response = deliberation.response_create(
        community=community, creator=coordinator, title="Discharge", what_changed="Letters in 24 hours."
    )
    deliberation.response_update(
        response=response,
        actor=coordinator,
        gathering_ends=now + timedelta(days=7),
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    deliberation.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    response.refresh_from_db()
    mine = deliberation.statement_submit(response=response, user=leaver, text="Letters need a named contact.")
    theirs = deliberation.statement_submit(response=response, user=coordinator, text="Twenty-four hours is too short.")
    deliberation.vote_cast(response=response, user=leaver, statement_id=theirs.pk, value=1)
    MentoringOffer.objects.create(user=leaver, role="mentor")
    notify(recipients=[leaver], kind="session.changed", text="Held moved.", community=community)
    return community, coordinator, leaver, held, ahead, response, mine


def test_deleting_an_account_removes_the_person_and_keeps_the_records(leaver_world):
    community, coordinator, leaver, held, ahead, response, mine = leaver_world
    votes_before = Vote.objects.filter(statement__response=response).count()

    services.account_delete(user=leaver)

    leaver = User.objects.get(pk=leaver.pk)
    assert leaver.deleted_at and not leaver.is_active and not leaver.has_usable_password()
    assert leaver.email.endswith("@erased.invalid") and "lee" not in leaver.email
    assert leaver.display_name == "A former member" and str(leaver) == "A former member"
    for model, field in (
        (Profile, "user"),
        (DiversityAnswer, "user"),
        (ApiToken, "user"),
        (Membership, "user"),
        (MentoringOffer, "user"),
        (Notification, "recipient"),
    ):
        assert not model.objects.filter(**{field: leaver}).exists(), model.__name__
    # sessions not held yet lose the person; held ones keep attendance and turns, without the needs
    assert not SessionInvitation.objects.filter(session=ahead, user=leaver).exists()
    kept = SessionInvitation.objects.get(session=held, user=leaver)
    assert kept.needs == "" and Turn.objects.filter(session=held, user=leaver).count() == 1
    # contributions stay, so the response's figures still add up
    assert Statement.objects.filter(pk=mine.pk).exists()
    assert Vote.objects.filter(statement__response=response).count() == votes_before
    # the person cannot sign in any more, and the audit says what happened without naming them
    assert not Client().login(email="lee@example.com", password="x")
    entry = AuditEntry.objects.get(action="account_deleted")
    assert entry.target_id == leaver.pk and "Lee" not in str(entry.detail)
    # the coordinator and the community are untouched
    assert Membership.objects.filter(community=community).count() == 4


def test_deleting_twice_is_refused_and_the_last_coordinator_must_hand_over_first(leaver_world):
    community, coordinator, leaver, *_ = leaver_world
    with pytest.raises(Conflict):
        services.account_delete(user=coordinator)
    # refused as a whole: nothing of the coordinator's went
    coordinator.refresh_from_db()
    assert coordinator.is_active and Membership.objects.filter(user=coordinator).exists()
    assert Profile.objects.filter(user=coordinator).exists()
    services.account_delete(user=leaver)
    with pytest.raises(Conflict):
        services.account_delete(user=User.objects.get(pk=leaver.pk))


def test_a_coordinator_removes_a_members_data_on_request_with_an_audit_entry(leaver_world):
    community, coordinator, leaver, *_ = leaver_world
    membership = Membership.objects.get(community=community, user=leaver)
    with pytest.raises(InvalidInput):
        services.member_personal_data_remove(community=community, actor=coordinator, membership=membership, reason=" ")
    services.member_personal_data_remove(
        community=community, actor=coordinator, membership=membership, reason="E-mail of 3 December"
    )
    entry = AuditEntry.objects.get(action="personal_data_removed")
    assert (
        entry.community == community and entry.actor == coordinator and entry.detail["reason"] == "E-mail of 3 December"
    )
    assert User.objects.get(pk=leaver.pk).deleted_at is not None


def test_coordinators_cannot_erase_themselves_or_another_coordinator(leaver_world):
    community, coordinator, leaver, *_ = leaver_world
    other_community = CommunityFactory(slug="sw")
    MembershipFactory(community=other_community, user=leaver, role=Role.COORDINATOR)
    own = Membership.objects.get(community=community, user=coordinator)
    theirs = Membership.objects.get(community=community, user=leaver)
    for membership in (own, theirs):
        with pytest.raises(Conflict):
            services.member_personal_data_remove(
                community=community, actor=coordinator, membership=membership, reason="asked"
            )
    assert User.objects.get(pk=leaver.pk).deleted_at is None


def test_the_pages_delete_only_after_delete_is_typed(leaver_world):
    community, coordinator, leaver, *_ = leaver_world
    client = Client()
    client.force_login(leaver)
    page = client.post("/me/delete/", {"confirm": "yes"})
    assert page.status_code == 200 and "Type the word DELETE" in page.content.decode()
    assert User.objects.get(pk=leaver.pk).deleted_at is None
    done = client.post("/me/delete/", {"confirm": "delete"})
    assert done.status_code == 302 and User.objects.get(pk=leaver.pk).deleted_at is not None
    assert client.get("/me/profile/").status_code == 302  # logged out


def test_help_requests_stay_without_their_contact_details(leaver_world):
    community, coordinator, leaver, *_ = leaver_world
    request = HelpRequest.objects.create(
        community=community,
        requester=leaver,
        title="Bed report",
        team_name="Bed management",
        process="Count beds by hand.",
        minutes_per_run=60,
        runs_per_month=20,
        done_looks_like="A report by nine.",
        contact="lee@example.com, ext. 4021",
    )
    services.account_delete(user=leaver)
    request.refresh_from_db()
    assert request.contact == "" and request.requester_id == leaver.pk
