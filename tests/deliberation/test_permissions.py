"""`response_for_voting`: the vote routes' lean load of a response, authorized as `response_for` is."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from convene.communities.models import Membership
from convene.communities.permissions import Need
from convene.deliberation.models import JointResponse
from convene.deliberation.permissions import VOTING_FIELDS, response_for, response_for_voting


def test_the_lean_load_holds_the_rows_values(boundary):
    response = boundary.open_response(anonymous=True)
    JointResponse.objects.filter(pk=response.pk).update(revision=7, guests_can_read=True)
    lean = response_for_voting(boundary.members[0], response.pk)
    full = JointResponse.objects.get(pk=response.pk)
    for name in VOTING_FIELDS:  # each value lands in its own field (from_db takes them by position)
        assert getattr(lean, name) == getattr(full, name), name
        assert type(getattr(lean, name)) is type(getattr(full, name)), name
    assert lean.get_deferred_fields() == {f.attname for f in JointResponse._meta.concrete_fields} - set(VOTING_FIELDS)
    assert lean.title == full.title  # a deferred field loads when read


@pytest.mark.parametrize("who", ["member", "guest", "outsider", "stranger"])
def test_the_lean_load_refuses_whom_response_for_refuses(boundary, django_user_model, who):
    response = boundary.open_response()
    user = {
        "member": boundary.members[3],
        "guest": boundary.guest,
        "outsider": boundary.outsider,
        "stranger": django_user_model.objects.create(email="stranger@example.org"),
    }[who]

    def outcome(helper):
        try:
            helper(user, response.pk)
        except (Http404, PermissionDenied) as refused:
            return type(refused)
        return "allowed"

    full = outcome(lambda u, pk: response_for(u, pk, need=Need.MEMBER))
    assert outcome(response_for_voting) == full


def test_a_rank_lost_is_refused_at_once(boundary):
    response = boundary.open_response()
    member = boundary.members[0]
    response_for_voting(member, response.pk)
    Membership.objects.filter(community=boundary.psy, user=member).get().delete()
    member = type(member).objects.get(pk=member.pk)  # (a new request: no memo on the user)
    with pytest.raises((Http404, PermissionDenied)):
        response_for_voting(member, response.pk)


@pytest.mark.parametrize("response_id", ["x", -1, 0, 2**63, 10**30])
def test_no_such_response_is_404(boundary, response_id):
    with pytest.raises(Http404):
        response_for_voting(boundary.members[0], response_id)
