"""Compute a response's opinion map from its votes (the engine's `analyze`); no writes."""

from __future__ import annotations

import time

import numpy as np
from django.db import connection

from convene.engines.opinion import analyze

from ..models import JointResponse, Participant, Statement, StatementState, Vote


def map_compute(response: JointResponse) -> tuple[int, dict, float]:
    """(revision, map, seconds it took) for the response's votes as of now."""
    revision = JointResponse.objects.values_list("revision", flat=True).get(pk=response.pk)
    statements = list(
        Statement.objects.filter(response_id=response.pk)
        .exclude(state=StatementState.PENDING)
        .values_list("id", "state")
    )
    started = time.perf_counter()
    if not statements:
        return revision, {}, 0.0
    sids = [sid for sid, _ in statements]
    moderated = [sid for sid, state in statements if state != StatementState.ACCEPTED]
    votes = _vote_matrix(response.pk)
    attributes = dict(Participant.objects.filter(response_id=response.pk).values_list("id", "community__slug"))
    result = analyze(votes, statements=sids, moderated_out=moderated, attributes=attributes, seed=0)
    data = result.to_dict(full=True)
    data["opinion"] = result.opinion.to_dict()  # per-group counts of representative statements
    return revision, data, time.perf_counter() - started


def _vote_matrix(response_id: int) -> np.ndarray:
    """All votes as an (n, 3) int array, read with one parameterised query (no model instances)."""
    sql, params = (
        Vote.objects.filter(response_id=response_id)
        .values_list("participant_id", "statement_id", "value")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)
