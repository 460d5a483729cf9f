"""The breakthrough picker's ranking (engine `picker`) and a person's own ratings."""

from __future__ import annotations

from convene.core.permissions import owned_or_404
from convene.engines.picker import Rating as EngineRating
from convene.engines.picker import rank_candidates

from ..models import (
    Candidate,
    Rating,
    Session,
    SessionInvitation,
)
from .preview import GUEST_LABEL


def _rater_community(invitation: SessionInvitation | None) -> str:
    if invitation is None or invitation.community is None:
        return str(GUEST_LABEL)
    return invitation.community.name


def picker_ranking(session: Session) -> list[dict]:
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
