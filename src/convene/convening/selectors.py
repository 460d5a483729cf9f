"""Reads for convening: room preview, picker ranking, speaking-queue state, and the cross-app hooks
(home page, community tabs, personal data, insights contexts)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from convene.accounts.models import Seniority, User
from convene.communities.models import Membership
from convene.core.permissions import owned_or_404
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

from .models import (
    ActionStatus,
    ActivityType,
    AgendaItem,
    BreakoutMember,
    Candidate,
    FollowUp,
    Rating,
    Rsvp,
    Session,
    SessionInvitation,
    SessionRole,
    SessionState,
    Turn,
)
from .permissions import is_manager

GUEST_LABEL = "Individual guests"
NOT_GIVEN = "Not given"


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


# --------------------------------------------------------------------------- room preview
#
# The room is a population the coordinator chooses (they add and withdraw people at will), so
# private diversity answers are shown only as perturbed, banded breakdowns from the disclosure
# adapter: a population that differs by one person gets fresh noise in every cell, the same
# population always the same figures. The invitees' public profile fields (community,
# discipline, organisation, seniority) are counted exactly, but a count of 1-4 is shown as
# "fewer than 5" and small open-ended groups (disciplines, organisations) are merged.

HIDDEN_NOTE = (
    "Hidden: fewer than 5 people — figures about small groups are never shown so that nobody can be singled out."
)
ROUNDED_NOTE = "Figures are rounded to 5 and slightly adjusted to protect privacy."
OTHER_GROUPS = "Other (smaller groups together)"


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
            rows.append(_profile_row(OTHER_GROUPS, _profile_figure(extra)))
        shown = [n for n in full.values() if n >= THRESHOLD]
    else:
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        merge = group_sizes(ordered)
        for value in merge.shown:
            rows.append(_profile_row(value, exact(ordered[value])))
        if merge.merged:
            other = exact(merge.merged_size) if merge.merged_shown else hidden()
            rows.append(_profile_row(OTHER_GROUPS, other))
        shown = [ordered[v] for v in merge.shown if v != NOT_GIVEN]
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
        communities.append(GUEST_LABEL)
    seniority_labels = [label for _, label in Seniority.choices]
    community_counts = Counter(i.community.name if i.community else GUEST_LABEL for i in invitations)
    missing = [name for name in taking_part if community_counts.get(name, 0) == 0]
    surface = f"convening.preview.{part}"
    diversity = diversity_breakdowns(surface=surface, person_ids=[i.user_id for i in invitations if i.shares_answers])
    diversity_out = []
    for b in diversity:
        out = b.as_dict()
        out["any_hidden"] = any(f.hidden for _, f in b.rows)
        diversity_out.append(out)
    total = len(invitations)
    warnings = [f"No one from {name} is {'invited' if part == 'invited' else 'coming'} yet." for name in missing]
    if total:
        warnings += [
            f"The room looks one-sided on {b.label.split(' (')[0].lower()}." for b in diversity if b.band == "one-sided"
        ]
    return {
        "total": total,
        "profile": [
            _profile_breakdown(
                "community",
                "Community",
                [i.community.name if i.community else GUEST_LABEL for i in invitations],
                communities,
            ),
            _profile_breakdown(
                "discipline", "Discipline", [i.user.profile.discipline or NOT_GIVEN for i in invitations]
            ),
            _profile_breakdown(
                "organisation", "Organisation", [i.user.profile.organisation or NOT_GIVEN for i in invitations]
            ),
            _profile_breakdown(
                "seniority",
                "Seniority band",
                [
                    i.user.profile.get_seniority_display() if i.user.profile.seniority else NOT_GIVEN
                    for i in invitations
                ],
                [*seniority_labels, NOT_GIVEN],
            ),
        ],
        "diversity": diversity_out,
        "diversity_total": people_count(
            surface=surface, person_ids=[i.user_id for i in invitations if i.shares_answers]
        ),
        "warnings": warnings,
        "hidden_note": HIDDEN_NOTE,
        "rounded_note": ROUNDED_NOTE,
    }


@people_aggregate
def room_preview(session: Session) -> dict:
    invitations = list(session.invitations.select_related("user__profile", "community"))
    return {
        "invited": composition(invitations, session, part="invited"),
        "accepted": composition([i for i in invitations if i.rsvp == Rsvp.YES], session, part="accepted"),
    }


# --------------------------------------------------------------------------- guest list

EMAIL_PENDING = "Invited by e-mail (pending)"


def nameable_user_ids(session: Session, viewer) -> set[int]:
    """Invitees whose names the viewer may already see: members of a community the viewer belongs
    to, the viewer, and anyone who has accepted (answered yes or opened an e-mail invitation)."""
    mine = Membership.objects.filter(user=viewer).values("community_id")
    invited = session.invitations.all()
    ids = set(invited.filter(user__memberships__community_id__in=mine).values_list("user_id", flat=True))
    ids |= set(invited.filter(rsvp=Rsvp.YES).values_list("user_id", flat=True))
    ids |= set(session.email_invitations.filter(accepted_by__isnull=False).values_list("accepted_by_id", flat=True))
    ids.add(viewer.pk)
    return ids


def hidden_name(community: str | None) -> str:
    return f"A member of {community or 'another community'} (name shown once they accept)"


def guest_list(session: Session, viewer) -> list[dict]:
    """The invitation list as the viewer may see it: names only of people they may already see;
    pending e-mail invitations name nobody (nor say whether the address has an account)."""
    nameable = nameable_user_ids(session, viewer)
    show_needs = is_manager(viewer, session)  # access and care needs: the host's coordinators only
    rows = []
    for i in session.invitations.select_related("user__profile", "community").order_by(
        "community__name", "user__profile__display_name", "id"
    ):
        named = i.user_id in nameable
        community = i.community.name if i.community else None
        rows.append(
            {
                "kind": "person",
                "id": i.pk,
                "invitation": i,
                "user_id": i.user_id if named else None,
                "name": i.user.display_name
                if named
                else f"A member of {community or 'another community'} (name shown once they accept)",
                "named": named,
                "community": i.community,
                "via": i.via,
                "via_label": i.get_via_display(),
                "rsvp": i.rsvp,
                "rsvp_label": i.get_rsvp_display(),
                "needs": i.needs if show_needs else "",
                "checked_in_at": i.checked_in_at,
            }
        )
    for e in session.email_invitations.filter(accepted_at__isnull=True):
        rows.append(
            {
                "kind": "email",
                "id": e.pk,
                "invitation": e,
                "user_id": None,
                "name": EMAIL_PENDING,
                "named": False,
                "community": None,
                "via": "email",
                "via_label": "E-mail invitation",
                "rsvp": Rsvp.PENDING,
                "rsvp_label": "Not accepted yet",
                "needs": "",
                "checked_in_at": None,
            }
        )
    return rows


def invitable_people(session: Session, viewer):
    """People the viewer may invite by name: members of the host and the communities taking part
    that the viewer belongs to too (whose names the viewer can already see)."""
    ids = [session.host_id, *session.invited_communities.values_list("pk", flat=True)]
    mine = Membership.objects.filter(user=viewer, community_id__in=ids).values("community_id")
    return (
        User.objects.filter(memberships__community_id__in=mine)
        .exclude(session_invitations__session=session)
        .distinct()
        .select_related("profile")
        .order_by("profile__display_name", "id")
    )


def person_labels(users, community_names: dict[int, str]) -> dict[int, str]:
    """Labels that tell people with the same name apart: "Name (Community · discipline ·
    organisation)" from public profile facts; if two labels still coincide, "no. 2", "no. 3"
    in the order people joined."""
    users = list(users)
    labels: dict[int, str] = {}
    for u in users:
        profile = getattr(u, "profile", None)
        parts = [community_names.get(u.pk) or ""]
        if profile is not None:
            parts += [profile.discipline, profile.organisation]
        detail = " · ".join(p for p in parts if p)
        labels[u.pk] = f"{u.display_name} ({detail})" if detail else u.display_name
    seen: Counter = Counter()
    totals = Counter(labels.values())
    for u in sorted(users, key=lambda x: x.pk):
        label = labels[u.pk]
        if totals[label] > 1:
            seen[label] += 1
            labels[u.pk] = f"{label} no. {seen[label]}"
    return labels


def session_people(session: Session, viewer):
    """Invitees the viewer may pick or see by name (see ``nameable_user_ids``), with labels."""
    ids = nameable_user_ids(session, viewer)
    invitations = session.invitations.filter(user_id__in=ids).select_related("user__profile", "community")
    users = sorted((i.user for i in invitations), key=lambda u: (u.display_name.casefold(), u.pk))
    names = {i.user_id: (i.community.name if i.community else GUEST_LABEL) for i in invitations}
    return users, person_labels(users, names)


def invitable_labels(session: Session, users) -> dict[int, str]:
    ids = [session.host_id, *session.invited_communities.values_list("pk", flat=True)]
    names: dict[int, str] = {}
    for m in Membership.objects.filter(user__in=users, community_id__in=ids).select_related("community"):
        names.setdefault(m.user_id, m.community.name)
    return person_labels(users, names)


def host_time_zone(community) -> str:
    """The time zone of the community's most recent session (the default for its next one), else UTC."""
    last = Session.objects.filter(host=community).order_by("-created_at", "-id").values_list("time_zone", flat=True)
    return last.first() or "UTC"


def room_warnings(session: Session) -> list[str]:
    """The room preview's plain warnings about the invited ("No one from Social Work is invited yet.")."""
    return room_preview(session)["invited"]["warnings"]


# --------------------------------------------------------------------------- picker


def _rater_community(invitation: SessionInvitation | None) -> str:
    if invitation is None or invitation.community is None:
        return GUEST_LABEL
    return invitation.community.name


def picker_ranking(session: Session) -> list[dict]:
    from convene.engines.picker import Rating as EngineRating
    from convene.engines.picker import rank_candidates

    candidates = {c.pk: c for c in session.candidates.select_related("proposed_by__profile")}
    invitations = {i.user_id: i for i in session.invitations.select_related("community")}
    ratings = [
        EngineRating(
            candidate=r.candidate_id,
            participant=r.user_id,
            community=_rater_community(invitations.get(r.user_id)),
            usefulness=r.usefulness,
            commitment=r.commitment,
        )
        for r in Rating.objects.filter(candidate__session=session)
    ]
    ranked = rank_candidates(ratings)
    out = []
    for position, rc in enumerate(ranked, start=1):
        out.append(
            {
                "rank": position,
                "candidate": candidates[rc.candidate],
                "min_community_usefulness": round(rc.min_community_usefulness, 2),
                "weakest_community": rc.weakest_community,
                "per_community": {k: round(v, 2) for k, v in rc.per_community.items()},
                "commitment": round(rc.commitment, 2),
                "mean_usefulness": round(rc.mean_usefulness, 2),
                "complete": rc.complete,
                "missing_communities": list(rc.missing_communities),
                "n_ratings": rc.n_ratings,
            }
        )
    rated = {rc.candidate for rc in ranked}
    for candidate in candidates.values():
        if candidate.pk not in rated:
            out.append(
                {
                    "rank": None,
                    "candidate": candidate,
                    "min_community_usefulness": None,
                    "weakest_community": None,
                    "per_community": {},
                    "commitment": None,
                    "mean_usefulness": None,
                    "complete": False,
                    "missing_communities": [],
                    "n_ratings": 0,
                }
            )
    return out


def my_ratings(session: Session, user) -> dict[int, Rating]:
    return {r.candidate_id: r for r in Rating.objects.filter(candidate__session=session, user=user)}


def candidate_in(session: Session, candidate_id) -> Candidate:
    return owned_or_404(Candidate.objects.filter(session=session).select_related("session"), candidate_id)


# --------------------------------------------------------------------------- one object of a session, or 404


def agenda_item_in(session: Session, item_id) -> AgendaItem:
    return owned_or_404(AgendaItem.objects.filter(session=session).select_related("session"), item_id)


def session_role_in(session: Session, role_id) -> SessionRole:
    return owned_or_404(SessionRole.objects.filter(session=session).select_related("user"), role_id)


def follow_up_in(session: Session, action_id) -> FollowUp:
    return owned_or_404(FollowUp.objects.filter(session=session).select_related("session"), action_id)


# --------------------------------------------------------------------------- speaking queue


def queue_state(session: Session) -> dict:
    invitations = list(session.invitations.select_related("user__profile", "community"))
    present = [i for i in invitations if i.checked_in_at is not None]
    room = present or [i for i in invitations if i.rsvp == Rsvp.YES]
    turns = list(Turn.objects.filter(session=session).values("user_id", "community__name"))
    by_user = Counter(t["user_id"] for t in turns)
    by_community = Counter(t["community__name"] or GUEST_LABEL for t in turns)
    in_room = Counter(i.community.name if i.community else GUEST_LABEL for i in room)
    total_turns = len(turns)
    people = [
        {"invitation": i, "user": i.user, "turns": by_user.get(i.user_id, 0), "hand": i.hand_raised_at} for i in room
    ]
    # the stated order: raised hands first, in the order they were raised; then whoever has spoken
    # least; then by name (and id, so namesakes keep a stable place)
    people.sort(
        key=lambda p: (
            p["hand"] is None,
            p["hand"].timestamp() if p["hand"] else 0.0,
            p["turns"],
            p["user"].display_name.casefold(),
            p["user"].pk,
        )
    )
    for position, p in enumerate(people, start=1):
        p["position"] = position
    shares = []
    for name in sorted(set(in_room) | set(by_community)):
        turns_n = by_community.get(name, 0)
        people_n = in_room.get(name, 0)
        shares.append(
            {
                "community": name,
                "turns": turns_n,
                "share": round(turns_n / total_turns, 3) if total_turns else 0.0,
                "people": people_n,
                "room_share": round(people_n / len(room), 3) if room else 0.0,
                "width": round(100 * turns_n / total_turns) if total_turns else 0,
                "room_width": round(100 * people_n / len(room)) if room else 0,
            }
        )
    return {
        "people": people,
        "hands": [p for p in people if p["hand"] is not None],
        "not_spoken": [p for p in people if p["turns"] == 0],
        "shares": shares,
        "total_turns": total_turns,
        "last": Turn.objects.filter(session=session).select_related("user__profile").order_by("-at", "-id").first(),
    }


def queue_for_member(session: Session, viewer) -> dict:
    """The speaking queue as an attendee sees it: the order, their own place, and names only of
    people they may already see (others as "Someone from <community>")."""
    q = queue_state(session)
    nameable = nameable_user_ids(session, viewer)
    rows = []
    mine = None
    for p in q["people"]:
        named = p["user"].pk in nameable
        community = p["invitation"].community.name if p["invitation"].community else GUEST_LABEL
        row = {
            "position": p["position"],
            "name": p["user"].display_name if named else f"Someone from {community}",
            "named": named,
            "hand": p["hand"] is not None,
            "turns": p["turns"],
            "me": p["user"].pk == viewer.pk,
        }
        rows.append(row)
        if row["me"]:
            mine = row
    last = q["last"]
    return {
        "rows": rows,
        "mine": mine,
        "speaking": (last.user.display_name if last.user_id in nameable else "someone") if last else None,
        "total_turns": q["total_turns"],
    }


# --------------------------------------------------------------------------- groups


def breakout_groups(session: Session) -> list[dict]:
    members = (
        BreakoutMember.objects.filter(session=session)
        .select_related("group__lead__profile", "user__profile")
        .order_by("group__number", "user__profile__display_name")
    )
    invitations = {i.user_id: i for i in session.invitations.select_related("community")}
    groups: dict[int, dict] = {}
    for group in session.breakout_groups.select_related("lead__profile"):
        groups[group.number] = {"group": group, "number": group.number, "lead": group.lead, "members": [], "mix": {}}
    for m in members:
        entry = groups[m.group.number]
        inv = invitations.get(m.user_id)
        entry["members"].append(
            {"user": m.user, "community": inv.community.name if inv and inv.community else GUEST_LABEL}
        )
    for entry in groups.values():
        entry["mix"] = {
            "community": dict(Counter(p["community"] for p in entry["members"])),
            "discipline": dict(Counter(p["user"].profile.discipline or NOT_GIVEN for p in entry["members"])),
            "seniority": dict(
                Counter(p["user"].profile.get_seniority_display() or NOT_GIVEN for p in entry["members"])
            ),
        }
    return list(groups.values())


def my_group(session: Session, user) -> dict | None:
    member = BreakoutMember.objects.filter(session=session, user=user).select_related("group").first()
    if member is None:
        return None
    for entry in breakout_groups(session):
        if entry["number"] == member.group.number:
            return entry
    return None


# --------------------------------------------------------------------------- hooks


def community_links(user, community) -> list[tuple[str, str]]:
    from convene.communities.permissions import rank_of

    if rank_of(user, community) >= 1:
        return [("Sessions", reverse("convening:community_sessions", args=[community.slug]))]
    return []


def home_items(user) -> list:
    from convene.core.home import HomeItem

    now = timezone.now()
    items = [
        HomeItem(
            title=f"Will you come to “{inv.session.title}”?",
            url=reverse("convening:rsvp", args=[inv.session_id]),
            kind="Invitation",
            when=inv.session.starts_at,
        )
        for inv in SessionInvitation.objects.filter(
            user=user, rsvp=Rsvp.PENDING, session__state=SessionState.INVITATIONS_SENT, session__starts_at__gt=now
        ).select_related("session")
    ]
    items += [
        HomeItem(
            title=action.title,
            url=reverse("convening:record", args=[action.session_id]) + f"#action-{action.pk}",
            kind="Follow-up",
            when=None,
            detail=(f"due {action.due:%d %b %Y} · " if action.due else "") + f"from “{action.session.title}”",
        )
        for action in FollowUp.objects.filter(owner=user)
        .exclude(status=ActionStatus.DONE)
        .select_related("session")
        .order_by("due", "id")
    ]
    return items


def upcoming(user) -> list:
    from convene.core.home import HomeItem

    now = timezone.now()
    invitations = SessionInvitation.objects.filter(
        user=user,
        rsvp__in=[Rsvp.YES, Rsvp.MAYBE, Rsvp.WAITLIST],
        session__state__in=[SessionState.INVITATIONS_SENT, SessionState.IN_PROGRESS],
        session__starts_at__gt=now - timezone.timedelta(hours=24),
    ).select_related("session")
    return [
        HomeItem(
            title=inv.session.title,
            url=reverse("convening:session", args=[inv.session_id]),
            kind="Session",
            when=inv.session.starts_at,
            detail="on the waitlist" if inv.rsvp == Rsvp.WAITLIST else inv.get_rsvp_display().lower(),
        )
        for inv in invitations
        if inv.session.ends_at >= now
    ]


def personal_data(user) -> dict:
    return {
        "convening": {
            "invitations": [
                {
                    "session": inv.session.title,
                    "starts_at": inv.session.starts_at.isoformat(),
                    "rsvp": inv.rsvp,
                    "access_and_care_needs": inv.needs,
                    "checked_in_at": inv.checked_in_at.isoformat() if inv.checked_in_at else None,
                }
                for inv in SessionInvitation.objects.filter(user=user).select_related("session")
            ],
            "notes": [
                {"session": n.session.title, "text": n.text, "created_at": n.created_at.isoformat()}
                for n in user_notes(user)
            ],
            "follow_ups": [
                {
                    "session": a.session.title,
                    "title": a.title,
                    "due": a.due.isoformat() if a.due else None,
                    "status": a.status,
                }
                for a in FollowUp.objects.filter(owner=user).select_related("session")
            ],
            "ratings": [
                {"candidate": r.candidate.title, "usefulness": r.usefulness, "commitment": r.commitment}
                for r in Rating.objects.filter(user=user).select_related("candidate")
            ],
            "speaking_turns": Turn.objects.filter(user=user).count(),
        }
    }


def user_notes(user):
    from .models import Note

    return Note.objects.filter(author=user).select_related("session")


def context_info(context: str) -> dict | None:
    if not isinstance(context, str) or not context.startswith("session:"):
        return None
    try:
        session = Session.objects.select_related("host").get(pk=int(context.split(":", 1)[1]))
    except (Session.DoesNotExist, ValueError):
        return None
    groups: dict[str, list[int]] = {}
    for m in BreakoutMember.objects.filter(session=session).select_related("group").order_by("group__number"):
        groups.setdefault(m.group.label, []).append(m.user_id)
    return {
        "title": session.title,
        "url": reverse("convening:session", args=[session.pk]),
        "kind": "session",
        "community_ids": [session.host_id, *session.invited_communities.values_list("pk", flat=True)],
        "invited_user_ids": list(session.invitations.values_list("user_id", flat=True)),
        "anonymous": False,
        "groups": groups,
    }


def contexts_for(community) -> list[str]:
    ids = (
        Session.objects.filter(Q(host=community) | Q(invited_communities=community))
        .exclude(state=SessionState.DRAFT)
        .order_by("-starts_at", "-id")
        .values_list("pk", flat=True)
    )
    return [f"session:{pk}" for pk in dict.fromkeys(ids)]


def role_turn_suggestions(session, current) -> list[tuple[str, list]]:
    """Per role, the invited people with the fewest recent opportunities of it in the host
    community (from insights, through a hook), leaving out who already has it here."""
    from convene.core import hooks

    from .models import SessionRoleKind

    invited = list(session.invitations.values_list("user_id", flat=True))
    out = []
    for kind, label in SessionRoleKind.choices:
        holders = {r.user_id for r in current if r.kind == kind}
        eligible = [u for u in invited if u not in holders]
        people = hooks.first("turn_suggestions", session.host, kind, eligible, 3) if eligible else []
        out.append((label, people or []))
    return out
