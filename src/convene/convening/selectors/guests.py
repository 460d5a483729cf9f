"""The guest list and who may be invited: names shown only to those allowed to see them."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convene.accounts.models import User
from convene.communities.models import Membership

from ..models import (
    Rsvp,
    Session,
)
from ..permissions import is_manager
from .preview import GUEST_LABEL, room_preview

EMAIL_PENDING = gettext_lazy("Invited by e-mail (pending)")


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
    if community:
        return _("A member of %(community)s (name shown once they accept)") % {"community": community}
    return _("A member of another community (name shown once they accept)")


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
                "name": i.user.display_name if named else hidden_name(community),
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
                "name": str(EMAIL_PENDING),
                "named": False,
                "community": None,
                "via": "email",
                "via_label": _("E-mail invitation"),
                "rsvp": Rsvp.PENDING,
                "rsvp_label": _("Not accepted yet"),
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
            labels[u.pk] = _("%(label)s no. %(number)d") % {"label": label, "number": seen[label]}
    return labels


def session_people(session: Session, viewer):
    """Invitees the viewer may pick or see by name (see ``nameable_user_ids``), with labels."""
    ids = nameable_user_ids(session, viewer)
    invitations = session.invitations.filter(user_id__in=ids).select_related("user__profile", "community")
    users = sorted((i.user for i in invitations), key=lambda u: (u.display_name.casefold(), u.pk))
    names = {i.user_id: (i.community.name if i.community else str(GUEST_LABEL)) for i in invitations}
    return users, person_labels(users, names)


def invitable_labels(session: Session, users) -> dict[int, str]:
    ids = [session.host_id, *session.invited_communities.values_list("pk", flat=True)]
    names: dict[int, str] = {}
    for m in Membership.objects.filter(user__in=users, community_id__in=ids).select_related("community"):
        names.setdefault(m.user_id, m.community.name)
    return person_labels(users, names)


def host_time_zone(community, fallback: str = "UTC") -> str:
    """The time zone of the community's most recent session (the default for its next one), else
    `fallback` (the views pass the viewer's own zone)."""
    last = Session.objects.filter(host=community).order_by("-created_at", "-id").values_list("time_zone", flat=True)
    return last.first() or fallback


def room_warnings(session: Session) -> list[str]:
    """The room preview's plain warnings about the invited ("No one from Social Work is invited yet.")."""
    return room_preview(session)["invited"]["warnings"]
