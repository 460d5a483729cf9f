"""Benchmark the diverse-breakout-groups engine (anticlustering) against `anti-clustering`.

    .venv/bin/python bench/grouping.py            # the issue sizes (several minutes)
    .venv/bin/python bench/grouping.py --quick    # < 60 s once the reference venv exists

Parts, each on people generated into a CSV and read with the `convene groups`
CSV reader (communities, disciplines, seniority, region: categorical; years of
practice, age: numeric):

A. speed with every constraint: 200 people into 20 groups (20 facilitators,
   10 must-separate pairs, 5 must-together pairs), time per restart; and
   5,000 people into 500 groups (500 facilitators, 100 separate, 50 together);
B. quality side by side with PyPI `anti-clustering` (its exchange heuristic,
   no constraints: the package has none) on the same feature matrix and the
   same objective, N = 250 (and 500 in the full run). The package pins
   numpy<2, so it runs in its own venv, bench/.venv-anticlust (git-ignored),
   created here from bench/requirements-anticlust.txt when missing;
C. small instances: the heuristic alone (exact enumeration switched off) vs
   the exhaustive optimum, how often it finds it.

Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _results import write_section  # noqa: E402

from convene.core.blas import single_blas_thread  # noqa: E402
from convene.engines.grouping import form_groups, prepare, solve, violations  # noqa: E402
from convene.engines.grouping_io import read_people_csv  # noqa: E402

REF_VENV = HERE / ".venv-anticlust"
REF_REQS = HERE / "requirements-anticlust.txt"
REF_SCRIPT = HERE / "_grouping_anticlust.py"


# ---------------------------------------------------------------- data


def write_people(path: Path, n: int, seed: int, facilitators: int = 0) -> None:
    rng = np.random.default_rng(seed)
    communities = [f"community-{c}" for c in "ABCDEFGH"]
    p_comm = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05])
    disciplines = [f"discipline-{i:02d}" for i in range(12)]
    seniority = ["student", "junior", "mid", "senior", "emeritus"]
    regions = ["north", "south", "east", "west", "centre", "abroad"]
    fac = set(rng.choice(n, facilitators, replace=False).tolist()) if facilitators else set()
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "community", "discipline", "seniority", "region", "years", "age", "facilitator"])
        for i in range(n):
            years = float(np.round(rng.gamma(2.0, 5.0), 1))
            w.writerow(
                [
                    f"p{i:05d}",
                    rng.choice(communities, p=p_comm),
                    rng.choice(disciplines),
                    rng.choice(seniority, p=[0.1, 0.3, 0.3, 0.2, 0.1]),
                    rng.choice(regions) if rng.random() > 0.05 else "",  # some missing
                    years,
                    int(22 + years + rng.integers(0, 15)),
                    "yes" if i in fac else "no",
                ]
            )


def load(path: Path, use_facilitators: bool):
    people = read_people_csv(path, "facilitator")
    return people, (people.facilitators if use_facilitators else [])


def random_pairs(ids, m, rng, used, facilitators=frozenset()):
    out = []
    while len(out) < m:
        a, b = rng.choice(len(ids), 2, replace=False)
        if a in used or b in used or (ids[a] in facilitators and ids[b] in facilitators):
            continue
        used.update((a, b))
        out.append((ids[a], ids[b]))
    return out


def constrained_problem(path: Path, k: int, n_sep: int, n_tog: int, seed: int = 0):
    people, fac = load(path, True)
    rng = np.random.default_rng(seed)
    used: set[int] = set()
    separate = random_pairs(people.ids, n_sep, rng, used)
    together = random_pairs(people.ids, n_tog, rng, used, frozenset(fac))
    return prepare(
        people.ids,
        people.attributes,
        kinds=people.kinds,
        n_groups=k,
        facilitators=fac,
        separate=separate,
        together=together,
    )


CPU: list[float] = []  # process CPU seconds of the last median_time call, per run


def median_time(fn, runs):
    """Median wall time over `runs` calls (run r gets seed r); CPU times land in CPU."""
    times, out = [], None
    CPU.clear()
    for r in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn(r)
        times.append(time.perf_counter() - t)
        CPU.append(time.process_time() - c)
    return statistics.median(times), out


# ---------------------------------------------------------------- reference


def ensure_reference_venv() -> Path:
    py = REF_VENV / "bin" / "python"
    if py.exists():
        return py
    print(f"creating {REF_VENV} from {REF_REQS.name} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(REF_VENV)], check=True)
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "-r", str(REF_REQS)],
        check=True,
    )
    return py


def run_reference(py: Path, x: np.ndarray, k: int, seed: int, tmp: Path) -> tuple[np.ndarray, float]:
    feats = tmp / f"features-{len(x)}.csv"
    np.savetxt(feats, x, delimiter=",", fmt="%.17g")
    out = tmp / f"ref-{len(x)}-{seed}.json"
    subprocess.run([str(py), str(REF_SCRIPT), str(feats), str(k), "1", str(seed), str(out)], check=True)
    data = json.loads(out.read_text())
    return np.array(data["labels"]), float(data["seconds"])


def score(problem, labels) -> float:
    from convene.engines.grouping import evaluate

    # anti-clustering's labels are component numbers; map to 0..k-1
    _, compact = np.unique(labels, return_inverse=True)
    return evaluate(problem, {p: int(g) for p, g in zip(problem.ids, compact, strict=True)})


# ---------------------------------------------------------------- parts


def part_speed(tmp: Path, quick: bool) -> list[str]:
    lines = ["### A. Speed with every constraint", ""]
    lines.append(
        "| people | groups | constraints | runs | per restart, wall (median) | per restart, CPU (median) | `restarts=5` total, wall | objective | violations |"
    )
    lines.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    cases = [(200, 20, 10, 5, 9 if not quick else 5), (5000, 500, 100, 50, 3 if not quick else 1)]
    for n, k, n_sep, n_tog, runs in cases:
        path = tmp / f"people-{n}.csv"
        write_people(path, n, seed=n, facilitators=k)
        problem = constrained_problem(path, k, n_sep, n_tog)
        per, g1 = median_time(lambda r, p=problem: solve(p, restarts=1, seed=r), runs)
        per_cpu = statistics.median(CPU)
        tot_runs = runs if n < 1000 else 1
        tot, g5 = median_time(lambda r, p=problem: solve(p, restarts=5, seed=r), tot_runs)
        cons = f"{k} facilitators, {n_sep} separate, {n_tog} together"
        lines.append(
            f"| {n:,} | {k} | {cons} | {runs} | {per * 1000:.0f} ms | {per_cpu * 1000:.0f} ms | {tot:.2f} s | {g5.objective:,.1f} | {len(violations(problem, g5.assignment))} |"
        )
        print(f"speed n={n}: per restart {per:.3f} s, restarts=5 {tot:.2f} s", flush=True)
        if n >= 1000:
            par, g4 = median_time(lambda r, p=problem: solve(p, restarts=4, seed=r, n_jobs=2), 1 if quick else 2)
            lines.append(
                f"| {n:,} | {k} | same, `restarts=4, n_jobs=2` (2 processes) | {1 if quick else 2} | | | {par:.2f} s | {g4.objective:,.1f} | {len(violations(problem, g4.assignment))} |"
            )
            print(f"speed n={n}: restarts=4 n_jobs=2 {par:.2f} s", flush=True)
    lines.append("")
    return lines


def part_quality(tmp: Path, quick: bool, reference: bool) -> list[str]:
    lines = ["### B. Quality and speed vs `anti-clustering` 0.4.1 (exchange heuristic)", ""]
    lines.append(
        "Same feature matrix (Convene's encoding), same objective (sum of within-group squared "
        "Euclidean distances, scored by Convene's `evaluate` for both), no constraints (the "
        "package has none). Medians over seeds; the package runs one restart per seed."
    )
    lines.append("")
    lines.append(
        "| N | groups | seeds | anti-clustering objective | its time / restart | Convene 1 restart | Convene time / restart | Convene `restarts=5` | Convene 5 restarts total | objective ratio (5 restarts / ref) | speed ratio per restart |"
    )
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    py = ensure_reference_venv() if reference else None
    sizes = [(250, 25, 1 if quick else 3)] + ([] if quick else [(500, 50, 1)])
    for n, k, seeds in sizes:
        path = tmp / f"quality-{n}.csv"
        write_people(path, n, seed=1000 + n)
        people, _ = load(path, False)
        problem = prepare(people.ids, people.attributes, kinds=people.kinds, n_groups=k)
        c1, c1t, c5, c5t = [], [], [], []
        for s in range(max(seeds, 3)):
            t = time.perf_counter()
            c1.append(solve(problem, restarts=1, seed=s).objective)
            c1t.append(time.perf_counter() - t)
            t = time.perf_counter()
            c5.append(solve(problem, restarts=5, seed=s).objective)
            c5t.append(time.perf_counter() - t)
        ref_obj, ref_t = [], []
        if py is not None:
            for s in range(seeds):
                labels, secs = run_reference(py, problem.features, k, s, tmp)
                ref_obj.append(score(problem, labels))
                ref_t.append(secs)
                print(f"anti-clustering n={n} seed={s}: {ref_obj[-1]:.2f} in {secs:.1f} s", flush=True)
        med = statistics.median
        if ref_obj:
            ro, rt = med(ref_obj), med(ref_t)
            ratio = f"{med(c5) / ro:.4f}"
            speed = f"{rt / med(c1t):,.0f}x faster"
            ref_cells = f"{ro:,.2f} | {rt:.2f} s"
        else:
            ratio = speed = "n/a"
            ref_cells = "not run | not run"
        lines.append(
            f"| {n} | {k} | {seeds} | {ref_cells} | {med(c1):,.2f} | {med(c1t) * 1000:.0f} ms | {med(c5):,.2f} | {med(c5t) * 1000:.0f} ms | {ratio} | {speed} |"
        )
        print(f"convene n={n}: 1 restart {med(c1):.2f} ({med(c1t):.3f} s), 5 restarts {med(c5):.2f}", flush=True)
    lines.append("")
    return lines


def part_small(quick: bool) -> list[str]:
    trials = 40 if quick else 150
    hits1 = hits5 = 0
    for t in range(trials):
        rng = np.random.default_rng(t)
        n = int(rng.integers(6, 13))
        k = int(rng.integers(2, 5))
        ids = list(range(n))
        attrs = {
            "community": [str(v) for v in rng.choice(list("abcd"), n)],
            "seniority": [str(v) for v in rng.choice(["jr", "mid", "sr"], n)],
            "years": [float(v) for v in rng.gamma(2, 5, n)],
        }
        exact = form_groups(ids, attrs, n_groups=k)  # exhaustive enumeration for <= 12 people
        h1 = form_groups(ids, attrs, n_groups=k, exact=False, restarts=1, seed=t)
        h5 = form_groups(ids, attrs, n_groups=k, exact=False, restarts=5, seed=t)
        tol = 1e-9 * (1 + exact.objective)
        hits1 += h1.objective >= exact.objective - tol
        hits5 += h5.objective >= exact.objective - tol
    return [
        "### C. Small instances (6-12 people, 2-4 groups)",
        "",
        f"`form_groups` enumerates all partitions for <= 12 people, so it returns the optimum. The exchange "
        f"heuristic alone (`exact=False`) finds that optimum in {hits1}/{trials} instances with 1 restart "
        f"and {hits5}/{trials} with 5 restarts.",
        "",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller, < 60 s (reference venv already made)")
    ap.add_argument("--no-reference", action="store_true", help="skip anti-clustering")
    args = ap.parse_args()
    t0 = time.perf_counter()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d, single_blas_thread:  # as the breakout-group service runs it
        tmp = Path(d)
        lines = [
            "Diverse breakout groups (`convene.engines.grouping`): local-maximum exchange on the "
            "diversity objective. " + ("`--quick` run." if args.quick else "Full run."),
            "",
        ]
        lines += part_speed(tmp, args.quick)
        lines += part_quality(tmp, args.quick, not args.no_reference)
        lines += part_small(args.quick)
    load_end = os.getloadavg()[0]
    lines.append(
        f"Whole benchmark: {time.perf_counter() - t0:.0f} s. Load average (1 min) at start "
        f"{load_start:.1f}, at end {load_end:.1f} on {os.cpu_count()} cores: the machine is "
        "shared, so wall times above a load of ~1 are inflated; CPU times are steadier."
    )
    write_section("grouping", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
