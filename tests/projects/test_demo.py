"""The demo tells the Ignite story and is idempotent."""

from convene.communities import demo as communities_demo
from convene.communities.models import OpportunityEntry
from convene.projects import demo
from convene.projects.models import HelpRequest, Project, TeamPlace


def test_demo_loads_twice_without_duplicates(db):
    communities_demo.load()
    first = demo.load()
    assert "case study published" in first
    counts = (HelpRequest.objects.count(), Project.objects.count(), TeamPlace.objects.count())
    demo.load()
    assert (HelpRequest.objects.count(), Project.objects.count(), TeamPlace.objects.count()) == counts
    story = Project.objects.get(title="Weekly bed-state report")
    assert story.state == "evaluated" and story.case_study_published
    assert story.places.filter(status="published", role="mentor").count() == 2
    assert story.places.filter(status="published", role="mentee").count() == 4
    assert story.after_minutes_per_run < 10 and story.hours_saved_per_year > 200
    assert OpportunityEntry.objects.filter(source=story.context).count() == 7
    assert HelpRequest.objects.filter(state="submitted").exists()
    staffing = Project.objects.get(title="Referral letter drafts")
    assert staffing.state == "staffing" and staffing.places.filter(status="proposed").exists()
