"""Writes to the activity catalogues.

- `ensure_catalogue` (from `convening/shipped.py`, re-exported): puts the shipped catalogue back
  when its table was emptied after migrating.
- a community's own catalogue (issue 18.19): coordinators adapt, hide or add activities for their
  community; every change goes to the community's audit log.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import Community
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text

from ..models import ActivityType, CommunityActivity
from ..shipped import ensure_catalogue  # noqa: F401 (re-exported by the package)

MAX_AGENDA_ITEMS = 30
# A community's own activity (no shipped one behind it) is run as this shipped kind: a plain meeting
# that opens no tool and asks for no other community; the session shows the entry's name and agenda.
OWN_ACTIVITY_KIND = "open-discussion"
MAX_ITEM_MINUTES = 600


def parse_agenda(text: str) -> list[dict]:
    """One item per line, "Title | minutes" ("Welcome | 10"); minutes may be left out (0)."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, _bar, minutes = line.rpartition("|") if "|" in line else (line, "", "")
        title = " ".join(title.split())[:200]
        if not title:
            raise InvalidInput(
                _("Agenda line %(number)d: write a title before the “|”.") % {"number": number}, field="agenda"
            )
        try:
            value = int(minutes.strip() or 0)
        except ValueError:
            raise InvalidInput(
                _("Agenda line %(number)d: the minutes after “|” must be a whole number.") % {"number": number},
                field="agenda",
            ) from None
        if not 0 <= value <= MAX_ITEM_MINUTES:
            raise InvalidInput(
                _("Agenda line %(number)d: between 0 and %(max)d minutes.")
                % {"number": number, "max": MAX_ITEM_MINUTES},
                field="agenda",
            )
        items.append({"title": title, "minutes": value})
    if len(items) > MAX_AGENDA_ITEMS:
        raise InvalidInput(_("Keep the agenda to %(max)d items.") % {"max": MAX_AGENDA_ITEMS}, field="agenda")
    return items


def agenda_text(items: list[dict]) -> str:
    return "\n".join(f"{i.get('title', '')} | {i.get('minutes', 0)}" for i in items or [])


def _fields(name, summary, how, agenda) -> dict:
    return {
        "name": clean_text(name, field="name", label=_("Name"), limit=120, required=True),
        "summary": clean_text(summary, field="summary", label=_("Summary"), limit=300),
        "how": clean_text(how, field="how", label=_("How to run it"), limit=4000),
        "agenda_template": parse_agenda(agenda),
    }


@transaction.atomic
def catalogue_entry_create(
    *, community: Community, actor, name: str, summary: str = "", how: str = "", agenda: str = ""
) -> CommunityActivity:
    """An activity of the community's own."""
    values = _fields(name, summary, how, agenda)
    if CommunityActivity.objects.filter(community=community, name__iexact=values["name"]).exists():
        raise Conflict(_("This community's catalogue already has an activity with that name."), field="name")
    entry = CommunityActivity.objects.create(community=community, updated_by=actor, **values)
    audit(community=community, actor=actor, action="catalogue.create", entry=entry.pk, name=entry.name)
    return entry


@transaction.atomic
def catalogue_entry_adapt(*, community: Community, actor, base: ActivityType) -> CommunityActivity:
    """The community's own version of a shipped activity, starting from the shipped text."""
    entry, created = CommunityActivity.objects.get_or_create(
        community=community,
        base=base,
        defaults={
            "name": base.name,
            "summary": base.summary,
            "how": base.how,
            "agenda_template": base.agenda_template,
            "updated_by": actor,
        },
    )
    if created:
        audit(community=community, actor=actor, action="catalogue.adapt", entry=entry.pk, name=base.name)
    return entry


@transaction.atomic
def catalogue_entry_update(
    *, entry: CommunityActivity, actor, name: str, summary: str = "", how: str = "", agenda: str = ""
) -> CommunityActivity:
    values = _fields(name, summary, how, agenda)
    clash = CommunityActivity.objects.filter(community=entry.community, name__iexact=values["name"]).exclude(
        pk=entry.pk
    )
    if clash.exists():
        raise Conflict(_("This community's catalogue already has an activity with that name."), field="name")
    for field, value in values.items():
        setattr(entry, field, value)
    entry.updated_by, entry.updated_at = actor, timezone.now()
    entry.save(update_fields=[*values, "updated_by", "updated_at"])
    audit(community=entry.community, actor=actor, action="catalogue.update", entry=entry.pk, name=entry.name)
    return entry


@transaction.atomic
def catalogue_entry_hide(*, entry: CommunityActivity, actor, hidden: bool) -> CommunityActivity:
    """Hide an entry from the community's catalogue (or show it again)."""
    entry.hidden, entry.updated_by, entry.updated_at = bool(hidden), actor, timezone.now()
    entry.save(update_fields=["hidden", "updated_by", "updated_at"])
    audit(
        community=entry.community,
        actor=actor,
        action="catalogue.hide" if hidden else "catalogue.show",
        entry=entry.pk,
        name=entry.name,
    )
    return entry


def entry_activity(*, entry: CommunityActivity, host: Community) -> ActivityType:
    """The shipped activity a session planned from `entry` is (its base, or OWN_ACTIVITY_KIND);
    refuses an entry of another community, a hidden one, or one whose shipped activity is gone."""
    if entry.community_id != host.pk:
        raise InvalidInput(
            _("Choose an activity of this community's catalogue or of the shared one."), field="activity"
        )
    if entry.hidden:
        raise InvalidInput(
            _("“%(name)s” is hidden from this community's catalogue; choose another.") % {"name": entry.name},
            field="activity",
        )
    if entry.base_id is not None:
        return entry.base
    kind = ActivityType.objects.filter(slug=OWN_ACTIVITY_KIND).first()
    if kind is None:
        raise InvalidInput(
            _("This site's catalogue lacks the activity a community's own ones run as."), field="activity"
        )
    return kind
