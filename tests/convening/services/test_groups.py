"""services/groups.py: breakout groups that mix communities."""

import pytest

from convene.convening import services
from convene.convening.models import BreakoutMember
from convene.convening.selectors import (
    context_info,
    contexts_for,
)
from convene.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


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
