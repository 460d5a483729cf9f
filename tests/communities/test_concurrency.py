"""Two coordinators demoting each other at the same moment (issue 17, point 9).

On PostgreSQL the two transactions used to lock the two membership rows in opposite orders and one
of them died in a deadlock (a 500). Rows are now locked in primary-key order, so the second waits
for the first and is refused with a clear 409.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from convene.communities import services
from convene.communities.models import Membership, Role
from convene.core.errors import Conflict

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _two_coordinators():
    community = CommunityFactory(slug="race", name="Race")
    a, b = UserFactory(email="a@example.com"), UserFactory(email="b@example.com")
    ma = MembershipFactory(community=community, user=a, role=Role.COORDINATOR)
    mb = MembershipFactory(community=community, user=b, role=Role.COORDINATOR)
    return community, a, b, ma, mb


def test_the_second_demotion_is_a_409_not_a_deadlock():
    """Sequential on any database: after A demotes B, B's demotion of A is refused."""
    community, a, b, ma, mb = _two_coordinators()
    services.membership_change_role(community=community, actor=a, membership=mb, role=Role.MEMBER)
    with pytest.raises(Conflict) as refused:
        services.membership_change_role(community=community, actor=b, membership=ma, role=Role.MEMBER)
    assert refused.value.status == 409
    assert Membership.objects.get(pk=ma.pk).role == Role.COORDINATOR


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and deadlocks: PostgreSQL")
@pytest.mark.parametrize("attempt", range(8))
def test_two_coordinators_demoting_each_other_at_once(attempt):
    community, a, b, ma, mb = _two_coordinators()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def demote(name, actor, membership):
        try:
            barrier.wait()
            services.membership_change_role(community=community, actor=actor, membership=membership, role=Role.MEMBER)
            outcomes[name] = "ok"
        except Conflict as exc:
            outcomes[name] = exc.status
        except Exception as exc:  # noqa: BLE001 - a deadlock is what this test catches
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, args=("a", a, mb)),
        threading.Thread(target=demote, args=("b", b, ma)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values(), key=str) == [409, "ok"], outcomes
    assert Membership.objects.filter(community=community, role=Role.COORDINATOR).count() == 1
