"""Reporting periods: a validated pair of dates, and the twelve calendar months of a trend.

Both the pages and the API take `from` / `to` as ISO dates (YYYY-MM-DD, both inclusive). A bad
date or a reversed range is an `InvalidInput` (400), never a 500. Missing values default to the
last 12 months ending today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from convene.core.errors import InvalidInput

DEFAULT_DAYS = 365
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in the site's time zone."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return _midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """Exclusive upper bound: midnight after `end`."""
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

    def as_query(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def today() -> dt.date:
    return timezone.localdate()


def default_period(*, on: dt.date | None = None) -> Period:
    end = on or today()
    return Period(start=end - dt.timedelta(days=DEFAULT_DAYS - 1), end=end)


def _parse_day(raw: str, field: str) -> dt.date:
    raw = raw.strip()
    try:
        if len(raw) != 10:
            raise ValueError
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": raw[:20]}, field=field
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(
            _("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST.year, "last": LATEST.year},
            field=field,
        )
    return day


def parse_period(raw_from: str | None, raw_to: str | None, *, on: dt.date | None = None) -> Period:
    """A `Period` from optional ISO strings. Empty values take the defaults (last 12 months)."""
    base = default_period(on=on)
    end = _parse_day(raw_to, "to") if raw_to and raw_to.strip() else base.end
    if raw_from and raw_from.strip():
        start = _parse_day(raw_from, "from")
    else:
        start = end - dt.timedelta(days=DEFAULT_DAYS - 1) if raw_to and raw_to.strip() else base.start
        start = max(start, EARLIEST)
    if start > end:
        raise InvalidInput(_("The start date is after the end date."), field="from")
    return Period(start=start, end=end)


@dataclass(frozen=True)
class Month:
    label: str  # "2026-03"
    short: str  # "Mar"
    start: dt.datetime
    end: dt.datetime  # exclusive


def last_months(n: int = 12, *, on: dt.date | None = None) -> list[Month]:
    """The `n` calendar months ending with the current (partial) one, oldest first."""
    day = on or today()
    year, month = day.year, day.month
    firsts = []
    for _month in range(n):
        firsts.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    firsts.reverse()
    out = []
    for i, first in enumerate(firsts):
        nxt = firsts[i + 1] if i + 1 < len(firsts) else _next_month(first)
        out.append(Month(label=f"{first:%Y-%m}", short=f"{first:%b}", start=_midnight(first), end=_midnight(nxt)))
    return out


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
