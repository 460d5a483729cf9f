"""Run PyPI `anti-clustering`'s exchange heuristic; runs inside bench/.venv-anticlust.

    python _grouping_anticlust.py FEATURES.csv K RESTARTS SEED OUT.json

FEATURES.csv is Convene's encoded feature matrix (one row per person, no
header). The dissimilarity handed to the package is the squared Euclidean
distance between rows, the same objective Convene maximises, so both results
are scored by the same function afterwards. (The package's own `run()` would
min-max scale and use Euclidean + Hamming distances instead; bypassing it
through `_solve` keeps the comparison on one objective.)
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from anti_clustering import ExchangeHeuristicAntiClustering
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import cdist


def main() -> None:
    path, k, restarts, seed, out = sys.argv[1:6]
    x = np.loadtxt(path, delimiter=",", ndmin=2)
    d = cdist(x, x, "sqeuclidean")
    solver = ExchangeHeuristicAntiClustering(random_seed=int(seed), restarts=int(restarts))
    t0 = time.perf_counter()
    matrix = solver._solve(distance_matrix=d, num_groups=int(k))
    seconds = time.perf_counter() - t0
    _, labels = connected_components(np.asarray(matrix, dtype=np.int8), directed=False)
    with open(out, "w") as fh:
        json.dump({"labels": [int(v) for v in labels], "seconds": seconds}, fh)


if __name__ == "__main__":
    main()
