"""Shared helpers of the opinion benchmarks: red-dwarf venv, subprocess runner, ARI."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
RD_VENV = BENCH / ".venv-reddwarf"
RD_PY = RD_VENV / "bin" / "python"
RD_REQ = BENCH / "requirements-reddwarf.txt"
RD_RUNNER = BENCH / "_opinion_reddwarf.py"


def ensure_reddwarf() -> bool:
    """Create bench/.venv-reddwarf with the pinned requirements if missing."""
    if RD_PY.exists():
        return True
    try:
        venv.create(RD_VENV, with_pip=True)
        subprocess.run([str(RD_PY), "-m", "pip", "install", "-q", "-r", str(RD_REQ)], check=True)
        return True
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"red-dwarf unavailable: {exc}", file=sys.stderr)
        return False


def run_reddwarf(votes: np.ndarray, moderated=(), repeat: int = 1, seed: int = 42) -> dict | None:
    """run_pipeline in its own venv on the same votes; returns seconds + labels."""
    if not ensure_reddwarf():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.npz", Path(tmp) / "out.json"
        np.savez(src, votes=votes, moderated=np.asarray(list(moderated), dtype=np.int64))
        cmd = [str(RD_PY), str(RD_RUNNER), str(src), str(out), "--repeat", str(repeat)]
        proc = subprocess.run(cmd + ["--seed", str(seed)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return None
        return json.loads(out.read_text())


def ari(a, b) -> float:
    """Adjusted Rand index (numpy only)."""
    a = np.unique(np.asarray(a), return_inverse=True)[1]
    b = np.unique(np.asarray(b), return_inverse=True)[1]
    if len(a) < 2:
        return 1.0
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

    def pairs(x):
        return float((x * (x - 1) / 2).sum())

    s_ij, s_a, s_b = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    expected = s_a * s_b / (len(a) * (len(a) - 1) / 2)
    top = (s_a + s_b) / 2
    return 1.0 if top == expected else (s_ij - expected) / (top - expected)
