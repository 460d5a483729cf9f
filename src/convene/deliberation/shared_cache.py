"""The voting facts kept in Django's shared cache: their keys, and the vote route's one read of them.

Three facts about a voter are kept in the cache so that an API vote reads no row for them: their
rank on the response (`permissions.response_rank`), their participant (`services.common
.participant_for`) and the response's pool of statements as of its map revision
(`selectors.voting.statement_pool`). Each reader keeps its own entry and what drops it; the keys
are made here, so that `voting_facts` can read all three in one round trip for the API's vote and
next-statement routes, which hand what it found to those readers instead of reading again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from .models import JointResponse, user_key

_RANK_KEY = "deliberation:rank:{}:{}"
_PARTICIPANT_KEY = "deliberation:participant:{}:{}"
_POOL_KEY = "deliberation:pool:{}:{}:{}"


def rank_key(response_id: int, secret: str, user_id: int) -> str:
    """The key of a person's rank on a response (keyed by their participant key, which includes the
    response's secret, so that a key is never reused for another response)."""
    return _RANK_KEY.format(response_id, user_key(secret, user_id))


def participant_key(response_id: int, participant_user_key: str) -> str:
    """The key of the participant with this user key (`Participant.user_key`) in the response."""
    return _PARTICIPANT_KEY.format(response_id, participant_user_key)


def pool_key(response: JointResponse) -> str:
    """The key of the response's pool as of its revision."""
    return _POOL_KEY.format(response.pk, response.secret[:12], response.revision)


@dataclass(frozen=True)
class VotingFacts:
    """What the cache held for one voter on one response; None where it held nothing."""

    rank: int | None
    participant: object | None
    pool: object | None


def voting_facts(response: JointResponse, user) -> VotingFacts:
    """The voter's rank and participant and the response's pool, in one cache round trip."""
    key = response.user_key(user.pk)
    keys = {
        "rank": _RANK_KEY.format(response.pk, key),
        "participant": participant_key(response.pk, key),
        "pool": pool_key(response),
    }
    found = cache.get_many(keys.values())
    return VotingFacts(**{name: found.get(k) for name, k in keys.items()})
