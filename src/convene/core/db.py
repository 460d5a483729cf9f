"""Prepared statements for the few hot queries (the next statement to vote on), on PostgreSQL.

Django binds parameters on the client and never prepares a statement, which keeps connection
poolers simple but makes PostgreSQL plan every query again: for the hot reads planning costs
several times more than running them. `hot_cursor()` gives a Django cursor (same connection,
transaction, error wrapping and query logging) whose statements are planned once per connection.
Everything else keeps Django's cursors. Turn it off with DB_PREPARED_STATEMENTS=false behind a
pooler that cannot keep prepared statements (pgbouncer in transaction mode before 1.21). The vote
lane's own batch statement is prepared on the lane's own connection (deliberation/lane.py).
"""

from __future__ import annotations

import functools
import re

from django.db import connection

_CASTS = re.compile(r"::[a-z]+(\[\])?")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def prepared_statements_on() -> bool:
    return (
        connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


def hot_cursor():
    """A cursor on Django's connection whose statements are prepared (see above)."""
    if not prepared_statements_on():
        return connection.cursor()
    import psycopg

    # No health check ("SELECT 1" per query): a broken connection fails its first statement; the
    # lane then hands the request to the full route, and Django's upkeep after it closes the
    # connection (see lane.py).
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


def column_set(table: str, column: str, values: dict[int, float], *, scope: tuple[str, int], chunk: int = 500) -> int:
    """Set `column` of many rows of `table` by id in set-based UPDATEs, touching only the rows whose
    value changes and only rows where `scope` (column, value) holds; the number of rows changed.

    Django's bulk_update builds one CASE WHEN per row in Python, which costs the map worker more
    than computing the map (1,000 statements: ~0.5 s). Table and column names come from code,
    never from input.
    """
    if not values:
        return 0
    scope_column, scope_value = scope
    if not all(_IDENTIFIER.match(name) for name in (table, column, scope_column)):
        raise ValueError("column_set takes table and column names from code only")
    changed = 0
    items = list(values.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (  # names checked above, values bound
                f"UPDATE {table} AS t SET {column} = u.v FROM unnest(%s::bigint[], %s::float8[]) AS u(id, v) "  # noqa: S608
                f"WHERE t.id = u.id AND t.{scope_column} = %s AND t.{column} IS DISTINCT FROM u.v"
            )
            cursor.execute(sql, [[k for k, _ in items], [float(v) for _, v in items], scope_value])
            return cursor.rowcount
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            rows = ", ".join(["(%s, %s)"] * len(part))
            sql = (  # names checked above, values bound
                f"UPDATE {table} SET {column} = u.column2 FROM (VALUES {rows}) AS u WHERE {table}.id = u.column1 "  # noqa: S608
                f"AND {table}.{scope_column} = %s AND {table}.{column} IS NOT u.column2"
            )
            cursor.execute(sql, [*(x for k, v in part for x in (k, float(v))), scope_value])
            changed += cursor.rowcount
    return changed
