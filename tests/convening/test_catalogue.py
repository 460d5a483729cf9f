"""The activity catalogue shipped as data: variations, tools and guidance."""

import pytest

from convene.convening.models import ActivityType

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
