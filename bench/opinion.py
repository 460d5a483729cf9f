"""Opinion-map engine benchmark: Convene vs red-dwarf's run_pipeline, side by side.

    python bench/opinion.py            # the issue's sizes (without the 1M one)
    python bench/opinion.py --quick    # small sizes, < 60 s (CI smoke run)
    python bench/opinion.py --full     # adds 1,000,000 x 10,000 with 50M votes (peak RSS)

Synthetic conversations with realistic sparsity: each participant votes on
40-100 statements (popularity-skewed, some re-votes), three latent opinion
camps, ~20 % passes, rows in time order. Writes the "opinion" section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _opinion_common import ari, run_reddwarf  # noqa: E402
from _results import write_section  # noqa: E402

from convene.engines.opinion import OpinionState, analyze  # noqa: E402


def synthetic(n_p: int, n_s: int, n_votes: int, seed: int = 0) -> np.ndarray:
    """(n, 4) int64 votes: participant, statement, value (+1 agree), timestamp."""
    rng = np.random.default_rng(seed)
    mean = n_votes / n_p
    lo = 40 if mean >= 40 else max(1, int(mean * 0.5))
    hi = max(lo, int(round(2 * mean - lo)))
    counts = rng.integers(lo, hi + 1, size=n_p)
    counts = np.minimum(counts, n_s)
    p = np.repeat(np.arange(n_p, dtype=np.int64), counts)
    pop = 1.0 / np.arange(1, n_s + 1) ** 0.6  # popular statements get more votes
    pop /= pop.sum()
    s = rng.choice(n_s, size=len(p), p=pop).astype(np.int64)
    camp = rng.integers(0, 3, size=n_p)
    lean = rng.uniform(0.1, 0.9, size=(3, n_s))  # P(agree | camp, statement)
    u = rng.random(len(p))
    pa = lean[camp[p], s]
    val = np.where(u < 0.2, 0, np.where(rng.random(len(p)) < pa, 1, -1)).astype(np.int64)
    order = rng.permutation(len(p))  # interleave participants in time
    out = np.empty((len(p), 4), dtype=np.int64)
    out[:, 0], out[:, 1], out[:, 2] = p[order], s[order], val[order]
    out[:, 3] = np.arange(len(p)) + 1_500_000_000_000
    return out


def time_convene(votes, n_s, repeat):
    times, m = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        m = analyze(votes, statements=np.arange(n_s))
        times.append(time.perf_counter() - t0)
    return times, m


def bench_size(n_p, n_s, n_votes, repeat, with_rd, rows):
    votes = synthetic(n_p, n_s, n_votes)
    times, m = time_convene(votes, n_s, repeat)
    conv = statistics.median(times)
    line = {
        "size": f"{n_p:,} × {n_s:,}",
        "votes": f"{len(votes):,}",
        "convene": conv,
        "k": m.k,
        "rd": None,
        "ari": None,
    }
    print(f"{line['size']} {line['votes']} votes: Convene median {conv:.3f} s {times}", flush=True)
    if with_rd:
        r = run_reddwarf(votes, repeat=repeat)
        if r:
            rd = statistics.median(r["seconds"])
            line["rd"] = rd
            ours = dict(zip(m.participants.tolist(), m.group.tolist(), strict=True))
            pairs = [(ours[p], g) for p, g in zip(r["participants"], r["group"], strict=True)]
            pairs = [(a, b) for a, b in pairs if a >= 0 and b >= 0]
            line["ari"] = ari([a for a, _ in pairs], [b for _, b in pairs]) if pairs else None
            print(f"   red-dwarf median {rd:.2f} s {r['seconds']} ratio {rd / conv:.1f}x", flush=True)
    rows.append(line)


def bench_state(n_p, n_s, n_votes, n_new=2000):
    votes = synthetic(n_p, n_s, n_votes, seed=1)
    t0 = time.perf_counter()
    st = OpinionState(votes, statements=np.arange(n_s))
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    st.recompute()
    recompute = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    lat = []
    t_next = int(votes[:, 3].max()) + 1
    for i in range(n_new):
        pid = int(rng.integers(0, n_p + 100))
        t0 = time.perf_counter()
        sid = st.next_statement(pid, rng)
        if sid is not None:
            st.add_vote(pid, sid, int(rng.integers(-1, 2)), t_next + i)
            st.next_statement(pid, rng)
        lat.append(time.perf_counter() - t0)
    lat_ms = np.array(lat) * 1000
    return {
        "size": f"{n_p:,} × {n_s:,} ({len(votes):,} votes)",
        "build": build,
        "recompute": recompute,
        "median_ms": float(np.median(lat_ms)),
        "p99_ms": float(np.percentile(lat_ms, 99)),
    }


def full_child(n_p, n_s, n_votes) -> None:
    """Runs in a subprocess so its peak RSS is its own."""
    votes = synthetic(n_p, n_s, n_votes)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    m = analyze(votes, statements=np.arange(n_s))
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load = max(load0, os.getloadavg()[0])
    print(json.dumps({"seconds": secs, "cpu": cpu, "load": load, "peak_kb": peak, "data_kb": base, "k": m.k}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--no-reddwarf", action="store_true")
    ap.add_argument("--full-only", action="store_true", help="only the 1M case, own section")
    ap.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        full_child(*args.child)
        return
    if args.full_only:
        cmd = [sys.executable, __file__, "--child", "1000000", "10000", "50000000"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        full = json.loads(out.strip().splitlines()[-1])
        text = (
            "1,000,000 participants × 10,000 statements, ~50,000,000 votes (one run, red-dwarf "
            f"not run): {full['seconds']:.1f} s wall, {full['cpu']:.1f} s CPU over both threads "
            f"(1-min load average up to {full['load']:.1f} on 2 cores during the run: other jobs "
            f"shared the machine); peak RSS {full['peak_kb'] / 1e6:.2f} GB for "
            f"the whole process, of which {full['data_kb'] / 1e6:.2f} GB was reached while "
            f"generating the input; {full['k']} groups."
        )
        print(text)
        write_section("opinion-full", text)
        return
    rows: list[dict] = []
    with_rd = not args.no_reddwarf
    if args.quick:
        repeat = args.repeat or 3
        bench_size(2_000, 200, 100_000, repeat, with_rd, rows)
        state = bench_state(2_000, 200, 100_000, n_new=500)
    else:
        repeat = args.repeat or 3
        bench_size(20_000, 1_000, 800_000, repeat, with_rd, rows)
        bench_size(33_000, 800, 2_000_000, repeat, with_rd, rows)
        state = bench_state(10_000, 1_000, 700_000)
    full = None
    if args.full:
        cmd = [sys.executable, __file__, "--child", "1000000", "10000", "50000000"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        full = json.loads(out.strip().splitlines()[-1])
        print("1M x 10k:", full, flush=True)

    md = [
        "Synthetic conversations (3 latent camps, 40–100 votes per participant, ~20 % passes). "
        f"Median of {repeat} runs each, same input for both engines; red-dwarf 0.4.0 "
        "`run_pipeline` (its time excludes building its list of vote dicts).",
        "",
        "| participants × statements | votes | Convene (s) | red-dwarf (s) | ratio | groups ARI Convene vs red-dwarf |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        rd = f"{r['rd']:.2f}" if r["rd"] else "—"
        ratio = f"{r['rd'] / r['convene']:.0f}×" if r["rd"] else "—"
        a = f"{r['ari']:.2f}" if r["ari"] is not None else "—"
        md.append(f"| {r['size']} | {r['votes']} | {r['convene']:.3f} | {rd} | {ratio} | {a} |")
    if full:
        md.append(f"| 1,000,000 × 10,000 | 50,000,000 (approx.) | {full['seconds']:.1f} | not run | — | — |")
        md += [
            "",
            f"1M × 10k: peak RSS {full['peak_kb'] / 1e6:.2f} GB for the whole process, of which "
            f"{full['data_kb'] / 1e6:.2f} GB is the generated input array and generator "
            f"temporaries; {full['k']} groups.",
        ]
    md += [
        "",
        f"OpinionState, {state['size']}: built from the vote array in {state['build']:.3f} s; "
        f"recompute {state['recompute']:.3f} s; one new vote (next_statement + add_vote + "
        f"next_statement with the updated priority): median {state['median_ms']:.3f} ms, "
        f"p99 {state['p99_ms']:.3f} ms.",
    ]
    text = "\n".join(md)
    print(text)
    if not args.quick:
        write_section("opinion", text)
    else:
        write_section("opinion-quick", text)


if __name__ == "__main__":
    main()
