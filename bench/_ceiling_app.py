"""The ceiling for a Python-served vote on this machine: a bare WSGI app, no Django.

Served by the same gunicorn, driven by the same load client as Convene in `load.py`, it answers
what the vote lane answers (the vote back and a next statement). With CEILING_DATABASE_URL set,
each vote also makes three PostgreSQL statements of the lane's shape through psycopg, prepared,
in autocommit: a lookup by token, an INSERT ... ON CONFLICT of the vote, and a read of the
voter's own votes. Whatever Convene does on top of that is framework and product logic; what
this app cannot reach with the same statements, Convene cannot either.
"""

from __future__ import annotations

import json
import os
import random
import threading

_STATEMENTS = 1000
_local = threading.local()
SETUP = (
    "CREATE TABLE IF NOT EXISTS ceiling_token (secret text PRIMARY KEY, voter serial)",
    "CREATE TABLE IF NOT EXISTS ceiling_vote (voter int, statement int, value smallint, PRIMARY KEY (voter, statement))",
)


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        import psycopg

        conn = _local.conn = psycopg.connect(os.environ["CEILING_DATABASE_URL"], autocommit=True, prepare_threshold=0)
    return conn


def _store(secret: str, statement: int, value: int) -> int:
    conn = _connection()
    if os.environ.get("CEILING_STATEMENTS") == "1":  # the write alone: the floor of a durable vote
        conn.execute("INSERT INTO ceiling_vote VALUES (0, %s, %s) ON CONFLICT DO NOTHING", [statement, value])
        return 0
    row = conn.execute("SELECT voter FROM ceiling_token WHERE secret = %s", [secret]).fetchone()
    if row is None:  # a voter's first vote
        row = conn.execute(
            "INSERT INTO ceiling_token (secret) VALUES (%s) ON CONFLICT (secret) DO UPDATE SET secret = excluded.secret "
            "RETURNING voter",
            [secret],
        ).fetchone()
    voter = row[0]
    conn.execute(
        "INSERT INTO ceiling_vote VALUES (%s, %s, %s) ON CONFLICT (voter, statement) DO NOTHING",
        [voter, statement, value],
    )
    return conn.execute("SELECT count(*) FROM ceiling_vote WHERE voter = %s", [voter]).fetchone()[0]


def _json(start_response, payload: dict, status: str = "200 OK"):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
    pick = random.randrange(1, _STATEMENTS + 1)
    if path == "/healthz":
        return _json(start_response, {"ok": True})
    if method == "GET" and path.endswith("/next"):
        return _json(start_response, {"statement": {"id": pick, "text": f"Statement {pick}"}, "remaining": _STATEMENTS})
    if method == "POST" and path.endswith("/votes"):
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        secret = environ.get("HTTP_AUTHORIZATION", "")[len("Bearer ") :]
        voted = _store(secret, body["statement"], body["value"]) if "CEILING_DATABASE_URL" in os.environ else 0
        following = {"id": pick, "text": f"Statement {pick}"}
        return _json(
            start_response,
            {
                "statement": body["statement"],
                "value": body["value"],
                "next": {"statement": following, "remaining": _STATEMENTS - voted},
            },
        )
    return _json(start_response, {"detail": "not found"}, "404 Not Found")
