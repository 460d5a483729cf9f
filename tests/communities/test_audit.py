"""Every administrative act writes one audit entry: who, when, what, on which object (issue 17, point 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from convene.communities import services as communities
from convene.communities.models import AuditEntry, Membership
from convene.convening import services as convening
from convene.convening.models import ActivityType
from convene.deliberation import services as deliberation
from convene.deliberation.models import Phase
from convene.projects import services as projects

from ..conftest import build_world
from ..projects.conftest import make_lab
from ..worlds import build_boundary

pytestmark = pytest.mark.django_db


def _session(w):
    return convening.session_create(
        host=w.public,
        actor=w.users["coordinator"],
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Meet",
        starts_at=timezone.now() + timedelta(days=7),
        invited_communities=[w.private],
    )


def act_community_created(w):
    communities.community_create(name="Fresh practice", domain="Nursing", creator=w.users["member"])
    return "community_created", "member", None


def act_community_deleted(w):
    communities.community_delete(community=w.private, actor=w.users["coordinator"])
    return "community_deleted", "coordinator", None


def act_role_changed(w):
    m = Membership.objects.get(community=w.private, user=w.users["member"])
    communities.membership_change_role(community=w.private, actor=w.users["coordinator"], membership=m, role="guest")
    return "role_changed", "coordinator", None


def act_member_removed(w):
    m = Membership.objects.get(community=w.private, user=w.users["member"])
    communities.membership_remove(community=w.private, actor=w.users["coordinator"], membership=m)
    return "member_removed", "coordinator", None


def act_glossary_saved(w):
    communities.glossary_term_save(community=w.private, actor=w.users["coordinator"], term="ward", definition="A unit")
    return "glossary_term_saved", "coordinator", "term:"


def act_glossary_deleted(w):
    communities.glossary_term_delete(term=w.objects["private_term"], actor=w.users["coordinator"])
    return "glossary_term_deleted", "coordinator", "term:"


def act_mapping_created(w):
    communities.term_mapping_create(
        source=w.objects["private_term"], target=w.objects["public_term"], actor=w.users["coordinator"]
    )
    return "term_mapping_created", "coordinator", "mapping:"


def act_mapping_deleted(w):
    mapping = communities.term_mapping_create(
        source=w.objects["private_term"], target=w.objects["public_term"], actor=w.users["coordinator"]
    )
    communities.term_mapping_delete(mapping=mapping, actor=w.users["coordinator"])
    return "term_mapping_deleted", "coordinator", "mapping:"


def act_session_created(w):
    _session(w)
    return "session_created", "coordinator", "session:"


def act_session_invites_communities(w):
    _session(w)
    return "communities_invited", "coordinator", "session:"


def act_session_cancelled(w):
    session = _session(w)
    convening.session_transition(session=session, actor=w.users["coordinator"], to="cancelled")
    return "session_state_changed", "coordinator", "session:"


def _response(w):
    return deliberation.response_create(
        community=w.private, creator=w.users["coordinator"], title="A policy", what_changed="It changed."
    )


def act_response_created(w):
    _response(w)
    return "response_created", "coordinator", "response:"


def act_anonymity_switched(w):
    deliberation.response_update(response=_response(w), actor=w.users["coordinator"], anonymous=True)
    return "anonymity_changed", "coordinator", "response:"


def act_response_invites_communities(w):
    deliberation.response_update(response=_response(w), actor=w.users["coordinator"], communities=[w.public])
    return "communities_invited", "coordinator", "response:"


def act_phase_changed(w):
    response = _response(w)
    deliberation.response_update(
        response=response, actor=w.users["coordinator"], gathering_ends=timezone.now() + timedelta(days=3)
    )
    deliberation.response_transition(response=response, actor=w.users["coordinator"], to=Phase.GATHERING)
    return "phase_changed", "coordinator", "response:"


def act_statement_moderated(w):
    response = _response(w)
    deliberation.response_update(
        response=response, actor=w.users["coordinator"], gathering_ends=timezone.now() + timedelta(days=3)
    )
    deliberation.response_transition(response=response, actor=w.users["coordinator"], to=Phase.GATHERING)
    statement = deliberation.statement_submit(response=response, user=w.users["member"], text="A secret view")
    deliberation.statement_moderate(statement=statement, actor=w.users["coordinator"], decision="reject", reason="r")
    return "statement_moderated", "coordinator", "statement:"


def act_token_created(w):
    from convene.accounts.services import api_token_create

    api_token_create(user=w.users["member"], name="t")
    return "token_created", "member", "token:"


ACTS = [v for k, v in sorted(globals().items()) if k.startswith("act_")]


@pytest.mark.parametrize("act", ACTS, ids=lambda f: f.__name__[4:])
def test_each_administrative_act_writes_an_entry(act):
    w = build_world()
    before = AuditEntry.objects.count()
    action, who, subject = act(w)
    entries = AuditEntry.objects.filter(action=action, actor=w.users[who])
    assert AuditEntry.objects.count() > before and entries.exists(), action
    entry = entries.latest("id")
    assert entry.created_at is not None
    if subject:
        assert entry.subject.startswith(subject)
    assert "A secret view" not in str(entry.detail)


def test_projects_team_and_case_study_publishing_are_audited(db):
    lab = make_lab()
    project = lab.staffed_project()
    projects.team_match(project=project, actor=lab.coordinator)
    projects.team_publish(project=project, actor=lab.coordinator)
    assert AuditEntry.objects.filter(action="team_published", subject=f"project:{project.pk}").exists()
    projects.project_transition(project=project, actor=lab.coordinator, to="active")
    projects.project_transition(project=project, actor=lab.coordinator, to="delivered")
    projects.case_study_publish(project=project, actor=lab.coordinator)
    entry = AuditEntry.objects.get(action="case_study_published")
    assert entry.community == lab.community and entry.actor == lab.coordinator


def test_anonymous_response_moderation_never_records_the_text(db):
    b = build_boundary()
    response = b.open_response(anonymous=True)
    statement = b.statement(response, "Only I think this, privately", by=b.members[0])
    deliberation.statement_moderate(statement=statement, actor=b.coordinator, decision="accept")
    for entry in AuditEntry.objects.all():
        assert "privately" not in str(entry.detail) and "privately" not in entry.subject
        assert entry.target_id != b.members[0].pk


def test_coordinators_see_the_entries_and_members_do_not(db):
    w = build_world()
    communities.glossary_term_save(community=w.private, actor=w.users["coordinator"], term="ward", definition="A unit")
    coordinator = Client()
    coordinator.force_login(w.users["coordinator"])
    page = coordinator.get("/c/priv/audit/")
    assert page.status_code == 200 and "Glossary term saved" in page.content.decode()
    member = Client()
    member.force_login(w.users["member"])
    assert member.get("/c/priv/audit/").status_code == 403
