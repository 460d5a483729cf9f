"""Decisions for a community's own activity catalogue (convening/catalogue_*.py, issue 18.19).
Order: anon, outsider, guest, member, coordinator. Everything here is on the private community."""

from convene.convening.catalogue_models import CommunityActivity
from convene.convening.models import ActivityType

from . import Case


def setup(world):
    world.objects["catalogue_entry"] = CommunityActivity.objects.create(
        community=world.private, name="Case round", summary="Our weekly case round"
    )


PRIV = lambda w: {"slug": "priv"}  # noqa: E731
ENTRY = lambda w: {"slug": "priv", "entry_id": w.objects["catalogue_entry"].pk}  # noqa: E731
BASE = lambda w: {"slug": "priv", "activity_slug": ActivityType.objects.order_by("pk").first().slug}  # noqa: E731
NEW = {"name": "Journal club", "summary": "", "how": "", "agenda": "Paper | 30"}

WEB = [
    Case("catalogue:list", (302, 404, 200, 200, 200), PRIV, note="whoever takes part reads it"),
    Case("catalogue:list", (302, 404, 403, 403, 302), PRIV, method="POST", data=lambda w: NEW),
    Case("catalogue:adapt", (302, 404, 403, 403, 302), BASE, method="POST"),
    Case("catalogue:edit", (302, 404, 403, 403, 200), ENTRY),
    Case("catalogue:edit", (302, 404, 403, 403, 302), ENTRY, method="POST", data=lambda w: NEW),
    Case("catalogue:hide", (302, 404, 403, 403, 302), ENTRY, method="POST", data=lambda w: {"hidden": "1"}),
]
