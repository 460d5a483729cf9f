"""selectors/preview.py: who the room will hold, with protected figures."""

import pytest

from convene.convening import services
from convene.convening.selectors import (
    room_preview,
)

pytestmark = pytest.mark.django_db


def test_preview_profile_exact_diversity_protected(world, sent, crowd):
    from convene.accounts.models import DiversityAnswer

    coordinator = world.users["coordinator"]
    for p in crowd["people"]:
        services.invitation_add(session=sent, actor=coordinator, user=p)
    for n, p in enumerate(crowd["people"]):
        DiversityAnswer.objects.create(user=p, attribute="gender", value="woman" if n < 9 else "man")
        if n < 2:
            DiversityAnswer.objects.create(user=p, attribute="caring", value="yes")
    preview = room_preview(sent)
    invited = preview["invited"]
    assert invited["total"] == 14
    community = invited["profile"][0]
    # public profile fields: exact (communities of the invitees are not private)
    assert {r["value"]: r["count"] for r in community["rows"]} == {"Public Practice": 8, "Private Practice": 6}
    assert community["band"] == "varied"
    gender = next(d for d in invited["diversity"] if d["key"] == "gender")
    cells = {r["value"]: r for r in gender["rows"]}
    # private answers: rounded to 5 after a small adjustment, a small cell never exact
    assert cells["woman"]["count"] in (5, 10) and cells["woman"]["text"].startswith("about ")
    assert "man" not in cells  # an answer given by fewer than 5 people site-wide is never listed by name
    assert all(r["count"] is None or r["count"] % 5 == 0 for d in invited["diversity"] for r in d["rows"])
    assert room_preview(sent)["invited"]["diversity"] == invited["diversity"]  # same room, same figures
    assert preview["accepted"]["total"] == 0
    assert preview["accepted"]["warnings"][:2] == [
        "No one from Public Practice is coming yet.",
        "No one from Private Practice is coming yet.",
    ]


def test_preview_warns_of_a_missing_community(world, engagement):
    engagement.invitations.filter(community=world.private).delete()
    services.invitation_add(session=engagement, actor=world.users["coordinator"], community=world.public)
    invited = room_preview(engagement)["invited"]
    rows = {r["value"]: r for r in invited["profile"][0]["rows"]}
    assert rows["Private Practice"]["count"] == 0 and rows["Private Practice"]["text"] == "0"
    assert "No one from Private Practice is invited yet." in invited["warnings"]
