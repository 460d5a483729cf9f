"""Contexts (a session, a response, a project, found through the `context_info` hook): the
summaries per context and one context's report."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from convene.accounts.models import Profile
from convene.communities.models import (
    Community,
    Contribution,
    ContributionKind,
    Membership,
)
from convene.core import hooks
from convene.engines import equity
from convene.privacy import disclosure as privacy
from convene.privacy.disclosure import Figure, exact, people_aggregate, people_count

from .common import (
    CONTEXT_RE,
    THRESHOLD,
    Breakdown,
    category_key,
    coarse,
    dimension_maps,
    facts_of,
    protected_breakdowns,
)
from .voice import VoiceSummary, gini_index, kind_rows

# Contexts of history recorded before Convene ("archive:<community>-<YYYY-MM>", see insights/demo.py
# and imports of earlier records): one meeting a month.
ARCHIVE_RE = re.compile(r"^archive:[a-z0-9-]+?-(?P<year>\d{4})-(?P<month>\d{2})$")
# English here (pages translate them: insights_tags.LABELS); titles are worded in the active language.
KIND_LABELS = {
    "archive": "Meeting before Convene",
    "session": "Session",
    "response": "Joint response",
    "project": "Project",
}


def context_label(context: str) -> tuple[str, str]:
    """A readable (title, kind) for a context no app describes, so pages never show the raw id:
    "archive:psychiatry-2026-11" reads "Monthly meeting, November 2026" (a meeting before Convene);
    any other "<kind>:<id>" reads "<Kind> <id>" with dashes and underscores as spaces."""
    prefix, _colon, rest = str(context or "").partition(":")
    kind = KIND_LABELS.get(prefix) or prefix.replace("_", " ").replace("-", " ").strip().capitalize() or "Other"
    match = ARCHIVE_RE.match(context or "")
    if match and 1 <= int(match["month"]) <= 12:
        month = dt.date(int(match["year"]), int(match["month"]), 1)
        return _("Monthly meeting, %(month)s") % {"month": date_format(month, _("F Y"))}, kind
    words = rest.replace("_", " ").replace("-", " ").strip()
    return (_("%(kind)s %(id)s") % {"kind": _(kind), "id": words} if words else _(kind)), kind


def valid_context(context: str) -> bool:
    return bool(CONTEXT_RE.match(context or ""))


def resolve_context(context: str) -> dict | None:
    """What the app owning `context` says about it (see core.hooks), or None."""
    info = hooks.first("context_info", context)
    return info if isinstance(info, dict) else None


def context_list(community: Community) -> list[str]:
    """Contexts of this community: those other apps list (newest first), then any others that
    only appear in the contribution ledger, most recently active first."""
    owned = [c for c in hooks.collect("contexts_for", community) if isinstance(c, str)]
    seen = set(owned)
    recorded = (
        Contribution.objects.filter(community=community)
        .values("context")
        .annotate(last=Max("occurred_at"))
        .order_by("-last", "context")
        .values_list("context", flat=True)
    )
    return owned + [c for c in recorded if c not in seen]


def context_in_community(community: Community, context: str, info: dict | None) -> bool:
    if not valid_context(context):
        return False
    if info is not None:
        return community.pk in {int(i) for i in info.get("community_ids", [])}
    return Contribution.objects.filter(community=community, context=context).exists()


@dataclass
class ContextSummary:
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    known: bool
    invited: Figure
    contributors: Figure
    gini: float | None
    heard: Figure | None


def _population(info: dict | None, counts: dict[int, int]) -> list[int]:
    invited = [int(u) for u in (info or {}).get("invited_user_ids", [])]
    extra = [u for u in counts if u not in set(invited)]
    return invited + sorted(extra)


def _context_surface(context: str) -> str:
    return f"insights.context:{context}"


@people_aggregate
def context_summaries(community: Community, contexts: Sequence[str]) -> list[ContextSummary]:
    """One line per context (for a page of them): two queries whatever the number of contexts.

    Head counts are perturbed on the context's own population and use the same keys as the
    context's own page (`context_report`), so the two always agree."""
    infos = {c: resolve_context(c) for c in contexts}
    per: dict[str, dict[int, int]] = {c: {} for c in contexts}
    owned = [c for c, i in infos.items() if i is not None]
    unowned = [c for c, i in infos.items() if i is None]
    q = Q(context__in=owned) | Q(context__in=unowned, community=community)
    for row in Contribution.objects.filter(q).values("context", "user_id").annotate(n=Count("pk")).order_by():
        per[row["context"]][row["user_id"]] = row["n"]
    out = []
    for c in contexts:
        info = infos[c]
        pop = _population(info, per[c])
        values = [per[c].get(u, 0) for u in pop]
        anonymous = bool(info and info.get("anonymous"))
        voice = _context_voice(c, pop, per[c])
        figures = voice.figures
        out.append(
            ContextSummary(
                context=c,
                title=str(info.get("title") or context_label(c)[0]) if info else context_label(c)[0],
                kind=str(info.get("kind") or context_label(c)[1]) if info else context_label(c)[1],
                url=str(info.get("url") or "") if info else "",
                anonymous=anonymous,
                known=info is not None,
                invited=figures["members"],
                contributors=figures["heard"],
                gini=None if anonymous else gini_index(values, len(pop)),
                heard=None if anonymous else figures["share"],
            )
        )
    return out


def _context_voice(context: str, pop: list[int], counts: dict[int, int], by_kind=()) -> VoiceSummary:
    values = [counts.get(u, 0) for u in pop]
    contributors = sum(1 for v in values if v)
    return VoiceSummary(
        period=None,  # type: ignore[arg-type]  # a context is its own period
        members=len(pop),
        contributions=sum(values),
        contributors=contributors,
        not_heard=len(pop) - contributors,
        gini=gini_index(values, len(pop)),
        heard=equity.share_heard(values),
        by_kind=list(by_kind),
        surface=_context_surface(context),
        member_ids=frozenset(pop),
        contributor_ids=frozenset(u for u in pop if counts.get(u)),
    )


@dataclass
class GroupRow:
    label: str
    size: Figure  # a breakout group is a named group: exact, hidden under 5
    blau: dict[str, float | None]


@dataclass
class ContextReport:
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    known: bool
    population: Figure
    representation: list[Breakdown]
    voice: VoiceSummary | None  # None for anonymous contexts
    not_heard: list[dict] = field(default_factory=list)  # [] for anonymous contexts
    groups: list[GroupRow] = field(default_factory=list)
    deviation: dict[str, float | None] = field(default_factory=dict)  # max deviation of any group per dimension
    dimension_labels: dict[str, str] = field(default_factory=dict)


def _community_of(pop: list[int], info: dict | None) -> dict[int, str]:
    """Per person, the first of the context's communities (in the context's order) they belong to."""
    cids = [int(c) for c in (info or {}).get("community_ids", [])]
    if not cids:
        return {}
    order = {c: i for i, c in enumerate(cids)}
    best: dict[int, tuple[int, str]] = {}
    rows = Membership.objects.filter(user_id__in=pop, community_id__in=cids).values_list(
        "user_id", "community_id", "community__name"
    )
    for uid, cid, name in rows:
        if uid not in best or order[cid] < best[uid][0]:
            best[uid] = (order[cid], name)
    return {uid: name for uid, (_, name) in best.items()}


def _names(pop: list[int]) -> dict[int, str]:
    return {
        uid: name or email.split("@", 1)[0]
        for uid, name, email in Profile.objects.filter(user_id__in=pop).values_list(
            "user_id", "display_name", "user__email"
        )
    }


@people_aggregate
def context_report(community: Community, context: str, *, with_names: bool) -> ContextReport:
    """Representation of the people invited, per breakout group, and their voice, for one context.

    Every head count is perturbed on the context's population (or the group's); indices are
    computed from those protected figures."""
    info = resolve_context(context)
    q = Q(context=context) if info is not None else Q(context=context, community=community)
    counts = {
        r["user_id"]: r["n"]
        for r in Contribution.objects.filter(q).values("user_id").annotate(n=Count("pk")).order_by()
    }
    pop = _population(info, counts)
    anonymous = bool(info and info.get("anonymous"))
    community_names = _community_of(pop, info)
    facts = facts_of(pop, extra={"community": {u: category_key(n) for u, n in community_names.items()}})
    facts.profile_cats["community"] = {category_key(n): n for n in sorted(set(community_names.values()))}
    profile_dims, diversity_dims = dimension_maps()
    dims = {"community": "Community", **profile_dims, **diversity_dims}
    if not community_names and not (info or {}).get("community_ids"):
        dims.pop("community")
    surface = _context_surface(context)
    representation = protected_breakdowns(surface, facts, pop, dims)

    groups, deviation = [], {}
    raw_groups = (info or {}).get("groups") or {}
    if raw_groups:
        members_of = {str(g): [int(u) for u in uids] for g, uids in raw_groups.items()}
        tables = {
            g: {b.key: b for b in protected_breakdowns(f"{surface}:group:{g}", facts, uids, dims)}
            for g, uids in members_of.items()
        }
        for room in representation:
            answered = [c for c in room.cells if c.label not in (privacy.NOT_ANSWERED, privacy.OTHER_ANSWERS)]
            room_counts = [c.count or 0 for c in answered]
            table = [
                [
                    c.count or 0
                    for c in tables[g][room.key].cells
                    if c.label not in (privacy.NOT_ANSWERED, privacy.OTHER_ANSWERS)
                ]
                for g in members_of
            ]
            usable = sum(room_counts) >= THRESHOLD and all(sum(r) >= THRESHOLD for r in table)
            deviation[room.key] = coarse(equity.composition_deviation(table, room_counts)) if usable else None
        for g, uids in members_of.items():
            groups.append(GroupRow(label=g, size=exact(len(uids)), blau={k: b.blau for k, b in tables[g].items()}))

    voice = None
    not_heard: list[dict] = []
    if not anonymous:
        surface_kinds = f"{surface}:voice"
        kinds = kind_rows(surface_kinds, Contribution.objects.filter(q, user_id__in=pop), ContributionKind.choices)
        voice = _context_voice(context, pop, counts, kinds)
        if with_names:
            names = _names(pop)
            not_heard = sorted(
                ({"user_id": u, "name": names.get(u, _("Person %(n)s") % {"n": u})} for u in pop if not counts.get(u)),
                key=lambda r: r["name"].lower(),
            )
    return ContextReport(
        context=context,
        title=str(info.get("title") or context_label(context)[0]) if info else context_label(context)[0],
        kind=str(info.get("kind") or "") if info else context_label(context)[1],
        url=str(info.get("url") or "") if info else "",
        anonymous=anonymous,
        known=info is not None,
        population=people_count(surface=f"{surface}:members", person_ids=pop),
        representation=representation,
        voice=voice,
        not_heard=not_heard,
        groups=groups,
        deviation=deviation,
        dimension_labels={b.key: b.label for b in representation},
    )
