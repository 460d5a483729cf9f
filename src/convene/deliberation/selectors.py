"""Reads for joint responses: next statement, opinion map (cached by revision), coverage, hooks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse

from convene.communities.models import Community, Membership
from convene.engines.opinion import priority

from .models import (
    PHASE_END_FIELD,
    Endorsement,
    JointResponse,
    MapCache,
    OpinionRequest,
    Participant,
    Phase,
    Prediction,
    Stance,
    Statement,
    StatementState,
    Vote,
)

TAKING_PART = ("member", "coordinator")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --------------------------------------------------------------------------- voting

# The next statement: drawn in proportion to the engine's priority among the accepted statements
# the participant has not voted on. The priorities (from the statement counters and extremities
# the map worker stores) are the response's *pool*, computed once per map revision and kept in
# Django's cache, shared by every process. Per request the only other reads are the
# participant's own voted statement ids (one index range) and the chosen statement's text.
POOL_SECONDS = 5  # extremities are stored just after the revision moves: rebuild now and then
_POOL_KEY = "deliberation:pool:{}:{}:{}"


@dataclass(frozen=True)
class Pool:
    """A response's accepted statements (`ids`) and their cumulative priority, as of one map revision."""

    ids: np.ndarray
    cumulative: np.ndarray


def statement_pool(response: JointResponse) -> Pool:
    """The response's pool as of its revision: from the cache, else read (one query) and cached."""
    key = _POOL_KEY.format(response.pk, response.secret[:12], response.revision)
    pool = cache.get(key)
    if pool is None:
        rows = list(
            Statement.objects.filter(response_id=response.pk, state=StatementState.ACCEPTED).values_list(
                "id", "n_agree", "n_disagree", "n_pass", "extremity"
            )
        )
        pool = Pool(*_priorities(rows))
        cache.set(key, pool, timeout=POOL_SECONDS)
    return pool


def _priorities(rows) -> tuple[np.ndarray, np.ndarray]:
    """(ids, cumulative engine priority) of (id, n_agree, n_disagree, n_pass, extremity) rows."""
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 5)
    weights = priority(arr[:, 1], arr[:, 3], arr[:, 1] + arr[:, 2] + arr[:, 3], arr[:, 4])
    return arr[:, 0].astype(np.int64), np.cumsum(weights)


def _draw(cumulative: np.ndarray, rng, n: int) -> np.ndarray:
    """n positions drawn with replacement in proportion to the priorities."""
    drawn = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return drawn.clip(max=len(cumulative) - 1)


_local = threading.local()


def rng_for(rng) -> np.random.Generator:
    """The caller's generator or seed; else one per thread (seeding a new one costs more than the draw)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        return np.random.default_rng(rng)
    if not hasattr(_local, "rng"):
        _local.rng = np.random.default_rng()
    return _local.rng


def next_statement(response: JointResponse, participant: Participant | None, rng=None) -> tuple[Statement | None, int]:
    """The next statement for this participant (None when nothing is left) and how many remain.

    The one next-statement algorithm: the vote page, its htmx fragment, the API's vote and
    next routes and the home page all call it. Reads the pool (cache), at most one aggregate of
    the participant's votes, and the chosen statement's text.
    """
    pool = statement_pool(response)
    if not len(pool.ids):
        return None, 0
    rng = rng_for(rng)
    weights = pool.cumulative
    left = np.ones(len(pool.ids), dtype=bool)
    if participant is not None:
        voted = Vote.objects.filter(response_id=response.pk, participant_id=participant.pk)
        left = ~np.isin(pool.ids, np.fromiter(voted.values_list("statement_id", flat=True), dtype=np.int64))
        if not left.any():
            return None, 0
        weights = np.cumsum(np.diff(pool.cumulative, prepend=0.0)[left])
    position = 0 if weights[-1] <= 0 else int(_draw(weights, rng, 1)[0])
    return _statement_by_id(int(pool.ids[left][position])), int(left.sum())


def _statement_by_id(statement_id: int) -> Statement:
    return Statement.objects.only("id", "response_id", "text").get(pk=statement_id)


def my_votes(response: JointResponse, participant: Participant | None) -> list[tuple[Statement, int]]:
    if participant is None:
        return []
    votes = Vote.objects.filter(participant=participant).select_related("statement").order_by("-updated_at")
    return [(v.statement, v.value) for v in votes]


# --------------------------------------------------------------------------- opinion map


def _compute(response: JointResponse) -> tuple[int, dict, float]:
    from convene.engines.opinion import analyze

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
    from django.db import connection

    sql, params = (
        Vote.objects.filter(response_id=response_id)
        .values_list("participant_id", "statement_id", "value")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def map_data(response: JointResponse, *, force: bool = False, fresh: bool = False) -> dict:
    """The engine's map for the current revision: from the DB cache, or recomputed and stored.

    When a worker keeps maps current (CONVENE_MAP_IN_WORKER), readers get the latest stored map
    even if a few votes newer exist, and only the worker (`fresh=True`) computes.
    """
    from .services import map_store
    from .tasks import map_in_worker, request_map

    current = JointResponse.objects.values_list("revision", flat=True).get(pk=response.pk)
    # The worker only needs the stored revision; decoding the stored map is most of a read's cost.
    stored = MapCache.objects.filter(response_id=response.pk)
    cache = (stored.only("response_id", "revision") if fresh else stored).first()
    if cache is not None and cache.revision == current and not force:
        return cache.data
    if cache is not None and map_in_worker() and not (force or fresh):
        request_map(response.pk)
        return cache.data
    revision, data, seconds = _compute(response)
    map_store(response=response, revision=revision, data=data, seconds=seconds)
    return data


def _pct(agree: int, votes: int) -> int:
    return round(100 * agree / votes) if votes else 0


def map_view(response: JointResponse, *, force: bool = False) -> dict:
    """The map in the shape pages, the API and the draft seeding use (statement texts, letters, percentages)."""
    data = map_data(response, force=force)
    texts = dict(Statement.objects.filter(response_id=response.pk).values_list("id", "text"))
    counts = data.get("statement_counts", {})
    names = dict(Community.objects.filter(pk__in=_invited(response)).values_list("slug", "name"))

    def stmt(sid, **extra):
        c = counts.get(str(sid), {})
        votes = c.get("agree", 0) + c.get("disagree", 0) + c.get("pass", 0)
        return {
            "id": sid,
            "text": texts.get(sid, ""),
            "agree": c.get("agree", 0),
            "disagree": c.get("disagree", 0),
            "pass": c.get("pass", 0),
            "votes": votes,
            "agree_pct": _pct(c.get("agree", 0), votes),
            "disagree_pct": _pct(c.get("disagree", 0), votes),
            **extra,
        }

    group_ids = [g["id"] for g in data.get("groups", [])]
    label = {gid: LETTERS[i % 26] for i, gid in enumerate(group_ids)}
    participants = data.get("participants", [])
    community_of = dict(Participant.objects.filter(response_id=response.pk).values_list("id", "community__slug"))
    points = _scale(participants, label, community_of, names)

    def rep(r):
        entry = stmt(r["statement"], direction=r["direction"])
        entry["group_pct"] = _pct(r.get("n_success", 0), r.get("n_trials", 0))
        return entry

    groups = [
        {
            "id": g["id"],
            "label": label[g["id"]],
            "size": g["size"],
            "representative": [rep(r) for r in g["representative"]],
        }
        for g in data.get("opinion", {}).get("groups", [])
    ]
    by_attr = data.get("by_attribute") or {}
    community_rows = []
    for s in by_attr.get("statements", []):
        if s["id"] not in texts:
            continue
        community_rows.append(
            {
                "id": s["id"],
                "text": texts[s["id"]],
                "spread": round(100 * s.get("spread", 0)),
                "by": [
                    {
                        "slug": slug,
                        "name": names.get(slug, slug),
                        "votes": v["votes"],
                        "agree_pct": _pct(v["agree"], v["votes"]),
                        "disagree_pct": _pct(v["disagree"], v["votes"]),
                    }
                    for slug, v in s["by_group"].items()
                ],
            }
        )
    minority = []
    if len(groups) > 1:
        largest = max(groups, key=lambda g: g["size"])
        for g in groups:
            if g is largest:
                continue
            for r in g["representative"]:
                if r["direction"] == "agree" and r["agree_pct"] < 50:
                    minority.append(
                        {"id": r["id"], "text": r["text"], "held_by": f"Group {g['label']} ({g['size']} people)"}
                    )
    return {
        "empty": not data or not participants,
        "n_participants": len(participants),
        "n_votes": sum(c.get("agree", 0) + c.get("disagree", 0) + c.get("pass", 0) for c in counts.values()),
        "k": data.get("k", 0),
        "points": points,
        "groups": groups,
        "consensus_agree": [stmt(s) for s in data.get("consensus", {}).get("agree", [])],
        "consensus_disagree": [stmt(s) for s in data.get("consensus", {}).get("disagree", [])],
        "common_ground": [stmt(s) for s in data.get("common_ground", [])],
        "divisive": [stmt(s) for s in data.get("divisive", {}).get("spread", [])],
        "divisive_extremity": [stmt(s) for s in data.get("divisive", {}).get("extremity", [])],
        "communities": {
            "groups": [
                {
                    "slug": g["id"],
                    "name": names.get(g["id"], g["id"]),
                    "size": g["size"],
                    "representative": [rep(r) for r in g["representative"]],
                }
                for g in by_attr.get("groups", [])
            ],
            "common_ground": [stmt(s) for s in by_attr.get("common_ground", [])],
            "divisive": [stmt(s) for s in by_attr.get("divisive", [])],
            "rows": community_rows,
        },
        "statements": [stmt(int(sid)) for sid in counts if int(sid) in texts and not counts[sid]["moderated_out"]],
        "minority": minority,
    }


def _scale(participants, label, community_of, names) -> list[dict]:
    if not participants:
        return []
    xs = np.array([p["x"] for p in participants])
    ys = np.array([p["y"] for p in participants])

    def scale(v, lo, hi):
        span = float(v.max() - v.min()) or 1.0
        return lo + (v - v.min()) / span * (hi - lo)

    sx, sy = scale(xs, 20, 380), scale(ys, 280, 20)
    out = []
    for i, p in enumerate(participants):
        slug = community_of.get(p["id"], "")
        out.append(
            {
                "n": i + 1,
                "x": round(float(sx[i]), 1),
                "y": round(float(sy[i]), 1),
                "raw_x": round(p["x"], 3),
                "raw_y": round(p["y"], 3),
                "group": label.get(p["group"], "") if p["group"] is not None else "",
                "community": names.get(slug, slug),
            }
        )
    return out


def _invited(response: JointResponse) -> list[int]:
    from .permissions import invited_ids

    return invited_ids(response)


# --------------------------------------------------------------------------- coverage, endorsement, perception


def coverage(response: JointResponse, *, with_names: bool) -> list[dict]:
    """Per invited community: invited members, how many voted / wrote, and (coordinators) who is not heard."""
    rows = []
    active = Participant.objects.filter(response=response)
    voted = dict(
        active.filter(votes__isnull=False)
        .values("community_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("community_id", "n")
    )
    wrote = dict(
        active.filter(statements__isnull=False)
        .values("community_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("community_id", "n")
    )
    heard_users = set()
    if with_names and not response.anonymous:
        heard_users = set(
            active.filter(Q(votes__isnull=False) | Q(statements__isnull=False), user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    for community in Community.objects.filter(pk__in=_invited(response)).order_by("name"):
        members = Membership.objects.filter(community=community, role__in=TAKING_PART).select_related("user__profile")
        row = {
            "community": community,
            "invited": members.count(),
            "voted": voted.get(community.pk, 0),
            "wrote": wrote.get(community.pk, 0),
            "not_heard": None,
        }
        row["voted_pct"] = _pct(row["voted"], row["invited"])
        if with_names and not response.anonymous:
            row["not_heard"] = sorted(m.user.display_name for m in members if m.user_id not in heard_users)
        rows.append(row)
    return rows


def endorsement_summary(response: JointResponse) -> dict:
    rows = {}
    names = dict(Community.objects.filter(pk__in=_invited(response)).values_list("id", "name"))
    for cid, name in names.items():
        rows[cid] = {"community": name, **{s: 0 for s in Stance.values}, "total": 0}
    reasons = []
    for e in (
        Endorsement.objects.filter(response=response)
        .select_related("participant__user__profile")
        .order_by("updated_at")
    ):
        row = rows.get(e.participant.community_id)
        if row is not None:
            row[e.stance] += 1
            row["total"] += 1
        if e.stance in (Stance.OBJECT, Stance.RESERVATIONS) and e.reason:
            who = None
            if not response.anonymous and e.participant.user is not None:
                who = e.participant.user.display_name
            reasons.append(
                {
                    "stance": e.get_stance_display(),
                    "objection": e.stance == Stance.OBJECT,
                    "reason": e.reason,
                    "community": names.get(e.participant.community_id, ""),
                    "by": who,
                }
            )
    totals = {s: sum(r[s] for r in rows.values()) for s in Stance.values}
    totals["total"] = sum(totals.values())
    support = totals[Stance.ENDORSE] + totals[Stance.RESERVATIONS]
    return {
        "by_community": list(rows.values()),
        "totals": totals,
        "support_pct": _pct(support, totals["total"] - totals[Stance.ABSTAIN]),
        "reasons": reasons,
        "objections": totals[Stance.OBJECT],
    }


def perception_report(response: JointResponse) -> list[dict]:
    from convene.engines.perception import Prediction as P
    from convene.engines.perception import perception_gap

    key_ids = list(Statement.objects.filter(response=response, is_key=True).values_list("id", flat=True))
    if not key_ids:
        return []
    preds = [
        P(predictor_community=c, target_community=t, statement=s, predicted_share=share)
        for c, t, s, share in Prediction.objects.filter(response=response, statement_id__in=key_ids).values_list(
            "participant__community_id", "target_id", "statement_id", "share"
        )
    ]
    actual = {}
    for row in (
        Vote.objects.filter(response=response, statement_id__in=key_ids)
        .values("participant__community_id", "statement_id")
        .annotate(agrees=Count("id", filter=Q(value=1)), votes=Count("id"))
    ):
        actual[(row["participant__community_id"], row["statement_id"])] = (row["agrees"], row["votes"])
    names = dict(Community.objects.filter(pk__in=_invited(response)).values_list("id", "name"))
    texts = dict(Statement.objects.filter(pk__in=key_ids).values_list("id", "text"))
    out = []
    for r in perception_gap(preds, actual):
        out.append(
            {
                "statement": texts.get(r.statement, ""),
                "statement_id": r.statement,
                "predictor": names.get(r.predictor_community, ""),
                "target": names.get(r.target_community, ""),
                "predicted_pct": round(100 * r.predicted_mean),
                "actual_pct": None if r.actual_share is None else round(100 * r.actual_share),
                "gap": None if r.gap is None else round(100 * r.gap),
                "n_predictions": r.n_predictions,
                "actual_votes": r.actual_votes,
            }
        )
    return sorted(out, key=lambda r: (r["statement_id"], r["predictor"]))


def responses_for(user, community: Community):
    return JointResponse.objects.filter(communities=community).select_related("community").order_by("-created_at")


# --------------------------------------------------------------------------- hooks (convene.core.hooks)


def _my_responses(user, states):
    if not getattr(user, "is_authenticated", False):
        return JointResponse.objects.none()
    mine = Membership.objects.filter(user=user, role__in=TAKING_PART).values("community_id")
    return (
        JointResponse.objects.filter(state__in=states, communities__in=mine)
        .distinct()
        .select_related("community")
        .order_by("-created_at")
    )


def home_items(user) -> list:
    from convene.core.home import HomeItem

    items = []
    for response in _my_responses(user, [Phase.GATHERING, Phase.ENDORSEMENT])[:20]:
        participant = Participant.objects.filter(response=response, user_key=response.user_key(user.pk)).first()
        url = reverse("deliberation:detail", args=[response.pk])
        if response.state == Phase.GATHERING:
            _, remaining = next_statement(response, participant, rng=0)
            if remaining:
                items.append(
                    HomeItem(
                        title=f"{remaining} statement{'s' if remaining != 1 else ''} to vote on: {response.title}",
                        url=reverse("deliberation:vote", args=[response.pk]),
                        kind="Vote",
                        when=response.gathering_ends,
                    )
                )
        elif not (participant and Endorsement.objects.filter(participant=participant).exists()):
            items.append(
                HomeItem(
                    title=f"Endorse or object: {response.title}",
                    url=url,
                    kind="Endorse",
                    when=response.endorsement_ends,
                )
            )
    if getattr(user, "is_authenticated", False):
        coordinated = Membership.objects.filter(user=user, role="coordinator").values("community_id")
        for row in (
            OpinionRequest.objects.filter(community_id__in=coordinated, status="pending")
            .values("community__slug", "community__name")
            .annotate(n=Count("id"))
        ):
            items.append(
                HomeItem(
                    title=f"{row['n']} request{'s' if row['n'] != 1 else ''} for opinion to {row['community__name']}",
                    url=reverse("deliberation:requests", args=[row["community__slug"]]),
                    kind="Request for opinion",
                )
            )
    return items


def upcoming(user) -> list:
    from convene.core.home import HomeItem

    items = []
    open_phases = list(PHASE_END_FIELD)
    for response in _my_responses(user, open_phases)[:20]:
        ends = response.phase_ends
        if ends:
            items.append(
                HomeItem(
                    title=f"{response.get_state_display()} ends: {response.title}",
                    url=reverse("deliberation:detail", args=[response.pk]),
                    kind="Joint response",
                    when=ends,
                )
            )
    return items


def community_links(user, community) -> list:
    from convene.communities.permissions import Need, can

    if can(user, community, Need.GUEST) or community.is_public:
        return [("Joint responses", reverse("deliberation:list", args=[community.slug]))]
    return []


def context_info(context: str) -> dict | None:
    if not isinstance(context, str) or not context.startswith("response:"):
        return None
    try:
        pk = int(context.split(":", 1)[1])
    except ValueError:
        return None
    response = JointResponse.objects.filter(pk=pk).first()
    if response is None:
        return None
    ids = _invited(response)
    invited = sorted(
        set(Membership.objects.filter(community_id__in=ids, role__in=TAKING_PART).values_list("user_id", flat=True))
    )
    groups: dict[str, list[int]] = {}
    if not response.anonymous:
        cache = MapCache.objects.filter(response=response).first()
        if cache and cache.data.get("participants"):
            users = dict(Participant.objects.filter(response=response, user__isnull=False).values_list("id", "user_id"))
            order = [g["id"] for g in cache.data.get("groups", [])]
            for p in cache.data["participants"]:
                if p["group"] is not None and p["id"] in users:
                    groups.setdefault(f"Group {LETTERS[order.index(p['group']) % 26]}", []).append(users[p["id"]])
    return {
        "title": response.title,
        "url": reverse("deliberation:detail", args=[response.pk]),
        "kind": "response",
        "community_ids": ids,
        "invited_user_ids": invited,
        "anonymous": response.anonymous,
        "groups": groups,
    }


def contexts_for(community) -> list[str]:
    return [
        f"response:{pk}"
        for pk in JointResponse.objects.filter(communities=community)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    ]


def personal_data(user) -> dict:
    """Statements, votes and endorsements in non-anonymous responses (anonymous ones are not linked to you)."""
    parts = Participant.objects.filter(user=user).select_related("response")
    return {
        "joint_responses": [
            {
                "response": p.response.title,
                "statements": list(p.statements.values_list("text", flat=True)),
                "votes": [{"statement": t, "value": v} for t, v in p.votes.values_list("statement__text", "value")],
                "endorsement": p.endorsements.values_list("stance", flat=True).first(),
            }
            for p in parts
        ]
    }
