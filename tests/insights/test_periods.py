import datetime as dt

import pytest

from convene.core.errors import InvalidInput
from convene.insights.periods import last_months, parse_period

DAY = dt.date(2026, 3, 15)


def test_defaults_are_the_last_12_months():
    p = parse_period(None, "", on=DAY)
    assert (p.start, p.end, p.days) == (dt.date(2025, 3, 16), DAY, 365)
    assert p.since < p.until


def test_only_to_given_counts_back_a_year():
    p = parse_period("", "2024-06-30", on=DAY)
    assert p.start == dt.date(2023, 7, 2)


def test_single_day_is_a_period():
    p = parse_period("2026-01-01", "2026-01-01", on=DAY)
    assert p.days == 1 and (p.until - p.since) == dt.timedelta(days=1)


@pytest.mark.parametrize(
    "raw_from, raw_to, field",
    [
        ("yesterday", None, "from"),
        ("2026-02-30", None, "from"),
        (None, "2026-13-01", "to"),
        ("20260101", None, "from"),
        ("0001-01-01", None, "from"),
        ("9999-12-31", "9999-12-31", "to"),
        ("2026-03-02", "2026-03-01", "from"),
        ("x" * 500, None, "from"),
    ],
)
def test_bad_input_is_invalid_input(raw_from, raw_to, field):
    with pytest.raises(InvalidInput) as exc:
        parse_period(raw_from, raw_to, on=DAY)
    assert exc.value.field == field and exc.value.status == 400


def test_last_months_wraps_the_year():
    months = last_months(12, on=DAY)
    assert [m.label for m in months][:2] == ["2025-04", "2025-05"] and months[-1].label == "2026-03"
    assert all(a.end == b.start for a, b in zip(months, months[1:], strict=False))
    assert months[-1].end.date() == dt.date(2026, 4, 1)
