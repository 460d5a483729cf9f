import pytest

from convene.communities import demo as communities_demo
from convene.convening import demo
from convene.convening.models import BreakoutGroup, Session, Turn

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_without_duplicates():
    communities_demo.load()
    demo.load()
    counts = (Session.objects.count(), BreakoutGroup.objects.count(), Turn.objects.count())
    demo.load()
    assert (Session.objects.count(), BreakoutGroup.objects.count(), Turn.objects.count()) == counts
    assert counts[0] == 3 and counts[1] == 3 and counts[2] > 0
