from convene.communities import demo as communities_demo
from convene.communities.models import Contribution, OpportunityEntry
from convene.insights import demo


def test_demo_is_idempotent_and_tells_its_story(db):
    communities_demo.load()
    demo.load()
    first = (Contribution.objects.count(), OpportunityEntry.objects.count())
    assert first[0] > 100 and first[1] > 20
    demo.load()
    assert (Contribution.objects.count(), OpportunityEntry.objects.count()) == first
