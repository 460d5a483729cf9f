"""Reports about a response: the opinion map's view, coverage, the endorsement summary, the perception gap.

They read the stored map (`opinion_map.map_read`); bringing it up to date is `services.map_refresh`'s job."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
from django.db.models import Count, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from convene.communities.models import Community, Membership
from convene.engines.opinion_plot import plot_layout, separate_labels
from convene.engines.opinion_stats import SPLIT_GAP, SPLIT_MIN_VOTES, splits
from convene.engines.perception import Prediction as Guess
from convene.engines.perception import perception_gap
from convene.privacy.disclosure import THRESHOLD, exact, group_sizes, people_aggregate

from .. import opinion_map
from ..models import Endorsement, JointResponse, Participant, Phase, Prediction, Stance, Statement, StatementState, Vote
from ..permissions import invited_ids

TAKING_PART = ("member", "coordinator")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _pct(agree: int, votes: int) -> int:
    return round(100 * agree / votes) if votes else 0


HIDDEN_NOTE = gettext_lazy(
    "Hidden: fewer than 5 people — figures about small groups are never shown so that nobody can be singled out."
)


OTHER_COMMUNITIES = gettext_lazy("Other communities")


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
def map_view(response: JointResponse) -> dict:
    """The map in the shape pages, the API and the draft seeding use (statement texts, letters, percentages).

    Only accepted statements appear (rejected ones are for moderation only). In an anonymous
    response, groups of fewer than 5 people (communities or opinion groups) are never described
    alone (``group_sizes``: small-group merging with complementary suppression), per-group cells
    from fewer than 5 votes are hidden, and the points carry no community and are numbered in a
    keyed random order.
    """
    data = opinion_map.map_read(response)
    anonymous = response.anonymous
    texts = dict(
        Statement.objects.filter(response_id=response.pk, state=StatementState.ACCEPTED).values_list("id", "text")
    )
    counts = data.get("statement_counts", {})
    names = dict(Community.objects.filter(pk__in=invited_ids(response)).values_list("slug", "name"))

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
                "note": str(HIDDEN_NOTE),
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
    group_split = _group_splits(data.get("opinion", {}).get("statements", []), label, texts)
    communities = _by_community(data.get("by_attribute") or {}, texts, names, anonymous, stmts, reps)
    minority = minority_candidates(groups, data.get("opinion", {}).get("statements", []), counts)
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
        "divisive": [stmt(sid, **extra) for sid, extra in group_split],
        "plot": _plot(participants, label, {g["label"]: g["size"] for g in groups}, anonymous),
        "split_rule": str(SPLIT_RULE),
        "divisive_extremity": stmts(data.get("divisive", {}).get("extremity", [])),
        "communities": communities,
        "statements": [stmt(int(sid)) for sid in counts if int(sid) in texts and not counts[sid]["moderated_out"]],
        "minority": minority,
    }


MINORITY_MIN_DISAGREE = 2  # one person disagreeing is not yet a disagreement between groups


def minority_candidates(groups: list[dict], by_statement: list[dict], counts: dict) -> list[dict]:
    """Minority views to propose: positions of a smaller opinion group that the others really reject.

    A statement is proposed for a group smaller than the largest when it is one of the group's
    representative agreements, most of the group's votes on it are Agree, and among everyone
    outside the group Disagree is the most common vote (more than Agree and more than Pass) from
    at least `MINORITY_MIN_DISAGREE` people. Passes are never read as disagreement: a statement
    the others merely passed on is not a minority view.
    """
    if len(groups) < 2:
        return []
    largest = max(groups, key=lambda g: g["size"])
    per_group = {str(row["id"]): row.get("by_group", {}) for row in by_statement}
    out = []
    for g in groups:
        if g["size"] >= largest["size"]:
            continue  # two groups of the same size: neither is a minority
        for r in g["representative"]:
            if r["direction"] != "agree":
                continue
            mine = per_group.get(str(r["id"]), {}).get(str(g["id"]))
            whole = counts.get(str(r["id"]), {})
            if not mine or not mine.get("votes"):
                continue
            if 2 * mine["agree"] <= mine["votes"]:
                continue  # not a clear position of the group
            others_agree = whole.get("agree", 0) - mine["agree"]
            others_disagree = whole.get("disagree", 0) - mine["disagree"]
            others_pass = whole.get("pass", 0) - (mine["votes"] - mine["agree"] - mine["disagree"])
            if others_disagree >= MINORITY_MIN_DISAGREE and others_disagree > max(others_agree, others_pass):
                out.append(
                    {
                        "id": r["id"],
                        "text": r["text"],
                        "held_by": _("Group %(letter)s (%(size)s people)") % {"letter": g["label"], "size": g["size"]},
                    }
                )
    return out


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
        columns.append({"slug": None, "name": str(OTHER_COMMUNITIES), "size": sum(sizes[m] for m in merged)})
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
        counts = [by_group.get(slug, {"agree": 0, "disagree": 0, "votes": 0}) for slug in shown]
        if merged:
            keys = ("agree", "disagree", "votes")
            counts.append({k: sum(by_group.get(m, {}).get(k, 0) for m in merged) for k in keys})
        names_of = [names.get(slug, slug) for slug in shown] + ([str(OTHER_COMMUNITIES)] if merged else [])
        cells = [  # the merged column is always protected
            _cell(c["agree"], c["disagree"], c["votes"], name=name, protect=anonymous or i == len(shown))
            for i, (c, name) in enumerate(zip(counts, names_of, strict=True))
        ]
        if anonymous and sum(c["hidden"] for c in cells) == 1 and len(cells) > 1:
            smallest = min((c for c in cells if not c["hidden"]), key=lambda c: c["votes"])
            cells[cells.index(smallest)] = _cell(0, 0, 0, name=smallest["name"], protect=True)
        # Spread and split from the shown cells only (what the reader sees), each of >= 5 votes.
        usable = [i for i, c in enumerate(cells) if not c["hidden"] and c["votes"] >= SPLIT_MIN_VOTES]
        pcts = [cells[i]["agree_pct"] for i in usable]
        spread = (max(pcts) - min(pcts)) if len(pcts) > 1 else None
        split = len(usable) > 1 and bool(
            splits([[counts[i]["agree"]] for i in usable], [[counts[i]["votes"]] for i in usable])[1][0]
        )
        rows.append({"id": s["id"], "text": texts[s["id"]], "spread": spread, "split": split, "by": cells})
    if anonymous and merge is not None:
        complete = [r for r in rows if r["by"] and not any(c["hidden"] for c in r["by"])]
        common = sorted(
            (r for r in complete if all(c["agree_pct"] > 50 for c in r["by"])),
            key=lambda r: -min(c["agree_pct"] for c in r["by"]),
        )
        common_ground = stmts([r["id"] for r in common[:10]]) if len(columns) > 1 else []
    else:
        common_ground = stmts(by_attr.get("common_ground", []))
    split_rows = sorted((r for r in rows if r["split"]), key=lambda r: -r["spread"])
    divisive = stmts([r["id"] for r in split_rows[:10]]) if len(columns) > 1 else []
    return {
        "groups": described,
        "columns": columns,
        "common_ground": common_ground,
        "divisive": divisive,
        "rows": rows,
        "note": str(HIDDEN_NOTE) if anonymous and (merge is not None and merge.merged) else "",
    }


SPLIT_RULE = format_lazy(
    gettext_lazy(
        "A statement is listed where groups split only when the share agreeing differs by at least "
        "{gap} percentage points between two groups that each cast at least {votes} votes "
        "on it, and the difference is too large to be chance (a two-proportion test at 90 %, as Pol.is uses). "
        "Statements that every group agrees with alike are never listed, however large or small the groups."
    ),
    gap=round(100 * SPLIT_GAP),
    votes=SPLIT_MIN_VOTES,
)


def _group_splits(statements: list, label: dict, texts: dict) -> list[tuple[int, dict]]:
    """Statements on which the described opinion groups really differ (``opinion_stats.splits``), widest first.

    Only described groups count (in an anonymous response, small groups are not described), and
    only their figures from at least 5 votes; each entry names the groups agreeing most and least.
    """
    gids = list(label)
    if len(gids) < 2:
        return []
    rows = [s for s in statements if int(s["id"]) in texts]
    if not rows:
        return []
    na = [[s["by_group"].get(str(g), {}).get("agree", 0) for s in rows] for g in gids]
    ns = [[s["by_group"].get(str(g), {}).get("votes", 0) for s in rows] for g in gids]
    spread, split = splits(na, ns)
    out = []
    for j in sorted(np.flatnonzero(split), key=lambda j: (-spread[j], j))[:10]:
        by = [(label[g], _pct(na[i][j], ns[i][j])) for i, g in enumerate(gids) if ns[i][j] >= SPLIT_MIN_VOTES]
        most, least = max(by, key=lambda t: t[1]), min(by, key=lambda t: t[1])
        out.append(
            (
                int(rows[j]["id"]),
                {
                    "spread": most[1] - least[1],
                    "most": {"label": most[0], "agree_pct": most[1]},
                    "least": {"label": least[0], "agree_pct": least[1]},
                },
            )
        )
    return out


def _plot(participants: list, label: dict, sizes: dict, anonymous: bool) -> dict:
    """The scatter as sized bubbles and group hulls (``engines.opinion_plot``), ready for the SVG.

    Anonymous: a bubble's count is shown only if ``group_sizes`` lets it be described on its own
    (5 people or more, complementary merging within its group); the others carry no count and are
    drawn at the size of one person. Points of undescribed groups belong to no hull.
    """
    if not participants:
        return {"bubbles": [], "hulls": [], "width": 400, "height": 300}
    conceal = (lambda sizes: group_sizes(sizes).merged) if anonymous else None
    layout = plot_layout(
        [p["x"] for p in participants],
        [p["y"] for p in participants],
        [label.get(p["group"]) if p["group"] is not None else None for p in participants],
        conceal=conceal,
    )
    bubbles = []
    for i, b in enumerate(layout.bubbles):
        if b.count is None:
            people = _("a few people (number not shown, to protect anonymity)")
        else:
            people = ngettext("%(count)s person", "%(count)s people", b.count) % {"count": b.count}
        if b.group:
            description = _("Group %(letter)s: %(people)s here") % {"letter": b.group, "people": people}
        else:
            description = _("Not in a described group: %(people)s here") % {"people": people}
        bubbles.append(
            {
                "n": i + 1,
                "x": b.x,
                "y": b.y,
                "r": b.r,
                "group": b.group or "",
                "count": b.count,
                "data_x": b.data_x,
                "data_y": b.data_y,
                "text_label": b.count is not None and b.r >= 7,
                "description": description,
            }
        )
    hulls = []
    for h in layout.hulls:
        d = "M" + " L".join(f"{x} {y}" for x, y in h.points)
        d = f"{d} Z" if len(h.points) > 2 else f"{d} L{h.points[-1][0]} {h.points[-1][1]}"
        size = sizes.get(h.group, h.size)  # the described size (group_sizes above), as the group cards give it
        label_x = min(max(h.label_x, 70.0), layout.width - 70)  # the label stays on the canvas
        hulls.append({"group": h.group, "d": d, "label_x": label_x, "label_y": h.label_y, "size": size})
    # "A · 988 people" in bold at 16 px (the phone size, in canvas units): about 10 units a character
    wanted = [(h["label_x"], h["label_y"], 10.0 * len(f"{h['group']} · {h['size']} people")) for h in hulls]
    for h, (lx, ly) in zip(hulls, separate_labels(wanted, height=layout.height), strict=True):
        h["label_x"], h["label_y"] = round(lx, 1), round(ly, 1)
    return {"bubbles": bubbles, "hulls": hulls, "width": int(layout.width), "height": int(layout.height)}


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
    invited = list(Community.objects.filter(pk__in=invited_ids(response)).order_by("name"))
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
                row["note"] = str(HIDDEN_NOTE)
        row["voted_pct"] = None if row["voted"] is None else _pct(row["voted"], row["invited"])
        if with_names and not response.anonymous:
            row["not_heard"] = sorted(m.user.display_name for m in members if m.user_id not in heard_users)
        rows.append(row)
    if merges and any(m.merged for m in merges.values()):
        other = {
            "community": None,
            "label": str(OTHER_COMMUNITIES),
            "invited": 0,
            "voted": merges["voted"].merged_size if merges["voted"].merged_shown else None,
            "wrote": merges["wrote"].merged_size if merges["wrote"].merged_shown else None,
            "not_heard": None,
            "note": str(HIDDEN_NOTE),
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
                | {"note": str(HIDDEN_NOTE)}
            )
    if merge.merged and merge.merged_shown:
        merged = {s: sum(rows[c][s] for c in merge.merged) for s in [*Stance.values, "total"]}
        out.append({"community": str(OTHER_COMMUNITIES), **merged, "hidden": False, "note": str(HIDDEN_NOTE)})
    return out, merge


@people_aggregate
def endorsement_summary(response: JointResponse) -> dict:
    """Positions by community, totals and the reasons given (by community; by name only when not anonymous).

    Anonymous: communities with fewer than 5 positions are not described alone (``group_sizes``),
    their reasons are attributed to "Other communities", and totals under 5 are hidden.
    """
    rows = {}
    names = dict(Community.objects.filter(pk__in=invited_ids(response)).values_list("id", "name"))
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
            note = str(HIDDEN_NOTE)
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
                    "community": names.get(cid, "") if cid in shown_community else str(OTHER_COMMUNITIES),
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
        Guess(predictor_community=c, target_community=t, statement=s, predicted_share=share)
        for c, t, s, share, _pid in rows
    ]
    actual = {}
    for row in (
        Vote.objects.filter(response=response, statement_id__in=key_ids)
        .values("participant__community_id", "statement_id")
        .annotate(agrees=Count("id", filter=Q(value=1)), votes=Count("id"))
    ):
        actual[(row["participant__community_id"], row["statement_id"])] = (row["agrees"], row["votes"])
    guessers: dict[int, dict[int, set]] = {}
    for c, _t, s, _share, pid in rows:
        guessers.setdefault(s, {}).setdefault(c, set()).add(pid)
    names = dict(Community.objects.filter(pk__in=invited_ids(response)).values_list("id", "name"))
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
                row.update(actual_pct=None, gap=None, actual_votes=None, note=str(HIDDEN_NOTE))
        out.append(row)
    return sorted(out, key=lambda r: (r["statement_id"], r["predictor"]))
