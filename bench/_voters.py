"""Concurrent voters over real HTTP, with retries, an acknowledgement log and latencies.

The voters run in a separate process (`_loadclient.py`, asyncio), so the client's own work does
not share the Python interpreter, or its lock, with the orchestration of a run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CLIENT = Path(__file__).with_name("_loadclient.py")


@dataclass
class VoterLog:
    acked: dict = field(default_factory=dict)  # (token index, statement) -> last acknowledged value
    latencies: list = field(default_factory=list)  # seconds per successful vote request
    errors: int = 0  # responses that were neither 2xx nor a retryable failure
    retries: int = 0  # connection failures and 5xx answered by retrying
    seconds: float = 0.0  # how long the voters ran
    client_cpu_seconds: float = 0.0  # the load client's own CPU over the run
    error_samples: list = field(default_factory=list)

    @property
    def votes(self) -> int:
        return len(self.latencies)


def run_voters(
    ports: list[int],
    tokens: list[str],
    response_id: int,
    *,
    seconds: float,
    max_votes: int = 10**9,
    seed: int = 0,
    rate: float = 0,
    base: str = "/api/v1/deliberation",
) -> VoterLog:
    spec = {
        "rate": rate,
        "base": base,
        "ports": ports,
        "tokens": tokens,
        "response": response_id,
        "seconds": seconds,
        "max_votes": max_votes,
        "seed": seed,
    }
    with tempfile.TemporaryDirectory(prefix="convene-load-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(spec))
        subprocess.run([sys.executable, str(CLIENT), str(spec_path), str(out_path)], check=True, timeout=seconds + 60)
        out = json.loads(out_path.read_text())
    log = VoterLog(
        latencies=out["latencies"],
        errors=out["errors"],
        retries=out["retries"],
        seconds=out["seconds"],
        client_cpu_seconds=out.get("cpu_seconds", 0.0),
        error_samples=out["error_samples"],
    )
    for index, pairs in enumerate(out["acked"]):
        for statement, value in pairs:
            log.acked[(index, statement)] = value
    return log


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
