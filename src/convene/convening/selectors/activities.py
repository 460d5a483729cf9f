"""The activity catalogues as pages show them (the shared one, a community's own, the choices of
the session form), and the link to an activity's tool."""

from __future__ import annotations

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from convene.communities.models import Community

from ..models import ActivityType, CommunityActivity, Session
from ..shipped_text import shipped_field


def tool_link(session_or_activity) -> str | None:
    """The page that opens the activity's tool (a deliberation, a project), if that app provides it."""
    activity = getattr(session_or_activity, "activity", session_or_activity)
    session = session_or_activity if isinstance(session_or_activity, Session) else None
    name = activity.tool_url_name
    if not name:
        return None
    attempts = [{}]
    if session is not None:
        attempts.append({"slug": session.host.slug})
    for kwargs in attempts:
        try:
            url = reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
        return f"{url}?session={session.pk}" if session is not None else url
    return None


def catalogue():
    return ActivityType.objects.filter(active=True).select_related("parent").prefetch_related("variations")


def community_catalogue(community: Community) -> list[dict]:
    """The community's catalogue as its members read it: shipped activities (or the community's
    version of them) and its own, each with whether it is hidden."""
    versions = {e.base_id: e for e in CommunityActivity.objects.filter(community=community, base__isnull=False)}
    rows = [
        {"base": a, "entry": versions.get(a.pk), "hidden": bool(versions.get(a.pk) and versions[a.pk].hidden)}
        for a in ActivityType.objects.filter(active=True).order_by("position", "name")
    ]
    rows += [
        {"base": None, "entry": e, "hidden": e.hidden}
        for e in CommunityActivity.objects.filter(community=community, base__isnull=True)
    ]
    return rows


def catalogue_entry_in(community: Community, entry_id) -> CommunityActivity:
    """An entry of this community's catalogue, or 404."""
    try:
        return CommunityActivity.objects.select_related("base", "community").get(community=community, pk=int(entry_id))
    except (CommunityActivity.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such activity in this community's catalogue.")) from None


ENTRY_CHOICE = "entry-"  # the session form's value for a community catalogue entry: "entry-<id>"


def activity_choices(community: Community) -> list[tuple[str, list[tuple[str, str]]]]:
    """The session form's activity choices for a session `community` hosts, in two groups: the
    community's own activities, then the shared catalogue, where the community's version of a
    shipped activity (under its name) takes the shipped one's place and hidden ones are left out.
    Values: the shipped activity's id, or "entry-<id>" for an entry of the community's catalogue."""
    entries = CommunityActivity.objects.filter(community=community).order_by("name", "id")
    versions = {e.base_id: e for e in entries if e.base_id is not None}
    own = [(f"{ENTRY_CHOICE}{e.pk}", e.name) for e in entries if e.base_id is None and not e.hidden]
    shared = []
    for activity in ActivityType.objects.filter(active=True).order_by("position", "name"):
        version = versions.get(activity.pk)
        if version is None:
            shared.append((str(activity.pk), shipped_field(activity, "name")))
        elif not version.hidden:
            shared.append((f"{ENTRY_CHOICE}{version.pk}", version.name))
    groups = [(_("Activities of %(community)s") % {"community": community.name}, own)] if own else []
    return [*groups, (_("Shared catalogue"), shared)]


def activity_choice(community: Community, value: str) -> tuple[ActivityType | None, CommunityActivity | None]:
    """What a value of `activity_choices` stands for: (shipped activity, None) or (None, entry of
    this community's catalogue); (None, None) for anything else."""
    value = str(value or "")
    number = value.removeprefix(ENTRY_CHOICE)
    if not number.isdigit() or len(number) > 18:
        return None, None
    if value.startswith(ENTRY_CHOICE):
        return None, CommunityActivity.objects.filter(community=community, pk=int(number)).first()
    return ActivityType.objects.filter(active=True, pk=int(number)).first(), None


def activity_choice_value(community: Community, wanted: str) -> str | None:
    """The choice to preselect for `?activity=` (a shipped activity's slug, or "entry-<id>"): the
    community's version of a shipped activity when it has one."""
    wanted = str(wanted or "")[:60]
    if wanted.startswith(ENTRY_CHOICE):
        return (
            wanted if any(wanted == v for _label, group in activity_choices(community) for v, _name in group) else None
        )
    version = CommunityActivity.objects.filter(community=community, base__slug=wanted, hidden=False).first()
    if version is not None:
        return f"{ENTRY_CHOICE}{version.pk}"
    activity = ActivityType.objects.filter(active=True, slug=wanted).first()
    return str(activity.pk) if activity is not None else None
