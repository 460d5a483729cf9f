"""The room preview: who is in the room, counted through the disclosure adapter
(`convene.privacy.disclosure`), never listed."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convene.accounts.models import Seniority
from convene.privacy.disclosure import (
    THRESHOLD,
    Figure,
    diversity_band,
    diversity_breakdowns,
    exact,
    group_sizes,
    hidden,
    people_aggregate,
    people_count,
)

from ..models import (
    Rsvp,
    Session,
    SessionInvitation,
)

GUEST_LABEL = gettext_lazy("Individual guests")
NOT_GIVEN = gettext_lazy("Not given")

# The room is a population the coordinator chooses (they add and withdraw people at will), so
# private diversity answers are shown only as perturbed, banded breakdowns from the disclosure
# adapter: a population that differs by one person gets fresh noise in every cell, the same
# population always the same figures. The invitees' public profile fields (community,
# discipline, organisation, seniority) are counted exactly, but a count of 1-4 is shown as
# "fewer than 5" and small open-ended groups (disciplines, organisations) are merged.

HIDDEN_NOTE = gettext_lazy(
    "Hidden: fewer than 5 people — figures about small groups are never shown so that nobody can be singled out."
)
ROUNDED_NOTE = gettext_lazy("Figures are rounded to 5 and slightly adjusted to protect privacy.")
OTHER_GROUPS = gettext_lazy("Other (smaller groups together)")


def _profile_figure(n: int) -> Figure:
    """An exact head count of a public profile field: 0 stays 0 (the room lacks it), 1-4 is hidden."""
    return Figure(0) if n == 0 else exact(n)


def _profile_row(value: str, figure: Figure) -> dict:
    return {"value": value, "count": figure.api(), "shown": figure.short, "text": str(figure)}


def _profile_breakdown(key: str, label: str, values: list[str], categories: list[str] | None = None) -> dict:
    """A public profile dimension: fixed categories listed with their exact counts (0 included);
    open-ended ones (no ``categories``) list only groups of at least 5, the rest merged."""
    counts = Counter(values)
    rows: list[dict] = []
    if categories is not None:
        full = {c: counts.get(c, 0) for c in categories}
        for value, n in full.items():
            rows.append(_profile_row(value, _profile_figure(n)))
        extra = sum(n for v, n in counts.items() if v not in full)
        if extra:
            rows.append(_profile_row(str(OTHER_GROUPS), _profile_figure(extra)))
        shown = [n for n in full.values() if n >= THRESHOLD]
    else:
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        merge = group_sizes(ordered)
        for value in merge.shown:
            rows.append(_profile_row(value, exact(ordered[value])))
        if merge.merged:
            other = exact(merge.merged_size) if merge.merged_shown else hidden()
            rows.append(_profile_row(str(OTHER_GROUPS), other))
        shown = [ordered[v] for v in merge.shown if v != str(NOT_GIVEN)]
    return {
        "key": key,
        "label": label,
        "rows": rows,
        "band": diversity_band([exact(n) for n in shown]),
        "any_hidden": any(r["count"] is None for r in rows),
    }


def _counted(invitations: list[SessionInvitation]) -> list[SessionInvitation]:
    """Who counts in the preview: everyone on the list (people invited by e-mail are on it only
    once they have accepted the link)."""
    return invitations


@people_aggregate
def composition(invitations: list[SessionInvitation], session: Session, *, part: str = "invited") -> dict:
    """What the room would look like (``part``: "invited" or "accepted"); see the section comment."""
    invitations = _counted(invitations)
    taking_part = [session.host.name, *[c.name for c in session.invited_communities.all()]]
    communities = list(taking_part)
    if any(i.community is None for i in invitations):
        communities.append(str(GUEST_LABEL))
    seniority_labels = [str(label) for _value, label in Seniority.choices]
    community_counts = Counter(i.community.name if i.community else str(GUEST_LABEL) for i in invitations)
    missing = [name for name in taking_part if community_counts.get(name, 0) == 0]
    surface = f"convening.preview.{part}"
    diversity = diversity_breakdowns(surface=surface, person_ids=[i.user_id for i in invitations if i.shares_answers])
    diversity_out = []
    for b in diversity:
        out = b.as_dict()
        out["any_hidden"] = any(f.hidden for _value, f in b.rows)
        diversity_out.append(out)
    total = len(invitations)
    nobody = (
        _("No one from %(community)s is invited yet.")
        if part == "invited"
        else _("No one from %(community)s is coming yet.")
    )
    warnings = [nobody % {"community": name} for name in missing]
    if total:
        warnings += [
            _("The room looks one-sided on %(attribute)s.") % {"attribute": b.label.split(" (")[0].lower()}
            for b in diversity
            if b.band == "one-sided"
        ]
    return {
        "total": total,
        "profile": [
            _profile_breakdown(
                "community",
                _("Community"),
                [i.community.name if i.community else str(GUEST_LABEL) for i in invitations],
                communities,
            ),
            _profile_breakdown(
                "discipline", _("Discipline"), [i.user.profile.discipline or str(NOT_GIVEN) for i in invitations]
            ),
            _profile_breakdown(
                "organisation", _("Organisation"), [i.user.profile.organisation or str(NOT_GIVEN) for i in invitations]
            ),
            _profile_breakdown(
                "seniority",
                _("Seniority band"),
                [
                    i.user.profile.get_seniority_display() if i.user.profile.seniority else str(NOT_GIVEN)
                    for i in invitations
                ],
                [*seniority_labels, str(NOT_GIVEN)],
            ),
        ],
        "diversity": diversity_out,
        "diversity_total": people_count(
            surface=surface, person_ids=[i.user_id for i in invitations if i.shares_answers]
        ),
        "warnings": warnings,
        "hidden_note": str(HIDDEN_NOTE),
        "rounded_note": str(ROUNDED_NOTE),
    }


@people_aggregate
def room_preview(session: Session) -> dict:
    invitations = list(session.invitations.select_related("user__profile", "community"))
    return {
        "invited": composition(invitations, session, part="invited"),
        "accepted": composition([i for i in invitations if i.rsvp == Rsvp.YES], session, part="accepted"),
    }
