"""Mentored boundary projects: propose mentors and mentees for each project.

Pure numpy/scipy (no Django): the web app converts its models into the frozen
dataclasses below, calls :func:`match_teams`, stores the returned *proposals*
and, when a member declines, calls :func:`rematch`.

Stages (see docs/matching.md):

1. **Hard filters** build a sparse candidate graph of (person, project, role)
   edges: the person can take the role, has hours (> 0 and >= the project's
   minimum), has remaining capacity (``max_projects - current_projects``), has
   no conflict of interest with the project, is not on the requesting team,
   is not already a published (``fixed``) member, and - unless
   ``require_skill_overlap=False`` - has at least one relevant skill.
2. **Fairness**: every candidate gets a priority tier, the dense rank of
   ``opportunities_12m`` in the pool (tier 1 = fewest opportunities).
3. **Fit**: a score in [0, 1] per edge (skills taught vs required, skills
   wanted vs offered, availability).
4. **Assignment**: one exact minimum-cost assignment (slot expansion, solved by
   ``scipy.optimize.linear_sum_assignment`` or, for large instances,
   ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) of a cost that
   is lexicographic: fill as many slots as possible, then minimise the sum of
   priority tiers, then maximise the total fit.
5. **Pairing**: inside each team every mentee gets one mentor (balanced loads,
   maximum skill overlap).
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array

from convene.engines._matching_solver import solve_assignment

__all__ = [
    "ROLES",
    "Candidate",
    "Explanation",
    "Match",
    "MatchResult",
    "MatchingError",
    "Pair",
    "ProjectNeed",
    "Shortfall",
    "match_teams",
    "rematch",
]

ROLES = ("mentor", "mentee")
MENTOR, MENTEE = 0, 1

# Weights of the fit score (each component in [0, 1], the score too).
W_PRIMARY = 0.70  # mentor: required skills taught; mentee: offered skills wanted
W_SECONDARY = 0.15  # mentor: learning skills taught too
W_AVAILABILITY = 0.15  # hours beyond the project's minimum


class MatchingError(ValueError):
    """Invalid matching input (negative hours or team shape, duplicate ids, ...)."""


# --------------------------------------------------------------------------- inputs


def _skills(owner: str, name: str, value: object) -> frozenset[str]:
    if isinstance(value, str):
        raise MatchingError(f"{owner}: {name} must be a set of skills, not the string {value!r}")
    try:
        out = frozenset(value)  # type: ignore[arg-type]
    except TypeError:
        raise MatchingError(f"{owner}: {name} must be a set of skills") from None
    for s in out:
        if not isinstance(s, str) or not s:
            raise MatchingError(f"{owner}: {name} contains an invalid skill {s!r}")
    return out


def _ids(owner: str, name: str, value: object) -> frozenset[int]:
    try:
        return frozenset(int(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise MatchingError(f"{owner}: {name} must be a set of integer ids") from None


def _count(owner: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise MatchingError(f"{owner}: {name} must be an integer, got {value!r}")
    if value < 0:
        raise MatchingError(f"{owner}: {name} must be >= 0, got {value}")
    return int(value)


def _hours(owner: str, name: str, value: object) -> float:
    try:
        h = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise MatchingError(f"{owner}: {name} must be a number, got {value!r}") from None
    if math.isnan(h) or h < 0:
        raise MatchingError(f"{owner}: {name} must be a non-negative number, got {value!r}")
    return h


@dataclass(frozen=True)
class Candidate:
    """A community member who could mentor and/or be mentored.

    ``current_projects`` is the member's existing load, *including* any project
    where they are already a published (``fixed``) member.
    """

    id: int
    can_mentor: bool
    can_be_mentored: bool
    teaches: frozenset[str]
    wants: frozenset[str]
    hours_per_month: float
    max_projects: int
    current_projects: int
    opportunities_12m: int
    conflicts: frozenset[int] = frozenset()  # project ids

    def __post_init__(self) -> None:
        who = f"candidate {self.id!r}"
        if isinstance(self.id, bool) or not isinstance(self.id, int | np.integer):
            raise MatchingError(f"{who}: id must be an integer")
        object.__setattr__(self, "id", int(self.id))
        object.__setattr__(self, "can_mentor", bool(self.can_mentor))
        object.__setattr__(self, "can_be_mentored", bool(self.can_be_mentored))
        object.__setattr__(self, "teaches", _skills(who, "teaches", self.teaches))
        object.__setattr__(self, "wants", _skills(who, "wants", self.wants))
        object.__setattr__(self, "hours_per_month", _hours(who, "hours_per_month", self.hours_per_month))
        object.__setattr__(self, "max_projects", _count(who, "max_projects", self.max_projects))
        object.__setattr__(self, "current_projects", _count(who, "current_projects", self.current_projects))
        object.__setattr__(self, "opportunities_12m", _count(who, "opportunities_12m", self.opportunities_12m))
        object.__setattr__(self, "conflicts", _ids(who, "conflicts", self.conflicts))

    @property
    def remaining_capacity(self) -> int:
        return max(0, self.max_projects - self.current_projects)


@dataclass(frozen=True)
class ProjectNeed:
    """A boundary project and the team shape it asks for.

    ``fixed`` maps already-published members to their role; they occupy slots
    of the team shape and are never proposed again for this project.
    A project without required skills is valid: mentors are then fitted on the
    learning skills (if any) and availability, mentees on availability only
    when no learning skills are given either.
    """

    id: int
    required_skills: frozenset[str]
    learning_skills: frozenset[str]
    mentors: int
    mentees: int
    min_hours: float = 0
    requesting_team: frozenset[int] = frozenset()
    fixed: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        who = f"project {self.id!r}"
        if isinstance(self.id, bool) or not isinstance(self.id, int | np.integer):
            raise MatchingError(f"{who}: id must be an integer")
        object.__setattr__(self, "id", int(self.id))
        object.__setattr__(self, "required_skills", _skills(who, "required_skills", self.required_skills))
        object.__setattr__(self, "learning_skills", _skills(who, "learning_skills", self.learning_skills))
        object.__setattr__(self, "mentors", _count(who, "mentors (team shape)", self.mentors))
        object.__setattr__(self, "mentees", _count(who, "mentees (team shape)", self.mentees))
        object.__setattr__(self, "min_hours", _hours(who, "min_hours", self.min_hours))
        object.__setattr__(self, "requesting_team", _ids(who, "requesting_team", self.requesting_team))
        fixed: dict[int, str] = {}
        for pid, role in dict(self.fixed).items():
            if role not in ROLES:
                raise MatchingError(f"{who}: fixed member {pid!r} has unknown role {role!r}")
            fixed[int(pid)] = role
        object.__setattr__(self, "fixed", MappingProxyType(fixed))

    def __hash__(self) -> int:
        return hash((self.id, self.required_skills, self.learning_skills, self.mentors))

    def open_slots(self, role: str) -> int:
        """Slots of ``role`` not taken by published members."""
        wanted = self.mentors if role == "mentor" else self.mentees
        taken = sum(1 for r in self.fixed.values() if r == role)
        return max(0, wanted - taken)


# -------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Explanation:
    """Why a person was proposed: matched skills, priority tier, fit score."""

    role: str
    skills: tuple[str, ...]  # the person's skills that matched the basis below
    basis: str  # "required" | "learning" | "offered" | "none"
    basis_size: int  # how many skills the basis has
    priority_tier: int  # 1 = fewest opportunities in the candidate pool
    opportunities: int  # opportunities in the last 12 months
    score: float  # fit in [0, 1]
    hours_per_month: float = 0.0
    min_hours: float = 0.0

    @property
    def text(self) -> str:
        shown = ", ".join(self.skills)
        if self.basis == "none":
            skills = "no skills asked: fitted on availability only"
        elif self.role == "mentor":
            what = "required" if self.basis == "required" else "learning"
            skills = f"teaches {shown or 'none'} ({len(self.skills)} of {self.basis_size} {what} skills)"
        else:
            skills = f"wants to learn {shown or 'none'} ({len(self.skills)} of {self.basis_size} skills on offer)"
        hours = f"{self.hours_per_month:g} h/month"
        if self.min_hours > 0:
            hours += f" (needs {self.min_hours:g})"
        opp = "opportunity" if self.opportunities == 1 else "opportunities"
        return (
            f"{skills}; {self.opportunities} {opp} in the last 12 months "
            f"(priority {self.priority_tier}); {hours}; fit {self.score:.2f}"
        )

    def summary(self) -> str:
        return self.text


@dataclass(frozen=True)
class Match:
    """A *proposed* membership (the web app stores state; the engine proposes)."""

    project: int
    person: int
    role: str
    score: float
    explanation: Explanation
    status: str = "proposed"


@dataclass(frozen=True)
class Pair:
    """A mentor-mentee pair inside one project team."""

    mentor: int
    mentee: int
    project: int
    shared_skills: tuple[str, ...]


@dataclass(frozen=True)
class Shortfall:
    """A role the candidate pool could not fill for a project."""

    project: int
    role: str
    missing: int


@dataclass(frozen=True)
class MatchResult:
    assignments: tuple[Match, ...]
    pairs: tuple[Pair, ...]
    shortfalls: tuple[Shortfall, ...]
    seconds: float
    declined: frozenset[tuple[int, int]] = frozenset()  # (person, project) never re-proposed
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage

    def team(self, project: int) -> tuple[Match, ...]:
        return tuple(m for m in self.assignments if m.project == project)

    @property
    def total_fit(self) -> float:
        return float(sum(m.score for m in self.assignments))


# ------------------------------------------------------------------ the candidate graph


class _Graph:
    """Hard filters, priority tiers and fit scores for projects x candidates (dense arrays)."""

    def __init__(
        self,
        projects: Sequence[ProjectNeed],
        candidates: Sequence[Candidate],
        *,
        require_skill_overlap: bool = True,
        load: np.ndarray | None = None,
        excluded: Iterable[tuple[int, int]] = (),
        tiers_from: Sequence[Candidate] | None = None,
    ) -> None:
        self.projects = list(projects)
        self.candidates = list(candidates)
        _check_unique("project", [p.id for p in self.projects])
        _check_unique("candidate", [c.id for c in self.candidates])
        self.pidx = {c.id: i for i, c in enumerate(self.candidates)}
        self.jidx = {p.id: j for j, p in enumerate(self.projects)}
        P, J = len(self.candidates), len(self.projects)

        vocab = sorted(
            {s for c in self.candidates for s in c.teaches | c.wants}
            | {s for p in self.projects for s in p.required_skills | p.learning_skills}
        )
        self.vocab = vocab
        kidx = {s: k for k, s in enumerate(vocab)}
        K = max(1, len(vocab))

        def incidence(sets: list[frozenset[str]]) -> csr_array:
            rows = np.fromiter((i for i, s in enumerate(sets) for _ in s), dtype=np.int64)
            cols = np.fromiter((kidx[x] for s in sets for x in s), dtype=np.int64)
            ones = np.ones(len(rows), dtype=np.float32)
            return csr_array((ones, (rows, cols)), shape=(len(sets), K))

        def overlap(a: csr_array, b: csr_array) -> np.ndarray:
            return (a @ b.T).toarray().astype(np.float64)  # shared skills, |a_i & b_j|

        teach = incidence([c.teaches for c in self.candidates])
        want = incidence([c.wants for c in self.candidates])
        req_sets = [p.required_skills for p in self.projects]
        learn_sets = [p.learning_skills for p in self.projects]
        # skills on offer to mentees: the learning skills, else the required ones
        off_sets = [p.learning_skills or p.required_skills for p in self.projects]
        req, learn, offered = incidence(req_sets), incidence(learn_sets), incidence(off_sets)
        n_req = np.array([len(x) for x in req_sets], dtype=float)
        n_learn = np.array([len(x) for x in learn_sets], dtype=float)
        n_off = np.array([len(x) for x in off_sets], dtype=float)

        t_req = overlap(teach, req)  # P x J counts
        t_learn = overlap(teach, learn)
        w_off = overlap(want, offered)

        hours = np.array([c.hours_per_month for c in self.candidates], dtype=float)
        min_h = np.array([p.min_hours for p in self.projects], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            avail = np.where(min_h[None, :] > 0, np.minimum(1.0, hours[:, None] / (2.0 * min_h[None, :])), 1.0)
        self.hours, self.min_h = hours, min_h

        def frac(num: np.ndarray, den: np.ndarray) -> np.ndarray:
            return num / np.maximum(den, 1.0)[None, :]

        has_req = (n_req > 0)[None, :]
        has_learn = (n_learn > 0)[None, :]
        has_off = (n_off > 0)[None, :]
        fr, fl, fo = frac(t_req, n_req), frac(t_learn, n_learn), frac(w_off, n_off)
        fit_mentor = np.where(
            has_req,
            W_PRIMARY * fr + W_SECONDARY * np.where(has_learn, fl, fr) + W_AVAILABILITY * avail,
            np.where(has_learn, (W_PRIMARY + W_SECONDARY) * fl + W_AVAILABILITY * avail, avail),
        )
        fit_mentee = np.where(has_off, (W_PRIMARY + W_SECONDARY) * fo + W_AVAILABILITY * avail, avail)
        self.fit = np.stack([fit_mentor, fit_mentee])  # 2 x P x J

        # --- hard filters
        cap = np.array([c.remaining_capacity for c in self.candidates], dtype=np.int64)
        if load is not None:
            cap = np.maximum(0, cap - load)
        self.cap = cap
        base = (hours[:, None] > 0) & (hours[:, None] >= min_h[None, :]) & (cap[:, None] > 0)
        for c in self.candidates:
            i = self.pidx[c.id]
            for pj in c.conflicts:
                j = self.jidx.get(pj)
                if j is not None:
                    base[i, j] = False
        for j, p in enumerate(self.projects):
            for pid in p.requesting_team | set(p.fixed):
                i = self.pidx.get(pid)
                if i is not None:
                    base[i, j] = False
        for pid, pj in excluded:
            i, j = self.pidx.get(pid), self.jidx.get(pj)
            if i is not None and j is not None:
                base[i, j] = False
        can_m = np.array([c.can_mentor for c in self.candidates], dtype=bool)
        can_e = np.array([c.can_be_mentored for c in self.candidates], dtype=bool)
        el_m = base & can_m[:, None]
        el_e = base & can_e[:, None]
        if require_skill_overlap:
            rel_m = np.where(has_req, t_req > 0, np.where(has_learn, t_learn > 0, True))
            el_m &= rel_m
            el_e &= np.where(has_off, w_off > 0, True)
        self.eligible = np.stack([el_m, el_e])  # 2 x P x J

        # --- fairness: dense rank of opportunities in the pool (0 = fewest)
        pool = tiers_from if tiers_from is not None else self.candidates
        levels = np.unique(np.array([c.opportunities_12m for c in pool], dtype=np.int64))
        opp = np.array([c.opportunities_12m for c in self.candidates], dtype=np.int64)
        self.opp = opp
        self.rank = np.searchsorted(levels, opp).astype(np.int64) if P else opp
        self.n_levels = max(1, len(levels))
        self.slots = np.array(
            [[p.open_slots("mentor"), p.open_slots("mentee")] for p in self.projects],
            dtype=np.int64,
        ).reshape(J, 2)

    # explanation of one edge
    def explain(self, i: int, j: int, r: int) -> Explanation:
        c, p = self.candidates[i], self.projects[j]
        if r == MENTOR:
            if p.required_skills:
                basis, pool, mine = "required", p.required_skills, c.teaches
            elif p.learning_skills:
                basis, pool, mine = "learning", p.learning_skills, c.teaches
            else:
                basis, pool, mine = "none", frozenset(), frozenset()
        else:
            pool = p.learning_skills or p.required_skills
            basis = "offered" if pool else "none"
            mine = c.wants
        score = float(self.fit[r, i, j])
        return Explanation(
            role=ROLES[r],
            skills=tuple(sorted(mine & pool)),
            basis=basis,
            basis_size=len(pool),
            priority_tier=int(self.rank[i]) + 1,
            opportunities=int(self.opp[i]),
            score=round(score, 6),
            hours_per_month=c.hours_per_month,
            min_hours=p.min_hours,
        )

    def match(self, i: int, j: int, r: int) -> Match:
        e = self.explain(i, j, r)
        return Match(self.projects[j].id, self.candidates[i].id, ROLES[r], e.score, e)


def _check_unique(kind: str, ids: list[int]) -> None:
    dup = sorted(k for k, n in Counter(ids).items() if n > 1)
    if dup:
        raise MatchingError(f"duplicate {kind} ids: {dup[:10]}")


# -------------------------------------------------------------------------- pairing


def _pair_team(project: int, mentors: Sequence[Candidate], mentees: Sequence[Candidate]) -> list[Pair]:
    """Each mentee to one mentor of the team: balanced loads, max skill overlap.

    Loads differ by at most one (mentor i gets floor(e/m) or ceil(e/m) mentees);
    among balanced pairings the total |teaches & wants| is maximised.
    """
    m, e = len(mentors), len(mentees)
    if m == 0 or e == 0:
        return []
    base, extra = divmod(e, m)
    overlap = np.array([[len(t.teaches & s.wants) for t in mentors] for s in mentees], dtype=float)  # e x m
    cols, penalty = [], []
    for k in range(m):
        cols += [k] * (base + (1 if extra else 0))
        penalty += [0.0] * base + ([1.0] if extra else [])
    cost = -overlap[:, cols] + (e + 1.0) * np.asarray(penalty)[None, :]
    rows, picked = linear_sum_assignment(cost)
    out = []
    for s, c in zip(rows, picked, strict=True):
        t, learner = mentors[cols[c]], mentees[s]
        out.append(Pair(t.id, learner.id, project, tuple(sorted(t.teaches & learner.wants))))
    out.sort(key=lambda p: (p.mentor, p.mentee))
    return out


def _pairs_for(
    projects: Sequence[ProjectNeed],
    candidates: Sequence[Candidate],
    assignments: Iterable[Match],
) -> list[Pair]:
    by_id = {c.id: c for c in candidates}
    team: dict[int, tuple[list[Candidate], list[Candidate]]] = defaultdict(lambda: ([], []))
    for p in projects:
        for pid, role in sorted(p.fixed.items()):
            if pid in by_id:
                team[p.id][ROLES.index(role)].append(by_id[pid])
    for a in assignments:
        team[a.project][ROLES.index(a.role)].append(by_id[a.person])
    out: list[Pair] = []
    for p in projects:
        if p.id in team:
            out += _pair_team(p.id, *team[p.id])
    return out


def _shortfalls(projects: Sequence[ProjectNeed], assignments: Iterable[Match]) -> list[Shortfall]:
    filled = Counter((a.project, a.role) for a in assignments)
    out = []
    for p in projects:
        for role in ROLES:
            missing = p.open_slots(role) - filled[(p.id, role)]
            if missing > 0:
                out.append(Shortfall(p.id, role, missing))
    return out


# ---------------------------------------------------------------------------- public


def match_teams(
    projects: Sequence[ProjectNeed],
    candidates: Sequence[Candidate],
    *,
    seed: int = 0,
    require_skill_overlap: bool = True,
    solver: str = "auto",
    prune: bool | None = None,
) -> MatchResult:
    """Propose mentors and mentees for every project.

    ``seed`` only breaks exact ties (it permutes the candidate order given to
    the solver), so equally ranked candidates get an even chance across runs.
    ``solver`` is ``"auto"``, ``"dense"`` (linear_sum_assignment) or
    ``"sparse"`` (min_weight_full_bipartite_matching); all are exact.
    ``prune`` (default: automatic above 50,000 candidate edges) keeps only the
    best candidates per slot group, see :mod:`convene.engines._matching_solver`;
    ``prune=False`` always solves the full problem exactly.
    """
    t0 = time.perf_counter()
    projects, candidates = list(projects), list(candidates)
    graph = _Graph(projects, candidates, require_skill_overlap=require_skill_overlap)
    t1 = time.perf_counter()
    chosen = _solve(graph, seed=seed, solver=solver, prune=prune)
    t2 = time.perf_counter()
    assignments = [graph.match(i, j, r) for i, j, r in chosen]
    assignments.sort(key=lambda a: (graph.jidx[a.project], ROLES.index(a.role), a.person))
    pairs = _pairs_for(projects, candidates, assignments)
    shortfalls = _shortfalls(projects, assignments)
    t3 = time.perf_counter()
    return MatchResult(
        assignments=tuple(assignments),
        pairs=tuple(pairs),
        shortfalls=tuple(shortfalls),
        seconds=t3 - t0,
        timings=(("filters_fit", t1 - t0), ("assignment", t2 - t1), ("pairing", t3 - t2)),
    )


def _solve(graph: _Graph, *, seed: int, solver: str, prune: bool | None) -> list[tuple[int, int, int]]:
    r_idx, p_idx, j_idx = np.nonzero(graph.eligible & (graph.slots.T[:, None, :] > 0))
    if len(p_idx) == 0:
        return []
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(graph.candidates))  # tie-breaking order of people
    fit = graph.fit[r_idx, p_idx, j_idx]
    chosen = solve_assignment(
        person=order.argsort()[p_idx],
        project=j_idx,
        role=r_idx,
        tier=graph.rank[p_idx],
        fit=fit,
        capacity=graph.cap[order],
        slots=graph.slots,
        solver=solver,
        prune=prune,
    )
    return [(int(order[p]), int(j), int(r)) for p, j, r in chosen]


def _repair_pairs(
    pairs: list[Pair],
    gone: Match,
    newcomer: Match | None,
    project: ProjectNeed,
    team: list[Match],
    by_id: Mapping[int, Candidate],
) -> list[Pair]:
    """Pairs of one project after a decline: the newcomer takes the decliner's place."""

    def pair(mentor: int, mentee: int) -> Pair:
        shared = by_id[mentor].teaches & by_id[mentee].wants
        return Pair(mentor, mentee, project.id, tuple(sorted(shared)))

    mentors = [pid for pid, role in project.fixed.items() if role == "mentor" and pid in by_id]
    mentors += [a.person for a in team if a.role == "mentor"]

    def least_loaded(mentee: int, current: list[Pair]) -> int | None:
        if not mentors:
            return None
        load = Counter(q.mentor for q in current)
        wants = by_id[mentee].wants
        return min(mentors, key=lambda m: (load[m], -len(by_id[m].teaches & wants), m))

    person = gone.person
    if gone.role == "mentee":
        previous = [q.mentor for q in pairs if q.mentee == person]
        out = [q for q in pairs if q.mentee != person]
        if newcomer is not None:
            mentor = previous[0] if previous else least_loaded(newcomer.person, out)
            if mentor is not None:
                out.append(pair(mentor, newcomer.person))
    else:
        orphans = [q.mentee for q in pairs if q.mentor == person]
        out = [q for q in pairs if q.mentor != person]
        for s in orphans:
            mentor = newcomer.person if newcomer is not None else least_loaded(s, out)
            if mentor is not None:
                out.append(pair(mentor, s))
        if newcomer is not None and not orphans:
            # the team had mentees without a mentor (no mentor before): pair them now
            paired = {q.mentee for q in out}
            for a in team:
                if a.role == "mentee" and a.person not in paired:
                    out.append(pair(newcomer.person, a.person))
            for pid, role in project.fixed.items():
                if role == "mentee" and pid in by_id and pid not in paired:
                    out.append(pair(newcomer.person, pid))
    return out


def rematch(
    result: MatchResult,
    projects: Sequence[ProjectNeed],
    candidates: Sequence[Candidate],
    *,
    declined: tuple[int, int],
    seed: int = 0,
    require_skill_overlap: bool = True,
) -> MatchResult:
    """Replace one declined proposal without disturbing any other match.

    ``declined`` is ``(person, project)``. The freed slot (same project, same
    role) goes to the best eligible candidate - lowest priority tier, then best
    fit - with remaining capacity counting every proposal in ``result``; people
    who declined this project before (``result.declined``) are excluded. Every
    other match is returned unchanged; pairs are only touched in that project
    (the newcomer takes the decliner's place in the pairing). If nobody is
    eligible the slot stays open and shows up in ``shortfalls``.
    """
    t0 = time.perf_counter()
    person, project = int(declined[0]), int(declined[1])
    old = [a for a in result.assignments if a.person == person and a.project == project]
    if not old:
        raise MatchingError(f"person {person} has no proposal for project {project} to decline")
    gone = old[0]
    projects, candidates = list(projects), list(candidates)
    _check_unique("project", [p.id for p in projects])
    _check_unique("candidate", [c.id for c in candidates])
    by_proj = {p.id: p for p in projects}
    if project not in by_proj:
        raise MatchingError(f"unknown project {project}")
    excluded = set(result.declined) | {(person, project)}
    kept = [a for a in result.assignments if a is not gone]

    pidx = {c.id: i for i, c in enumerate(candidates)}
    load = np.zeros(len(candidates), dtype=np.int64)
    for a in kept:
        if a.person in pidx:
            load[pidx[a.person]] += 1
    on_project = {a.person for a in kept if a.project == project}
    graph = _Graph(
        [by_proj[project]],
        candidates,
        require_skill_overlap=require_skill_overlap,
        load=load,
        excluded=[(pid, project) for pid, pj in excluded if pj == project] + [(pid, project) for pid in on_project],
        tiers_from=candidates,
    )
    r = ROLES.index(gone.role)
    ok = np.flatnonzero(graph.eligible[r, :, 0])
    newcomer: Match | None = None
    if len(ok):
        tie = np.random.default_rng(seed).random(len(candidates))[ok]
        best = ok[np.lexsort((tie, -graph.fit[r, ok, 0], graph.rank[ok]))[0]]
        newcomer = graph.match(int(best), 0, r)
    assignments = list(result.assignments)
    pos = assignments.index(gone)
    if newcomer is None:
        del assignments[pos]
    else:
        assignments[pos] = newcomer

    pairs = [q for q in result.pairs if q.project != project]
    team_pairs = _repair_pairs(
        [q for q in result.pairs if q.project == project],
        gone,
        newcomer,
        by_proj[project],
        [a for a in assignments if a.project == project],
        {c.id: c for c in candidates},
    )
    team_pairs.sort(key=lambda q: (q.mentor, q.mentee))
    pairs += team_pairs
    return MatchResult(
        assignments=tuple(assignments),
        pairs=tuple(pairs),
        shortfalls=tuple(_shortfalls(projects, assignments)),
        seconds=time.perf_counter() - t0,
        declined=frozenset(excluded),
        timings=(("rematch", time.perf_counter() - t0),),
    )
