from convene.communities import demo as communities_demo
from convene.deliberation import demo
from convene.deliberation.models import JointResponse, Vote


def test_demo_loads_and_is_idempotent(db):
    communities_demo.load()
    assert "joint response" in demo.load()
    votes = Vote.objects.count()
    assert votes > 50
    demo.load()
    assert JointResponse.objects.count() == 1 and Vote.objects.count() == votes
