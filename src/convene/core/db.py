"""Prepared statements for the few hot queries (the vote lane), on PostgreSQL.

Django binds parameters on the client and never prepares a statement, which keeps connection
poolers simple but makes PostgreSQL plan every query again: for the vote lane's ballot query
planning costs several times more than running it. `hot_cursor()` gives a Django cursor (same
connection, transaction, error wrapping and query logging) whose statements are planned once
per connection. Everything else keeps Django's cursors. Turn it off with DB_PREPARED_STATEMENTS
=false behind a pooler that cannot keep prepared statements (pgbouncer in transaction mode
before 1.21).
"""

from __future__ import annotations

import functools
import re

from django.db import connection

_CASTS = re.compile(r"::[a-z]+(\[\])?")


def prepared_statements_on() -> bool:
    return (
        connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


def hot_cursor():
    if not prepared_statements_on():
        return connection.cursor()
    import psycopg

    # No health check ("SELECT 1" per request): the lane catches a broken connection on its
    # first statement and hands the request to the full stack, which reconnects (see lane.py).
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # A server-binding cursor: the connection's prepare_threshold (0) prepares it at first use.
        return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def for_vendor(sql: str) -> str:
    """Hot SQL is written for PostgreSQL, with the casts a server-bound (prepared) statement needs
    for its parameters; SQLite has no casts, so they are dropped there."""
    return sql if connection.vendor == "postgresql" else _without_casts(sql)


@functools.lru_cache(maxsize=64)
def _without_casts(sql: str) -> str:
    return _CASTS.sub("", sql)
