"""Votes: the one way to vote (`vote_cast`) and the write it ends in (`vote_record`)."""

from __future__ import annotations

import contextlib

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import ContributionKind
from convene.core.db import unique_or_none
from convene.core.errors import Conflict, InvalidInput

from ..models import JointResponse, Participant, Phase, Statement, StatementState, Vote, VoteValue
from ..permissions import VOTING_FACTS
from ..selectors.voting import statement_votable
from ..shared_cache import voting_facts
from ..tasks import map_in_worker, request_map
from .common import participant_for

COUNTER = {1: "n_agree", -1: "n_disagree", 0: "n_pass"}
_VOTE_VALUES = tuple(VoteValue.values)  # (the enum builds the list anew on every access)
_MAX_ID = 2**63 - 1


def vote_value(value) -> int:
    """1, -1 or 0 from a number or the words agree / disagree / pass; InvalidInput otherwise."""
    aliases = {"agree": 1, "disagree": -1, "pass": 0}
    if isinstance(value, str):
        value = aliases.get(value.strip().lower(), value)
        with contextlib.suppress(ValueError):
            value = int(value)
    if isinstance(value, bool) or value not in _VOTE_VALUES:
        raise InvalidInput(_("A vote is agree, disagree or pass."), field="value")
    return int(value)


def _voting_closed(state: str | None) -> Conflict:
    return Conflict(
        _("Voting has ended: the response is no longer gathering views.")
        if state in (Phase.DRAFTING, Phase.ENDORSEMENT, Phase.DELIVERED, Phase.CLOSED)
        else _("Voting is not open for this response."),
        code="voting_closed",
    )


# The phase and revision, in plain SQL through Django's cursor: the ORM would spend ten times the
# CPU building this query than the database spends answering it (bench/profile_vote.py).
_PHASE = "SELECT state, revision FROM deliberation_jointresponse WHERE id = %s"


def vote_cast(*, response: JointResponse, user, statement_id, value) -> Vote:
    """Cast or change a vote: the one way to vote (web page, htmx fragment and API all call it).

    The caller has fetched the response through `permissions.response_for(need=Need.MEMBER)` (or
    `response_for_voting`, whose cached facts it then uses) in this request.
    Checks the phase, the statement and the voter with readable refusals, then
    writes through `vote_record`. The same vote twice is a no-op (a double submit is harmless).
    """
    value = vote_value(value)
    try:
        statement_id = int(statement_id)
    except (TypeError, ValueError):
        statement_id = None
    if statement_id is not None and not 0 < statement_id <= _MAX_ID:
        statement_id = None
    # The phase and the map revision as of now: read again unless `response_for_voting` read them
    # in this request (a second read a moment later would be no fresher: neither locks the row),
    # since the caller's object may be older than the last phase change. Then the statement is
    # checked against the response's pool as of that revision (moderation moves the revision):
    # only a refusal reads the statement itself, to say why.
    facts = getattr(response, VOTING_FACTS, None)
    if facts is None:
        with connection.cursor() as cursor:
            cursor.execute(_PHASE, [response.pk])
            response.state, response.revision = cursor.fetchone() or (None, response.revision)
    if response.state != Phase.GATHERING:
        raise _voting_closed(response.state)
    if statement_id is None:
        raise InvalidInput(_("Choose a statement to vote on."), field="statement")
    if facts is None:  # the pool and the participant (with the rank) from the cache in one round trip
        facts = voting_facts(response, user)
    if not statement_votable(response, statement_id, cached=facts.pool):
        state = unique_or_none(
            Statement.objects.filter(response_id=response.pk, pk=statement_id).values_list("state", flat=True)
        )
        if state is None:
            raise InvalidInput(
                _("There is no such statement in this response."), field="statement", code="no_statement"
            )
        if state != StatementState.ACCEPTED:  # (accepted since the pool was read: it may be voted on)
            why = {
                StatementState.REJECTED: _("You cannot vote on this statement: it was rejected by the moderators."),
                StatementState.PENDING: _("You cannot vote on this statement: it is still waiting for moderation."),
                StatementState.META: _(
                    "You cannot vote on this statement: it is a remark about the process, not a view to vote on."
                ),
            }[state]
            raise Conflict(why, code="not_votable")
    participant = participant_for(response, user, create=True, cached=facts.participant)
    vote_record(response=response, participant=participant, statement_id=statement_id, value=value)
    return Vote(response_id=response.pk, participant=participant, statement_id=statement_id, value=value)


# The vote, or nothing when this participant already voted on the statement (portable: PostgreSQL
# and SQLite >= 3.35 both have ON CONFLICT ... RETURNING).
_VOTE_INSERT = (
    "INSERT INTO deliberation_vote (response_id, participant_id, statement_id, value, updated_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (response_id, participant_id, statement_id) DO NOTHING RETURNING id"
)


# Its voice-ledger row (a `Contribution`; no signal listens to its saves), in plain SQL for the
# same reason as the vote: the ORM's INSERT cost more CPU to build than the vote's own.
_LEDGER_INSERT = (
    "INSERT INTO communities_contribution (community_id, user_id, kind, context, occurred_at) "
    "VALUES (%s, %s, %s, %s, %s)"
)

# On PostgreSQL both in one statement, atomic on its own: the ledger row is inserted only when the
# vote was (a data-modifying WITH runs once and to completion). Four round trips (BEGIN, two
# INSERTs, COMMIT) become one; SQLite has no INSERT inside WITH and takes the two in a transaction.
_VOTE_AND_LEDGER_INSERT = (
    "WITH vote AS (INSERT INTO deliberation_vote (response_id, participant_id, statement_id, value, updated_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (response_id, participant_id, statement_id) DO NOTHING RETURNING id), "
    "ledger AS (INSERT INTO communities_contribution (community_id, user_id, kind, context, occurred_at) "
    "SELECT %s, %s, %s, %s, %s FROM vote) SELECT id FROM vote"
)


def _vote_insert(*, response: JointResponse, participant: Participant, statement_id: int, value: int, now) -> bool:
    """Insert a first vote, with its voice-ledger row unless the response is anonymous; True if
    inserted, False if the participant had voted on this statement already (nothing written)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    vote = [response.pk, participant.pk, statement_id, value, stamp]
    if response.anonymous or participant.user_id is None:  # anonymous: no ledger
        with connection.cursor() as cursor:
            cursor.execute(_VOTE_INSERT, vote)
            return cursor.fetchone() is not None
    ledger = [participant.community_id, participant.user_id, ContributionKind.VOTE.value, response.context, stamp]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_VOTE_AND_LEDGER_INSERT, vote + ledger)
            return cursor.fetchone() is not None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_VOTE_INSERT, vote)
        inserted = cursor.fetchone() is not None
        if inserted:
            cursor.execute(_LEDGER_INSERT, ledger)
        return inserted


def _existing(response: JointResponse, participant: Participant, statement_id: int):
    """The participant's vote on the statement, as a queryset (built only when a vote was there)."""
    return Vote.objects.filter(response_id=response.pk, participant_id=participant.pk, statement_id=statement_id)


def vote_record(*, response: JointResponse, participant: Participant, statement_id: int, value: int) -> bool:
    """Write one vote: insert it, change it, or leave it alone when it is the same. True if it changed.

    The caller (`vote_cast`) has checked that voting is open, the statement is accepted and the
    participant may vote. A first vote is one INSERT ... ON CONFLICT DO NOTHING with the voice
    ledger row of a named participant (`_vote_insert`); a changed vote is one UPDATE. With a map
    worker (production) the statement counters and the map revision are derived data the worker
    refreshes, so a vote touches no shared row, and each of those writes is atomic on its own;
    without one (development, tests) the counters are updated here, in one transaction with the vote.
    """
    now = timezone.now()
    if map_in_worker():
        changed = _vote_insert(
            response=response, participant=participant, statement_id=statement_id, value=value, now=now
        ) or bool(
            _existing(response, participant, statement_id).exclude(value=value).update(value=value, updated_at=now)
        )
        if changed:
            transaction.on_commit(lambda: request_map(response.pk))
        return changed
    with transaction.atomic():
        old = None
        if not _vote_insert(
            response=response, participant=participant, statement_id=statement_id, value=value, now=now
        ):
            # the counters move by the old value: read it under the row lock
            mine = _existing(response, participant, statement_id)
            old = mine.select_for_update().values_list("value", flat=True).get()
            if old == value:
                return False  # the same vote again
            mine.update(value=value, updated_at=now)
        counts = {COUNTER[value]: F(COUNTER[value]) + 1}
        if old is not None:
            counts[COUNTER[old]] = F(COUNTER[old]) - 1
        Statement.objects.filter(pk=statement_id).update(**counts)
        JointResponse.objects.filter(pk=response.pk).update(revision=F("revision") + 1)
        transaction.on_commit(lambda: request_map(response.pk))
    return True
