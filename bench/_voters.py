"""Concurrent voters over real HTTP, with retries, an acknowledgement log and latencies."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field


@dataclass
class VoterLog:
    acked: dict = field(default_factory=dict)  # (token index, statement) -> last acknowledged value
    latencies: list = field(default_factory=list)  # seconds per successful vote request
    errors: int = 0  # responses that were neither 2xx nor a retryable failure
    retries: int = 0  # connection failures and 5xx answered by retrying
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def votes(self) -> int:
        return len(self.latencies)


def _request(conn, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def voter(
    ports: list[int],
    index: int,
    token: str,
    response_id: int,
    deadline: float,
    log: VoterLog,
    max_votes: int,
    seed: int,
) -> None:
    rng = random.Random(seed * 100_003 + index)
    port = ports[index % len(ports)]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    base = f"/api/v1/deliberation/responses/{response_id}"
    next_id = None
    cast = 0
    while time.monotonic() < deadline and cast < max_votes:
        try:
            if next_id is None:
                status, body = _request(conn, "GET", f"{base}/next", token)
                if status >= 500:
                    raise ConnectionError(status)
                statement = json.loads(body)["statement"] if status == 200 else None
                if statement is None:
                    return  # voted on everything
                next_id = statement["id"]
            value = rng.choice((1, 1, -1, 0))
            started = time.perf_counter()
            status, body = _request(conn, "POST", f"{base}/votes", token, {"statement": next_id, "value": value})
            elapsed = time.perf_counter() - started
            if status >= 500:
                raise ConnectionError(status)
            if status != 200:
                with log.lock:
                    log.errors += 1
                next_id = None
                continue
            data = json.loads(body)
            with log.lock:
                log.acked[(index, data["statement"])] = data["value"]
                log.latencies.append(elapsed)
            cast += 1
            following = data["next"]["statement"]
            next_id = following["id"] if following else None
            if next_id is None:
                return
        except (ConnectionError, OSError, http.client.HTTPException, json.JSONDecodeError):
            # The server was killed or the database restarted: reconnect and retry the same vote
            # (casting the same vote twice is harmless by design).
            with log.lock:
                log.retries += 1
            conn.close()
            time.sleep(0.05)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.close()


def run_voters(
    ports: list[int], tokens: list[str], response_id: int, *, seconds: float, max_votes: int = 10**9, seed: int = 0
) -> VoterLog:
    log = VoterLog()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=voter, args=(ports, i, t, response_id, deadline, log, max_votes, seed), daemon=True)
        for i, t in enumerate(tokens)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    return log


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
