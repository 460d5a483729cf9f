"""Load client: N concurrent voters over keep-alive HTTP/1.1, in its own process (asyncio, one core).

    python bench/_loadclient.py SPEC.json OUT.json

SPEC holds ports, response id, tokens, seconds, max_votes, the route's base path and `rate`, the
offered load in votes a second for all voters together (0: each voter votes as fast as its
answers come, i.e. saturation). Every voter first opens its connection and asks for its first
statement; the clock (schedules, deadline, client CPU) starts once all have one, as a room starts
voting once its page has loaded, so the 64 simultaneous first reads are not counted against the
first votes' schedule. Paced, voter i then sends a vote every len(tokens)/rate seconds, the
voters' schedules spread evenly; a vote's latency is counted from the moment it was due, so a
server that falls behind pays for the queue it builds (no coordinated omission). Each voter votes
on whatever statement the previous answer offered, until the deadline, max_votes or the end of
the statements. A vote counts as acknowledged only when its answer is
200; after a connection error or a 5xx the voter reconnects and sends the same vote again (the
same vote twice is harmless by design). Only 127.0.0.1 is ever contacted; every loop is bounded
by the deadline. OUT gets, per voter, the acknowledged (statement, value) pairs in order, and
the latency of every acknowledged vote.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

HOST = "127.0.0.1"


class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(HOST, self.port), 10)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _chunks(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(p[:-2] for p in parts)

    async def request(self, method: str, path: str, token: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 10)
        status = int(head[9:12])
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get(b"transfer-encoding") == b"chunked":
            payload = await asyncio.wait_for(self._chunks(), 10)
        else:
            length = int(headers.get(b"content-length", 0))
            payload = await asyncio.wait_for(self.reader.readexactly(length), 10) if length else b""
        if headers.get(b"connection") == b"close":
            self.close()  # the server closes after this answer: reconnect for the next request
        return status, payload


def _base(spec: dict) -> str:
    return f"{spec.get('base', '/api/v1/deliberation')}/responses/{spec['response']}"


async def offered_id(conn: Connection, base: str, token: str) -> int | None:
    """The statement the server offers next (None: none left); ConnectionError on a 5xx."""
    status, body = await conn.request("GET", f"{base}/next", token)
    if status >= 500:
        raise ConnectionError(status)
    statement = json.loads(body)["statement"] if status == 200 else None
    return statement["id"] if statement else None


async def first_statement(index: int, spec: dict) -> tuple[Connection, int | None]:
    """The voter's connection and first statement (None: none left, or the server did not answer
    within the setup time, and the voter asks again once voting starts)."""
    conn = Connection(spec["ports"][index % len(spec["ports"])])
    setup_deadline = time.monotonic() + 30
    while time.monotonic() < setup_deadline:
        try:
            return conn, await offered_id(conn, _base(spec), spec["tokens"][index])
        except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
            conn.close()
        await asyncio.sleep(0.05)
    return conn, None


async def voter(index: int, spec: dict, deadline: float, out: dict, conn: Connection, next_id: int | None) -> None:
    rng = random.Random(spec.get("seed", 0) * 100_003 + index)
    token = spec["tokens"][index]
    base = _base(spec)
    acked, latencies = out["acked"][index], out["latencies"]
    rate = spec.get("rate") or 0
    interval = len(spec["tokens"]) / rate if rate else 0.0
    due = time.monotonic() + interval * index / len(spec["tokens"])
    cast = 0
    while time.monotonic() < deadline and cast < spec["max_votes"]:
        try:
            if next_id is None:
                next_id = await offered_id(conn, base, token)
                if next_id is None:
                    break  # voted on everything
            value = rng.choice((1, 1, -1, 0))
            body = json.dumps({"statement": next_id, "value": value}).encode()
            if interval:
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if time.monotonic() >= deadline:
                    break
            started = time.perf_counter()
            if interval:  # from when the vote was due: a late start is the server's queue
                started -= max(0.0, time.monotonic() - due)
            status, answer = await conn.request("POST", f"{base}/votes", token, body)
            elapsed = time.perf_counter() - started
            due += interval
            if status >= 500:
                raise ConnectionError(status)
            if status != 200:
                out["errors"] += 1
                out["error_samples"].append([status, answer[:200].decode(errors="replace")])
                next_id = None
                continue
            data = json.loads(answer)
            acked.append([data["statement"], data["value"]])
            latencies.append(elapsed)
            cast += 1
            following = data["next"]["statement"]
            next_id = following["id"] if following else None
            if next_id is None:
                break
        except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
            # The server was killed or the database restarted: reconnect and send the same vote again.
            out["retries"] += 1
            conn.close()
            await asyncio.sleep(0.05)
    conn.close()


async def main(spec: dict) -> dict:
    out = {"acked": [[] for _ in spec["tokens"]], "latencies": [], "errors": 0, "retries": 0, "error_samples": []}
    voters = range(len(spec["tokens"]))
    firsts = await asyncio.gather(*(first_statement(i, spec) for i in voters))
    started, cpu = time.monotonic(), time.process_time()
    deadline = started + spec["seconds"]
    await asyncio.gather(*(voter(i, spec, deadline, out, *firsts[i]) for i in voters))
    out["seconds"] = time.monotonic() - started
    out["cpu_seconds"] = time.process_time() - cpu
    out["error_samples"] = out["error_samples"][:10]
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    result = asyncio.run(main(spec))
    with open(sys.argv[2], "w") as f:
        json.dump(result, f)
