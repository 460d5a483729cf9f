"""Reads for joint responses: next statement, opinion map (cached by revision), coverage, hooks."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from convene.communities.models import Community, Membership, Visibility
from convene.engines.opinion import priority
from convene.privacy.disclosure import THRESHOLD, exact, group_sizes, people_aggregate

from .models import (
    PHASE_END_FIELD,
    Endorsement,
    JointResponse,
    MapCache,
    MinorityView,
    OpinionRequest,
    ParagraphComment,
    Participant,
    Phase,
    Prediction,
    Stance,
    Statement,
    StatementState,
    Vote,
)
from .permissions import can_read, invited_ids

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


HIDDEN_NOTE = (
    "Hidden: fewer than 5 people — figures about small groups are never shown so that nobody can be singled out."
)
OTHER_COMMUNITIES = "Other communities"


def pseudonym_order(response: JointResponse, ids, *, purpose: str) -> list[int]:
    """Participant ids in a random-but-stable order: by a keyed hash (the response's secret and a
    purpose), so numbers never follow who took part first, and differ between map and export."""

    def key(pid) -> str:
        return hmac.new(response.secret.encode(), f"{purpose}:{int(pid)}".encode(), hashlib.sha256).hexdigest()

    return sorted((int(i) for i in ids), key=key)


def _cell(agree: int, disagree: int, votes: int, *, name: str, protect: bool) -> dict:
    """One statement's figures for one group; hidden (None) when computed from fewer than 5 votes."""
    if protect and votes < THRESHOLD:
        return {"name": name, "votes": None, "agree_pct": None, "disagree_pct": None, "hidden": True}
    return {
        "name": name,
        "votes": votes,
        "agree_pct": _pct(agree, votes),
        "disagree_pct": _pct(disagree, votes),
        "hidden": False,
    }


@people_aggregate
def map_view(response: JointResponse, *, force: bool = False) -> dict:
    """The map in the shape pages, the API and the draft seeding use (statement texts, letters, percentages).

    Only accepted statements appear (rejected ones are for moderation only). In an anonymous
    response, groups of fewer than 5 people (communities or opinion groups) are never described
    alone (``group_sizes``: small-group merging with complementary suppression), per-group cells
    from fewer than 5 votes are hidden, and the points carry no community and are numbered in a
    keyed random order.
    """
    data = map_data(response, force=force)
    anonymous = response.anonymous
    texts = dict(
        Statement.objects.filter(response_id=response.pk, state=StatementState.ACCEPTED).values_list("id", "text")
    )
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

    def stmts(ids):
        return [stmt(int(sid)) for sid in ids if int(sid) in texts]

    opinion_groups = data.get("opinion", {}).get("groups", [])
    described = {g["id"] for g in opinion_groups}
    hidden_groups = None
    if anonymous and opinion_groups:
        merge = group_sizes({g["id"]: g["size"] for g in opinion_groups})
        described = set(merge.shown)
        if merge.merged:
            hidden_groups = {
                "count": len(merge.merged),
                "size": merge.merged_size if merge.merged_shown else None,
                "note": HIDDEN_NOTE,
            }
    group_ids = [g["id"] for g in data.get("groups", []) if g["id"] in described]
    label = {gid: LETTERS[i % 26] for i, gid in enumerate(group_ids)}
    participants = data.get("participants", [])
    if anonymous:
        order = {
            pid: i for i, pid in enumerate(pseudonym_order(response, [p["id"] for p in participants], purpose="map"))
        }
        participants = sorted(participants, key=lambda p: order[int(p["id"])])
        community_of = {}
    else:
        community_of = dict(Participant.objects.filter(response_id=response.pk).values_list("id", "community__slug"))
    points = _scale(participants, label, community_of, names)

    def rep(r):
        entry = stmt(r["statement"], direction=r["direction"])
        entry["group_pct"] = _pct(r.get("n_success", 0), r.get("n_trials", 0))
        return entry

    def reps(rows):
        return [
            rep(r)
            for r in rows
            if int(r["statement"]) in texts and not (anonymous and r.get("n_trials", 0) < THRESHOLD)
        ]

    groups = [
        {"id": g["id"], "label": label[g["id"]], "size": g["size"], "representative": reps(g["representative"])}
        for g in opinion_groups
        if g["id"] in label
    ]
    communities = _by_community(data.get("by_attribute") or {}, texts, names, anonymous, stmts, reps)
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
        "anonymous": anonymous,
        "n_participants": len(participants),
        "n_votes": sum(c.get("agree", 0) + c.get("disagree", 0) + c.get("pass", 0) for c in counts.values()),
        "k": data.get("k", 0),
        "points": points,
        "groups": groups,
        "hidden_groups": hidden_groups,
        "consensus_agree": stmts(data.get("consensus", {}).get("agree", [])),
        "consensus_disagree": stmts(data.get("consensus", {}).get("disagree", [])),
        "common_ground": stmts(data.get("common_ground", [])),
        "divisive": stmts(data.get("divisive", {}).get("spread", [])),
        "divisive_extremity": stmts(data.get("divisive", {}).get("extremity", [])),
        "communities": communities,
        "statements": [stmt(int(sid)) for sid in counts if int(sid) in texts and not counts[sid]["moderated_out"]],
        "minority": minority,
    }


def _by_community(by_attr: dict, texts: dict, names: dict, anonymous: bool, stmts, reps) -> dict:
    """The "Across the communities" part of the map: per-community groups, columns and rows.

    Non-anonymous: every community as the engine sees it. Anonymous: communities of fewer than
    5 participants are merged into one unnamed column (shown only if it reaches 5; complementary
    suppression via ``group_sizes``), a cell from fewer than 5 votes is hidden, and when a row has
    one hidden cell the next-smallest is hidden too, so the overall counts cannot give it back.
    """
    engine_groups = by_attr.get("groups", [])
    sizes = {g["id"]: g["size"] for g in engine_groups}
    if anonymous and sizes:
        merge = group_sizes(sizes)
        shown, merged = list(merge.shown), list(merge.merged) if merge.merged_shown else []
    else:
        merge, shown, merged = None, list(sizes), []
    columns = [{"slug": slug, "name": names.get(slug, slug), "size": sizes[slug]} for slug in shown]
    if merged:
        columns.append({"slug": None, "name": OTHER_COMMUNITIES, "size": sum(sizes[m] for m in merged)})
    described = [
        {
            "slug": g["id"],
            "name": names.get(g["id"], g["id"]),
            "size": g["size"],
            "representative": reps(g["representative"]),
        }
        for g in engine_groups
        if g["id"] in shown
    ]
    rows = []
    for s in by_attr.get("statements", []):
        if s["id"] not in texts:
            continue
        by_group = s["by_group"]
        cells = [
            _cell(v["agree"], v["disagree"], v["votes"], name=names.get(slug, slug), protect=anonymous)
            for slug, v in ((slug, by_group.get(slug, {"agree": 0, "disagree": 0, "votes": 0})) for slug in shown)
        ]
        if merged:
            total = {k: sum(by_group.get(m, {}).get(k, 0) for m in merged) for k in ("agree", "disagree", "votes")}
            cells.append(_cell(total["agree"], total["disagree"], total["votes"], name=OTHER_COMMUNITIES, protect=True))
        if anonymous and sum(c["hidden"] for c in cells) == 1 and len(cells) > 1:
            smallest = min((c for c in cells if not c["hidden"]), key=lambda c: c["votes"])
            cells[cells.index(smallest)] = _cell(0, 0, 0, name=smallest["name"], protect=True)
        pcts = [c["agree_pct"] for c in cells if not c["hidden"]]
        spread = round(100 * s.get("spread", 0))
        if anonymous:  # from the shown cells only
            spread = (max(pcts) - min(pcts)) if len(pcts) > 1 else None
        rows.append({"id": s["id"], "text": texts[s["id"]], "spread": spread, "by": cells})
    if anonymous and merge is not None:
        complete = [r for r in rows if r["by"] and not any(c["hidden"] for c in r["by"])]
        common = sorted(
            (r for r in complete if all(c["agree_pct"] > 50 for c in r["by"])),
            key=lambda r: -min(c["agree_pct"] for c in r["by"]),
        )
        split = sorted((r for r in rows if r["spread"] is not None), key=lambda r: -r["spread"])
        common_ground = stmts([r["id"] for r in common[:10]]) if len(columns) > 1 else []
        divisive = stmts([r["id"] for r in split[:10] if r["spread"] > 0]) if len(columns) > 1 else []
    else:
        common_ground = stmts(by_attr.get("common_ground", []))
        divisive = stmts(by_attr.get("divisive", []))
    return {
        "groups": described,
        "columns": columns,
        "common_ground": common_ground,
        "divisive": divisive,
        "rows": rows,
        "note": HIDDEN_NOTE if anonymous and (merge is not None and merge.merged) else "",
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
                "community": names.get(slug, slug) if slug else "",
            }
        )
    return out


def _invited(response: JointResponse) -> list[int]:
    return invited_ids(response)


# --------------------------------------------------------------------------- coverage, endorsement, perception


@people_aggregate
def coverage(response: JointResponse, *, with_names: bool) -> list[dict]:
    """Per invited community: invited members, how many voted / wrote, and (coordinators) who is not heard.

    Invited counts are memberships (not private): exact. In an anonymous response the voted and
    wrote counts go through ``group_sizes``: a community with fewer than 5 who voted (or wrote) is
    hidden (None, with ``note``), and the hidden ones are given together in one unnamed row only
    when they reach 5.
    """
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
    invited = list(Community.objects.filter(pk__in=_invited(response)).order_by("name"))
    merges = {}
    if response.anonymous:
        merges = {
            name: group_sizes({c.pk: counts.get(c.pk, 0) for c in invited})
            for name, counts in (("voted", voted), ("wrote", wrote))
        }
    for community in invited:
        members = Membership.objects.filter(community=community, role__in=TAKING_PART).select_related("user__profile")
        row = {
            "community": community,
            "invited": members.count(),
            "voted": voted.get(community.pk, 0),
            "wrote": wrote.get(community.pk, 0),
            "not_heard": None,
            "note": "",
        }
        for name, merge in merges.items():
            if not merge.is_shown(community.pk):
                row[name] = None
                row["note"] = HIDDEN_NOTE
        row["voted_pct"] = None if row["voted"] is None else _pct(row["voted"], row["invited"])
        if with_names and not response.anonymous:
            row["not_heard"] = sorted(m.user.display_name for m in members if m.user_id not in heard_users)
        rows.append(row)
    if merges and any(m.merged for m in merges.values()):
        other = {
            "community": None,
            "label": OTHER_COMMUNITIES,
            "invited": 0,
            "voted": merges["voted"].merged_size if merges["voted"].merged_shown else None,
            "wrote": merges["wrote"].merged_size if merges["wrote"].merged_shown else None,
            "not_heard": None,
            "note": HIDDEN_NOTE,
        }
        # The row adds up exactly the communities hidden in both columns, or it would describe fewer than 5.
        if set(merges["voted"].merged) != set(merges["wrote"].merged):
            other["voted"] = other["wrote"] = None
        other["invited"] = sum(r["invited"] for r in rows if r["community"].pk in merges["voted"].merged)
        other["voted_pct"] = None if other["voted"] is None else _pct(other["voted"], other["invited"])
        if other["voted"] is not None or other["wrote"] is not None:
            rows.append(other)
    return rows


def _anonymous_rows(response: JointResponse, rows: dict, names: dict):
    """Endorsement rows of an anonymous response: communities under 5 positions merged (group_sizes)."""
    merge = group_sizes({cid: row["total"] for cid, row in rows.items()})
    out = []
    for cid, row in rows.items():
        if merge.is_shown(cid):
            out.append({**row, "hidden": False, "note": ""})
        else:
            out.append(
                {"community": row["community"], **{s: None for s in Stance.values}, "total": None, "hidden": True}
                | {"note": HIDDEN_NOTE}
            )
    if merge.merged and merge.merged_shown:
        merged = {s: sum(rows[c][s] for c in merge.merged) for s in [*Stance.values, "total"]}
        out.append({"community": OTHER_COMMUNITIES, **merged, "hidden": False, "note": HIDDEN_NOTE})
    return out, merge


@people_aggregate
def endorsement_summary(response: JointResponse) -> dict:
    """Positions by community, totals and the reasons given (by community; by name only when not anonymous).

    Anonymous: communities with fewer than 5 positions are not described alone (``group_sizes``),
    their reasons are attributed to "Other communities", and totals under 5 are hidden.
    """
    rows = {}
    names = dict(Community.objects.filter(pk__in=_invited(response)).values_list("id", "name"))
    for cid, name in names.items():
        rows[cid] = {"community": name, **{s: 0 for s in Stance.values}, "total": 0}
    found = []
    for e in (
        Endorsement.objects.filter(response=response)
        .select_related("participant__user__profile")
        .order_by("updated_at")
    ):
        row = rows.get(e.participant.community_id)
        if row is not None:
            row[e.stance] += 1
            row["total"] += 1
        found.append(e)
    totals = {s: sum(r[s] for r in rows.values()) for s in Stance.values}
    totals["total"] = sum(totals.values())
    support = totals[Stance.ENDORSE] + totals[Stance.RESERVATIONS]
    support_pct = _pct(support, totals["total"] - totals[Stance.ABSTAIN])
    shown_community = set(names)
    by_community = [{**r, "hidden": False, "note": ""} for r in rows.values()]
    note = ""
    if response.anonymous:
        by_community, merge = _anonymous_rows(response, rows, names)
        shown_community = set(merge.shown)
        if exact(totals["total"]).hidden:
            totals = {k: None for k in totals}
            support_pct = None
        if merge.merged:
            note = HIDDEN_NOTE
    reasons = []
    for e in found:
        if e.stance in (Stance.OBJECT, Stance.RESERVATIONS) and e.reason:
            who = None
            if not response.anonymous and e.participant.user is not None:
                who = e.participant.user.display_name
            cid = e.participant.community_id
            reasons.append(
                {
                    "stance": e.get_stance_display(),
                    "objection": e.stance == Stance.OBJECT,
                    "reason": e.reason,
                    "community": names.get(cid, "") if cid in shown_community else OTHER_COMMUNITIES,
                    "by": who,
                }
            )
    return {
        "by_community": by_community,
        "totals": totals,
        "support_pct": support_pct,
        "reasons": reasons,
        "objections": totals[Stance.OBJECT],
        "note": note,
    }


def perception_open(response: JointResponse) -> bool:
    """Guesses can still be made (gathering or drafting): results only for what one has guessed."""
    return response.state in (Phase.DRAFT, Phase.GATHERING, Phase.DRAFTING)


def perception_statements_for(response: JointResponse, user) -> set[int] | None:
    """The key statements whose perception results `user` may read: all (None) once guesses are
    closed; while they are open, only those the viewer has guessed on themself."""
    if not perception_open(response):
        return None
    if not getattr(user, "is_authenticated", False):
        return set()
    participant = Participant.objects.filter(response=response, user_key=response.user_key(user.pk)).first()
    if participant is None:
        return set()
    return set(Prediction.objects.filter(participant=participant).values_list("statement_id", flat=True))


@people_aggregate
def perception_report(response: JointResponse, *, statements: set[int] | None = None) -> list[dict]:
    """Predicted and actual agreement per key statement and pair of communities.

    ``statements`` limits the report (see ``perception_statements_for``). Anonymous: per statement,
    the communities whose guesses, or whose votes, come from fewer than 5 people are not described
    (``group_sizes`` over the guessers and over the voters, so the overall counts on the map cannot
    give a hidden community's votes back).
    """
    from convene.engines.perception import Prediction as P
    from convene.engines.perception import perception_gap

    key_ids = list(Statement.objects.filter(response=response, is_key=True).values_list("id", flat=True))
    if statements is not None:
        key_ids = [k for k in key_ids if k in statements]
    if not key_ids:
        return []
    rows = list(
        Prediction.objects.filter(response=response, statement_id__in=key_ids).values_list(
            "participant__community_id", "target_id", "statement_id", "share", "participant_id"
        )
    )
    preds = [
        P(predictor_community=c, target_community=t, statement=s, predicted_share=share) for c, t, s, share, _ in rows
    ]
    actual = {}
    for row in (
        Vote.objects.filter(response=response, statement_id__in=key_ids)
        .values("participant__community_id", "statement_id")
        .annotate(agrees=Count("id", filter=Q(value=1)), votes=Count("id"))
    ):
        actual[(row["participant__community_id"], row["statement_id"])] = (row["agrees"], row["votes"])
    guessers: dict[int, dict[int, set]] = {}
    for c, _, s, _, pid in rows:
        guessers.setdefault(s, {}).setdefault(c, set()).add(pid)
    names = dict(Community.objects.filter(pk__in=_invited(response)).values_list("id", "name"))
    texts = dict(Statement.objects.filter(pk__in=key_ids).values_list("id", "text"))
    shown_guessers: dict[int, set] = {}
    shown_voters: dict[int, set] = {}
    if response.anonymous:
        for sid in key_ids:
            shown_guessers[sid] = set(group_sizes({c: len(p) for c, p in guessers.get(sid, {}).items()}).shown)
            voters = {cid: actual.get((cid, sid), (0, 0))[1] for cid in names}
            shown_voters[sid] = set(group_sizes(voters).shown)
    out = []
    for r in perception_gap(preds, actual):
        row = {
            "statement": texts.get(r.statement, ""),
            "statement_id": r.statement,
            "predictor": names.get(r.predictor_community, ""),
            "target": names.get(r.target_community, ""),
            "predicted_pct": round(100 * r.predicted_mean),
            "actual_pct": None if r.actual_share is None else round(100 * r.actual_share),
            "gap": None if r.gap is None else round(100 * r.gap),
            "n_predictions": r.n_predictions,
            "actual_votes": r.actual_votes,
            "note": "",
        }
        if response.anonymous:
            if r.predictor_community not in shown_guessers.get(r.statement, set()):
                continue  # a community with fewer than 5 guessers is not described
            if r.target_community not in shown_voters.get(r.statement, set()):
                row.update(actual_pct=None, gap=None, actual_votes=None, note=HIDDEN_NOTE)
        out.append(row)
    return sorted(out, key=lambda r: (r["statement_id"], r["predictor"]))


def community_choices(user, response: JointResponse):
    """Communities a coordinator may invite to a response: public ones and those they belong to.

    A private community's name is never offered to someone who is not in it."""
    mine = Membership.objects.filter(user=user).values("community_id") if user.is_authenticated else []
    return (
        Community.objects.exclude(pk=response.community_id)
        .filter(Q(visibility=Visibility.PUBLIC) | Q(pk__in=mine))
        .order_by("name")
    )


def unseen_invited(user, response: JointResponse) -> list[Community]:
    """Invited communities `user` is not offered (private, not theirs): kept as they are on save."""
    offered = set(community_choices(user, response).values_list("pk", flat=True))
    return list(
        Community.objects.filter(pk__in=invited_ids(response)).exclude(pk=response.community_id).exclude(pk__in=offered)
    )


def responses_for(user, community: Community) -> list[JointResponse]:
    """The community's responses that `user` may read (guests: see `permissions.can_read`)."""
    rows = JointResponse.objects.filter(communities=community).select_related("community").order_by("-created_at")
    return [r for r in rows if can_read(user, r)]


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


# --------------------------------------------------------------------------- lookups the page and the API share


def statement_in(response: JointResponse, statement_id) -> Statement:
    """The statement `statement_id` of `response`, or 404."""
    statement = Statement.objects.filter(response=response, pk=statement_id).select_related("response").first()
    if statement is None:
        raise Http404("No such statement.")
    return statement


def minority_view_in(response: JointResponse, view_id) -> MinorityView:
    """The minority view `view_id` recorded on `response`, or 404."""
    view = MinorityView.objects.filter(response=response, pk=view_id).select_related("response").first()
    if view is None:
        raise Http404("No such minority view.")
    return view


def paragraph_comments(response: JointResponse) -> QuerySet[ParagraphComment]:
    """The comments on the draft's paragraphs, with who wrote them."""
    return ParagraphComment.objects.filter(response=response).select_related("participant__user__profile")
