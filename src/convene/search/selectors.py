"""Global search: one read path for the page (/search/?q=) and the API (/api/v1/search?q=).

Each kind of thing is searched only among what the viewer may already open, using the same rules
as the pages (docs/search.md):

- communities: ``visible_communities`` (public ones, and private ones only to their members);
- sessions: ``visible_sessions`` (drafts only to the host's coordinators);
- joint responses: those whose invited communities the viewer takes part in, confirmed one by one
  with ``deliberation.permissions.can_read`` (what ``response_for`` lets through);
- statements: accepted ones of those responses only (never pending or rejected), and never with an
  author: a result shows the statement and its response, nothing about who wrote it;
- projects: ``visible_projects``, plus published case studies (which any logged-in person reads);
- people: the member directories the viewer may open (members and coordinators of a community see
  its directory), by name, discipline or organisation; a person is shown with their discipline and
  organisation so that people with the same name are told apart.

PostgreSQL ranks with full-text search (``SearchVector``/``SearchQuery``/``SearchRank``, the
``websearch`` syntax); SQLite, and names of people on both, use a plain case-insensitive
``icontains`` on every word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import and_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from convene.communities.models import Membership, Role
from convene.communities.permissions import visible_communities
from convene.convening.models import Session
from convene.convening.permissions import visible_sessions
from convene.deliberation.models import JointResponse, Statement, StatementState
from convene.deliberation.permissions import can_read
from convene.projects.models import Project
from convene.projects.permissions import visible_projects

KINDS = ("communities", "sessions", "responses", "statements", "projects", "people")
KIND_LABELS = {
    "communities": gettext_lazy("Communities"),
    "sessions": pgettext_lazy("meetings", "Sessions"),
    "responses": gettext_lazy("Joint responses"),
    "statements": gettext_lazy("Statements"),
    "projects": gettext_lazy("Projects"),
    "people": pgettext_lazy("search results: people found", "People"),
}
MAX_QUERY = 200
MIN_QUERY = 2
PER_KIND = 10
TEXT_CONFIG = "english"
TAKING_PART = (Role.MEMBER, Role.COORDINATOR)


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    detail: str = ""


@dataclass
class Results:
    query: str
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    too_short: bool = False

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.hits.values())

    def groups(self) -> list[tuple[str, str, list[Hit]]]:
        return [(kind, str(KIND_LABELS[kind]), self.hits[kind]) for kind in KINDS if self.hits.get(kind)]


def normalise_query(q) -> str:
    return " ".join(str(q or "").split())[:MAX_QUERY]


def full_text() -> bool:
    return connection.vendor == "postgresql"


def _matching(qs: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """`qs` narrowed to rows matching `query` in `fields`, best first."""
    if full_text():
        vector = reduce(lambda a, b: a + b, (SearchVector(f, config=TEXT_CONFIG) for f in fields))
        terms = SearchQuery(query, config=TEXT_CONFIG, search_type="websearch")
        return (
            qs.annotate(search_vector=vector, search_rank=SearchRank(vector, terms))
            .filter(search_vector=terms)
            .order_by("-search_rank", "-pk")
        )
    return _words(qs, query, fields).order_by("-pk")


def _words(qs: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """Every word of the query in at least one of the fields (case-insensitive)."""
    conditions = [reduce(lambda a, b: a | b, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in query.split()]
    return qs.filter(reduce(and_, conditions)) if conditions else qs.none()


def _taking_part(user) -> QuerySet:
    return Membership.objects.filter(user=user, role__in=TAKING_PART).values("community_id")


def search_communities(user, query: str, limit: int) -> list[Hit]:
    rows = _matching(visible_communities(user), query, ["name", "domain", "description"])[:limit]
    return [Hit("communities", c.name, reverse("communities:detail", args=[c.slug]), c.domain) for c in rows]


def search_sessions(user, query: str, limit: int) -> list[Hit]:
    qs = Session.objects.filter(pk__in=visible_sessions(user).values("pk")).select_related("host")
    rows = _matching(qs, query, ["title", "purpose", "boundary_concern"])[:limit]
    # Translators: a date format (Django's date filter letters): "05 Dec 2026". Chinese: "Y年n月j日".
    day_format = _("d M Y")
    return [
        Hit(
            "sessions",
            s.title,
            reverse("convening:session", args=[s.pk]),
            f"{s.host.name} · {formats.date_format(s.starts_at, day_format)}",
        )
        for s in rows
    ]


def _readable_responses(user) -> QuerySet[JointResponse]:
    """Candidates: responses inviting a community the viewer belongs to (any role);
    `can_read` then decides (guests only with the setting or after taking part)."""
    if not getattr(user, "is_authenticated", False):
        return JointResponse.objects.none()
    mine = Membership.objects.filter(user=user).values("community_id")
    ids = JointResponse.objects.filter(Q(community__in=mine) | Q(communities__in=mine)).values("pk")
    return JointResponse.objects.filter(pk__in=ids).select_related("community")


def search_responses(user, query: str, limit: int) -> list[Hit]:
    fields = ["title", "question", "what_changed", "why_it_matters"]
    rows = [r for r in _matching(_readable_responses(user), query, fields)[: limit * 3] if can_read(user, r)]
    return [
        Hit("responses", r.title, reverse("deliberation:detail", args=[r.pk]), r.community.name) for r in rows[:limit]
    ]


def search_statements(user, query: str, limit: int) -> list[Hit]:
    """Accepted statements of readable responses; never an author, never a rejected or pending one."""
    qs = Statement.objects.filter(response__in=_readable_responses(user), state=StatementState.ACCEPTED).select_related(
        "response__community"
    )
    out, allowed = [], {}
    for s in _matching(qs, query, ["text"])[: limit * 3]:
        if s.response_id not in allowed:
            allowed[s.response_id] = can_read(user, s.response)
        if allowed[s.response_id]:
            out.append(
                Hit("statements", s.text, reverse("deliberation:detail", args=[s.response_id]), s.response.title)
            )
        if len(out) == limit:
            break
    return out


def search_projects(user, query: str, limit: int) -> list[Hit]:
    if not getattr(user, "is_authenticated", False):
        return []
    member_of = visible_projects(user).values("pk")
    qs = Project.objects.filter(Q(pk__in=member_of) | Q(case_study_published_at__isnull=False)).select_related(
        "lead_community"
    )
    ids = set(member_of.values_list("pk", flat=True))
    rows = _matching(qs, query, ["title", "goal"])[:limit]
    return [
        Hit(
            "projects",
            p.title,
            reverse("projects:detail", args=[p.pk]) if p.pk in ids else reverse("projects:case_study", args=[p.pk]),
            p.get_state_display() if p.pk in ids else _("Published case study"),
        )
        for p in rows
    ]


def search_people(user, query: str, limit: int) -> list[Hit]:
    """Names in the directories the viewer may open (``communities:members`` needs Need.MEMBER)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = Membership.objects.filter(community__in=_taking_part(user)).select_related("user__profile", "community")
    fields = ["user__profile__display_name", "user__profile__discipline", "user__profile__organisation"]
    rows = _words(qs, query, fields).order_by("user__profile__display_name", "community__name", "pk")[: limit * 3]
    out, seen = [], set()
    for m in rows:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        profile = m.user.profile
        detail = " · ".join(x for x in (profile.discipline, profile.organisation, m.community.name) if x)
        out.append(
            Hit("people", m.user.display_name, reverse("communities:member", args=[m.community.slug, m.pk]), detail)
        )
        if len(out) == limit:
            break
    return out


SEARCHERS = {
    "communities": search_communities,
    "sessions": search_sessions,
    "responses": search_responses,
    "statements": search_statements,
    "projects": search_projects,
    "people": search_people,
}


def search(user, q, *, kinds=KINDS, limit: int = PER_KIND) -> Results:
    """What `user` may see that matches `q`, by kind, at most `limit` of each."""
    query = normalise_query(q)
    results = Results(query=query)
    if len(query) < MIN_QUERY:
        results.too_short = bool(query)
        return results
    for kind in kinds:
        results.hits[kind] = SEARCHERS[kind](user, query, limit)
    return results
