"""Benchmark the mentor/mentee matching engine against exact references.

    .venv/bin/python bench/matching.py            # the issue sizes
    .venv/bin/python bench/matching.py --quick    # smaller, < 60 s

Three parts, each run side by side with its reference on the same input:

A. assignment stage: 3,000 mentees into 500 projects (4 mentee slots, 50
   candidates each) vs linear_sum_assignment on the dense full problem;
B. end to end: 300 projects, 700 mentors, 1,500 mentees (filters, fairness,
   fit, pairing) vs the same engine without pruning (exact) and the dense LSA;
C. quality: instances of 1-8 projects vs exhaustive search.

Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _matching_ref import dense_lsa, exhaustive, objective  # noqa: E402
from _results import write_section  # noqa: E402

from convene.engines.matching import Candidate, ProjectNeed, match_teams  # noqa: E402


def timed(fn, runs):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


# ---------------------------------------------------------------- instances


def assignment_instance(n_mentees, n_projects, slots, per_project, seed=1):
    rng = np.random.default_rng(seed)
    wants = [set() for _ in range(n_mentees)]
    for j in range(n_projects):
        for i in rng.choice(n_mentees, per_project, replace=False):
            wants[i].add(f"s{j}")
    cands = [
        Candidate(
            i, False, True, frozenset(), frozenset(wants[i]), float(rng.integers(1, 20)), 1, 0,
            int(rng.poisson(1.5)),
        )
        for i in range(n_mentees)
    ]  # fmt: skip
    # one skill per project, so each project has exactly `per_project` candidates; the
    # fit varies with availability (hours vs the project's minimum)
    projects = [
        ProjectNeed(j, frozenset(), frozenset({f"s{j}"}), 0, slots, min_hours=float(rng.integers(1, 8)))
        for j in range(n_projects)
    ]
    return projects, cands


def community_instance(n_projects, n_mentors, n_mentees, seed=1):
    rng = np.random.default_rng(seed)
    vocab = [f"k{i}" for i in range(40)]

    def pick(a, b):
        return frozenset(rng.choice(vocab, int(rng.integers(a, b + 1)), replace=False))

    mentors = [
        Candidate(
            i, True, bool(rng.random() < 0.2), pick(3, 6), pick(1, 3),
            float(rng.integers(2, 20)), int(rng.integers(1, 3)), int(rng.integers(0, 2)),
            int(rng.poisson(2)), frozenset(rng.choice(n_projects, 2).tolist()),
        )
        for i in range(n_mentors)
    ]  # fmt: skip
    mentees = [
        Candidate(
            100_000 + i, False, True, pick(0, 2), pick(2, 4),
            float(rng.integers(2, 20)), 1, 0, int(rng.poisson(1.5)),
        )
        for i in range(n_mentees)
    ]  # fmt: skip
    projects = [
        ProjectNeed(
            j, pick(2, 4), pick(2, 4), 2, 4, min_hours=float(rng.integers(0, 8)),
            requesting_team=frozenset(rng.choice(n_mentors, 3).tolist()),
        )
        for j in range(n_projects)
    ]  # fmt: skip
    return projects, mentors + mentees


def small_instance(rng: random.Random, n_projects: int):
    vocab = ["py", "sql", "viz", "ml", "web"]
    projects = [
        ProjectNeed(
            j, frozenset(rng.sample(vocab, rng.randint(0, 2))),
            frozenset(rng.sample(vocab, rng.randint(0, 2))), rng.randint(0, 1),
            rng.randint(1, 2), min_hours=rng.choice([0, 4]),
        )
        for j in range(n_projects)
    ]  # fmt: skip
    cands = [
        Candidate(
            100 + i, rng.random() < 0.5, rng.random() < 0.7,
            frozenset(rng.sample(vocab, rng.randint(1, 3))),
            frozenset(rng.sample(vocab, rng.randint(1, 2))), rng.choice([3, 6, 10, 20]),
            rng.randint(1, 2), 0, rng.randint(0, 2),
        )
        for i in range(rng.randint(6, 10))
    ]  # fmt: skip
    return projects, cands


# -------------------------------------------------------------------- parts


def fmt_obj(o):
    return f"{o[0]} filled, tier sum {o[1]}, fit {o[2]:.2f}"


def part_a(quick, runs):
    n, j = (600, 100) if quick else (3000, 500)
    projects, cands = assignment_instance(n, j, 4, 50)
    stage = []
    res = None
    for _ in range(runs):
        res = match_teams(projects, cands)
        stage.append(dict(res.timings)["assignment"])
    t_stage, t_total = statistics.median(stage), res.seconds
    t_ref, ref = timed(lambda: dense_lsa(projects, cands), max(1, runs // 2))
    mine = objective(projects, cands, res.assignments)
    return (
        f"### A. Assignment stage: {n:,} mentees into {j} projects "
        f"(4 slots, 50 candidates each)\n\n"
        f"| | seconds (median of {runs}) | result |\n|---|---:|---|\n"
        f"| Convene, assignment stage | {t_stage:.3f} | {fmt_obj(mine)} |\n"
        f"| Convene, end to end | {t_total:.3f} | |\n"
        f"| reference: dense `linear_sum_assignment` (full problem, incl. building it) "
        f"| {t_ref:.3f} | {fmt_obj((ref.filled, ref.tier_sum, ref.fit))} |\n\n"
        f"Time ratio reference / Convene stage: **{t_ref / t_stage:.1f}x**; "
        f"fit ratio Convene / reference: **{mine[2] / ref.fit:.4f}** "
        f"(same fill: {mine[0] == ref.filled}, same tier sum: {mine[1] == ref.tier_sum}).\n"
    )


def part_b(quick, runs):
    p, m, e = (60, 140, 300) if quick else (300, 700, 1500)
    projects, cands = community_instance(p, m, e)
    t_auto, res = timed(lambda: match_teams(projects, cands), runs)
    stages = {k: round(v, 3) for k, v in res.timings}
    t_exact, exact = timed(lambda: match_teams(projects, cands, prune=False), max(1, runs // 2))
    t_ref, ref = timed(lambda: dense_lsa(projects, cands), 1)
    mine = objective(projects, cands, res.assignments)
    ex = objective(projects, cands, exact.assignments)
    return (
        f"### B. End to end: {p} projects (2 mentors + 4 mentees), {m} mentors, {e} mentees\n\n"
        f"| | seconds | result |\n|---|---:|---|\n"
        f"| Convene (default, pruned), median of {runs} | {t_auto:.3f} | {fmt_obj(mine)}, "
        f"{len(res.pairs)} pairs, {sum(s.missing for s in res.shortfalls)} slots short |\n"
        f"| Convene exact (`prune=False`) | {t_exact:.3f} | {fmt_obj(ex)} |\n"
        f"| reference: dense `linear_sum_assignment` relaxation (assignment only) "
        f"| {t_ref:.3f} | {fmt_obj((ref.filled, ref.tier_sum, ref.fit))}, "
        f"{ref.duplicates} duplicate placements |\n\n"
        f"Stages of the default run (s): {stages}.\n"
        f"Fit ratio default / exact: **{mine[2] / ex[2]:.4f}**; "
        f"default / dense relaxation: **{mine[2] / ref.fit:.4f}** (the relaxation may place a "
        f"person twice on a project, so its fit is an upper bound). Same fill as exact: "
        f"{mine[0] == ex[0]}; tier sum default vs exact: {mine[1]} vs {ex[1]}.\n"
    )


def part_c(quick):
    rng = random.Random(11)
    per = 3 if quick else 8
    ratios, t_mine, t_ref, tiers_ok, fill_ok = [], [], [], 0, 0
    for n in range(1, 9):
        for _ in range(per):
            projects, cands = small_instance(rng, n)
            t = time.perf_counter()
            ref = exhaustive(projects, cands)
            t_ref.append(time.perf_counter() - t)
            t = time.perf_counter()
            res = match_teams(projects, cands)
            t_mine.append(time.perf_counter() - t)
            filled, tiers, fit = objective(projects, cands, res.assignments)
            fill_ok += filled == ref.filled
            tiers_ok += tiers == ref.tier_sum
            ratios.append(fit / ref.fit if ref.fit else 1.0)
    k = len(ratios)
    return (
        f"### C. Quality vs exhaustive search ({k} instances of 1-8 projects)\n\n"
        f"Fit ratio Convene / exhaustive optimum: min **{min(ratios):.4f}**, "
        f"median {statistics.median(ratios):.4f} (requirement: >= 0.98). "
        f"Same fill {fill_ok}/{k}, same tier sum {tiers_ok}/{k}. "
        f"Median time: Convene {statistics.median(t_mine) * 1e3:.1f} ms, exhaustive "
        f"{statistics.median(t_ref) * 1e3:.1f} ms (max {max(t_ref):.2f} s).\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, < 60 s")
    ap.add_argument("--runs", type=int, default=None, help="runs per timing (median)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    t0 = time.perf_counter()
    match_teams(*assignment_instance(200, 40, 4, 20))  # warm-up (imports, caches)
    body = "\n".join([part_a(args.quick, runs), part_b(args.quick, runs), part_c(args.quick)])
    mode = "--quick" if args.quick else "default (issue sizes)"
    body = (
        f"`bench/matching.py` {mode}. Targets: A under 0.1 s, B under 2 s on 2 cores, "
        f"C fit within 2 % of the exhaustive optimum.\n\n{body}\n"
        f"_Total bench time {time.perf_counter() - t0:.0f} s._\n"
    )
    print(body)
    if not args.no_write:
        write_section("matching", body)


if __name__ == "__main__":
    main()
