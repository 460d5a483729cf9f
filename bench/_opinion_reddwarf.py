"""Run red-dwarf's run_pipeline on votes from an .npz; runs inside bench/.venv-reddwarf.

Usage: python _opinion_reddwarf.py IN.npz OUT.json [--repeat N] [--seed S]
IN.npz holds `votes` (n, 4: participant, statement, value, timestamp) and
`moderated` (statement ids). Duplicates are removed first (last vote by
timestamp wins) because red-dwarf fails on them; only run_pipeline is timed.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np


def main() -> None:
    warnings.filterwarnings("ignore")
    src, out = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    data = np.load(src)
    v = data["votes"]
    mod = [int(x) for x in data["moderated"]]
    order = np.lexsort((np.arange(len(v)), v[:, 3]))  # time order, ties by row order
    v = v[order]
    key = v[:, 0].astype(np.int64) * (int(v[:, 1].max()) + 1) + v[:, 1].astype(np.int64)
    _, last_rev = np.unique(key[::-1], return_index=True)
    v = v[len(v) - 1 - last_rev]
    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(x), "modified": float(t)}
        for p, s, x, t in v.tolist()
    ]
    from reddwarf.implementations.polis import run_pipeline

    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run_pipeline(votes=votes, mod_out_statement_ids=mod, random_state=seed)
        times.append(time.perf_counter() - t0)
    pdf = result.participants_df
    cid = pdf["cluster_id"]
    labels = cid.astype("Int64").fillna(-1).astype(int).tolist()
    with open(out, "w") as fh:
        json.dump(
            {
                "seconds": times,
                "participants": [int(p) for p in pdf.index.tolist()],
                "group": labels,
            },
            fh,
        )


if __name__ == "__main__":
    main()
