"""The ceiling of the server Convene now runs on: a bare ASGI app on gunicorn's uvicorn worker.

Served like Convene (`convene.asgi`: gunicorn, uvicorn's worker, httptools, uvloop) and driven by
the same load client in `load.py`, it answers what the vote lane answers (the vote back and a
next statement) without Django and without a database: what this server and client reach on
these cores before any work is done for a vote.
"""

from __future__ import annotations

import json
import random

_STATEMENTS = 1000


async def _body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _json(send, payload: dict, status: int = 200) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path, method = scope["path"], scope["method"]
    pick = random.randrange(1, _STATEMENTS + 1)
    following = {"id": pick, "text": f"Statement {pick}"}
    if path == "/healthz":
        await _json(send, {"ok": True})
    elif method == "GET" and path.endswith("/next"):
        await _json(send, {"statement": following, "remaining": _STATEMENTS})
    elif method == "POST" and path.endswith("/votes"):
        vote = json.loads(await _body(receive))
        await _json(
            send,
            {"statement": vote["statement"], "value": vote["value"], "next": {"statement": following, "remaining": 0}},
        )
    else:
        await _json(send, {"detail": "not found"}, 404)
