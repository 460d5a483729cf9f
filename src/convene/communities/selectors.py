"""Reads for communities that need more than one query's thought."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convene.accounts.models import Profile
from convene.core.home import HomeItem
from convene.privacy.disclosure import Figure, exact, people_aggregate, people_count

from .models import (
    Community,
    Contribution,
    GlossaryTerm,
    Invitation,
    JoinRequest,
    Membership,
    OpportunityEntry,
    TermMapping,
)


def member_directory(
    community: Community, *, q: str = "", skill: str = "", discipline: str = "", organisation: str = "", role: str = ""
) -> QuerySet[Membership]:
    qs = (
        Membership.objects.filter(community=community)
        .select_related("user", "user__profile")
        .prefetch_related(Prefetch("user__profile__skills"))
        .order_by("user__profile__display_name", "user__email")
    )
    if q:
        qs = qs.filter(Q(user__profile__display_name__icontains=q) | Q(user__profile__bio__icontains=q))
    if skill:
        qs = qs.filter(user__profile__skills__name__icontains=skill.strip().lower()).distinct()
    if discipline:
        qs = qs.filter(user__profile__discipline__icontains=discipline)
    if organisation:
        qs = qs.filter(user__profile__organisation__icontains=organisation)
    if role:
        qs = qs.filter(role=role)
    return qs


@people_aggregate
def directory_count(community: Community, qs: QuerySet[Membership], filters: dict) -> Figure:
    """How many people a member-directory search found, perturbed with the same rules as the
    insight tables (population key = surface + the filter + the ids counted), so that the count
    of a filter never stands as an exact figure beside a hidden or rounded cell of insights."""
    chosen = "&".join(f"{k}={str(v).strip().lower()}" for k, v in sorted(filters.items()) if v)
    return people_count(
        surface=f"communities.members:{community.pk}:{chosen}", person_ids=qs.values_list("user_id", flat=True)
    )


@people_aggregate
def member_count(community: Community) -> Figure:
    """Members and coordinators (not guests): the size of a named group that is not private, so
    exact, but hidden under 5 (``exact``)."""
    return exact(community.memberships.exclude(role="guest").count())


@people_aggregate
def member_sizes(communities) -> dict[int, Figure]:
    """``member_count`` of each community of a page, in one query."""
    ids = [c.pk for c in communities]
    counts = dict(
        Community.objects.filter(pk__in=ids)
        .annotate(n=Count("memberships", filter=~Q(memberships__role="guest")))
        .values_list("pk", "n")
    )
    return {pk: exact(counts.get(pk, 0)) for pk in ids}


def glossary(community: Community) -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.filter(community=community).prefetch_related(
        Prefetch("mappings_out", queryset=TermMapping.objects.select_related("target__community")),
        Prefetch("mappings_in", queryset=TermMapping.objects.select_related("source__community")),
    )


def glossary_for(community: Community, *, seen: set[int]) -> list[dict]:
    """The glossary as a viewer may read it: each term with its mappings to communities in ``seen``.

    ``seen`` holds the ids of the communities whose names the viewer may read (public ones and
    their own: ``permissions.visible_communities``). A mapping to or from a private community the
    viewer is not in is left out, so that neither its name nor its words nor its existence show.
    """
    rows = []
    for term in glossary(community):
        elsewhere = [
            {"community": m.target.community, "term": m.target.term}
            for m in term.mappings_out.all()
            if m.target.community_id in seen
        ] + [
            {"community": m.source.community, "term": m.source.term}
            for m in term.mappings_in.all()
            if m.source.community_id in seen
        ]
        rows.append({"term": term, "elsewhere": elsewhere})
    return rows


def mappings_from(community: Community, *, seen: set[int]) -> QuerySet[TermMapping]:
    """Mappings from the community's terms to terms of communities in ``seen`` (see glossary_for)."""
    return TermMapping.objects.select_related("source__community", "target__community").filter(
        source__community=community, target__community_id__in=seen
    )


def term_in(community: Community, term_id) -> GlossaryTerm:
    """The glossary term `term_id` of `community`, or 404 (the page and the API alike)."""
    term = GlossaryTerm.objects.filter(community=community, pk=term_id).first()
    if term is None:
        raise Http404(_("No such term in this glossary."))
    return term


def join_request_in(community: Community, request_id) -> JoinRequest:
    """The join request `request_id` to `community`, whatever its status, or 404."""
    join_request = JoinRequest.objects.filter(community=community, pk=request_id).first()
    if join_request is None:
        raise Http404(_("No such join request."))
    return join_request


def mapping_table(a: Community, b: Community) -> list[dict]:
    """Rows of (term in a, term in b, note) for every mapping in either direction."""
    rows = []
    for mapping in TermMapping.objects.select_related("source", "target").filter(
        Q(source__community=a, target__community=b) | Q(source__community=b, target__community=a)
    ):
        ours, theirs = (
            (mapping.source, mapping.target)
            if mapping.source.community_id == a.pk
            else (mapping.target, mapping.source)
        )
        rows.append({"ours": ours, "theirs": theirs, "note": mapping.note, "mapping": mapping})
    rows.sort(key=lambda row: row["ours"].term.lower())
    return rows


def profile_public(profile: Profile) -> dict:
    """What other members may see of a profile: never the diversity answers."""
    return {
        "display_name": profile.display_name or profile.user.display_name,
        "discipline": profile.discipline,
        "organisation": profile.organisation,
        "seniority": profile.seniority,
        "skills": [s.name for s in profile.skills.all()],
        "interests": [s.name for s in profile.interests.all()],
        "hours_per_month": profile.hours_per_month,
        "bio": profile.bio,
    }


def home_items(user) -> list:
    """Invitations addressed to the person and join requests they can decide."""
    items = [
        HomeItem(
            title=_("Invitation to %(community)s") % {"community": inv.community.name},
            url=reverse("communities:invitation", args=[inv.token]),
            kind=_("Invitation"),
            when=inv.created_at,
        )
        for inv in Invitation.objects.filter(email__iexact=user.email, status="pending").select_related("community")
        if not inv.expired
    ]
    coordinated = Membership.objects.filter(user=user, role="coordinator").values("community_id")
    waiting = (
        JoinRequest.objects.filter(community_id__in=coordinated, status="pending")
        .values("community__slug", "community__name")
        .annotate(n=Count("id"))
    )
    for row in waiting:
        items.append(
            HomeItem(
                title=ngettext(
                    "%(count)d join request for %(community)s", "%(count)d join requests for %(community)s", row["n"]
                )
                % {"count": row["n"], "community": row["community__name"]},
                url=reverse("communities:requests", args=[row["community__slug"]]),
                kind=_("Join request"),
            )
        )
    return items


def personal_data(user) -> dict:
    return {
        "opportunities": [
            {
                "community": o.community.slug,
                "kind": o.kind,
                "source": o.source,
                "label": o.label,
                "occurred_at": o.occurred_at.isoformat(),
            }
            for o in OpportunityEntry.objects.filter(user=user)
            .select_related("community")
            .order_by("occurred_at", "pk")
        ],
        "contributions": [
            {"community": c["community__slug"], "kind": c["kind"], "context": c["context"], "count": c["n"]}
            for c in Contribution.objects.filter(user=user)
            .values("community__slug", "kind", "context")
            .annotate(n=Count("id"))
            .order_by("context", "kind")
        ],
        # every row of the voice ledger, as held (the summary above counts them)
        "contribution_log": [
            {
                "community": c["community__slug"],
                "kind": c["kind"],
                "context": c["context"],
                "occurred_at": c["occurred_at"].isoformat(),
            }
            for c in Contribution.objects.filter(user=user)
            .order_by("occurred_at", "pk")
            .values("community__slug", "kind", "context", "occurred_at")
        ],
    }
