"""Set-based column updates (core.db.column_set), on SQLite and PostgreSQL alike."""

import pytest

from convene.core.db import column_set
from convene.deliberation.models import Statement

from ..worlds import build_boundary


@pytest.fixture
def boundary(db):
    """The deliberation tests' boundary response: statements are a table with a scope column."""
    return build_boundary()


@pytest.mark.django_db
def test_column_set_writes_only_changed_rows_within_the_scope(boundary):
    response = boundary.open_response()
    mine = [boundary.statement(response, f"Statement {i}") for i in range(3)]
    theirs = boundary.statement(boundary.open_response(), "Another response's statement")
    Statement.objects.filter(pk__in=[s.pk for s in [*mine, theirs]]).update(extremity=0.5)
    table = Statement._meta.db_table
    values = {mine[0].pk: 0.25, mine[1].pk: 0.5, mine[2].pk: 1.0, theirs.pk: 0.75}

    changed = column_set(table, "extremity", values, scope=("response_id", response.pk), chunk=2)

    assert changed == 2  # mine[1] already held its value; theirs is out of scope
    stored = dict(Statement.objects.filter(pk__in=values).values_list("pk", "extremity"))
    assert stored == {mine[0].pk: 0.25, mine[1].pk: 0.5, mine[2].pk: 1.0, theirs.pk: 0.5}
    assert column_set(table, "extremity", values, scope=("response_id", response.pk)) == 0
    assert column_set(table, "extremity", {}, scope=("response_id", response.pk)) == 0


def test_column_set_refuses_names_that_are_not_plain_identifiers():
    with pytest.raises(ValueError):
        column_set("deliberation_statement; DROP TABLE x", "extremity", {1: 1.0}, scope=("response_id", 1))
    with pytest.raises(ValueError):
        column_set("deliberation_statement", "extremity", {1: 1.0}, scope=("id = id OR 1", 1))
