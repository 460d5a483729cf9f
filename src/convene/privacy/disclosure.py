"""The one door through which figures about people leave Convene.

Every selector, page, API route and export that counts people (or computes a percentage, index
or chart from such counts) gets its figures from this module, which applies the method of
``convene.engines.disclosure`` (``docs/privacy.md``). Selectors that do are marked with
:func:`people_aggregate`; ``tests/privacy/test_enumeration.py`` reads the source tree and fails
on a function that counts people without the mark, or that carries the mark but never calls
this module.

Population keys are keyed hashes (HMAC with ``PRIVACY_KEY``, by default ``SECRET_KEY``) of the
surface name and the sorted ids of everyone the figure is about: the same population always gets
the same figures; any other population gets fresh noise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db.models import Count
from django.utils.crypto import salted_hmac

from convene.accounts.models import DiversityAnswer
from convene.engines import disclosure as engine
from convene.engines.disclosure import THRESHOLD, Figure, Merge, diversity_band, exact, hidden, share

__all__ = [
    "AGGREGATES",
    "activity_count",
    "NOT_ANSWERED",
    "OTHER_ANSWERS",
    "THRESHOLD",
    "Breakdown",
    "Figure",
    "Merge",
    "diversity_band",
    "diversity_breakdowns",
    "exact",
    "group_sizes",
    "hidden",
    "people_aggregate",
    "people_breakdown",
    "people_count",
    "population_key",
    "share",
]

NOT_ANSWERED = "Not answered"
OTHER_ANSWERS = "Other answers"

F = TypeVar("F", bound=Callable)

AGGREGATES: dict[str, Callable] = {}


def people_aggregate(func: F) -> F:
    """Mark a function that returns figures about people (all of them from this module)."""
    AGGREGATES[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def population_key(surface: str, person_ids: Iterable[int]) -> bytes:
    """The key of one population on one surface (see the module docstring)."""
    ids = ",".join(str(i) for i in sorted({int(i) for i in person_ids}))
    secret = getattr(settings, "PRIVACY_KEY", None) or settings.SECRET_KEY
    return salted_hmac("convene.privacy.population", f"{surface}|{ids}", secret=secret, algorithm="sha256").digest()


def people_count(*, surface: str, person_ids: Iterable[int], cell: str = "people") -> Figure:
    """How many distinct people are in a population, perturbed and rounded."""
    ids = {int(i) for i in person_ids}
    return engine.protect_count(len(ids), key=population_key(surface, ids), cell=cell)


def activity_count(*, surface: str, person_ids: Iterable[int], entries: int) -> Figure:
    """How many entries (contributions, opportunities) a population of people made.

    Perturbed and rounded like a head count, on the key of the people behind the entries (the
    same key as ``people_count(surface=surface, person_ids=...)``), and hidden whenever that head
    count is hidden: a number of entries describes the people who made them.
    """
    ids = {int(i) for i in person_ids}
    key = population_key(surface, ids)
    if engine.protect_count(len(ids), key=key, cell="people").hidden:
        return hidden()
    return engine.protect_count(entries, key=key, cell="entries")


@dataclass(frozen=True)
class Breakdown:
    """One protected breakdown of a population (e.g. by gender), ready for a table and a chart."""

    key: str
    label: str
    rows: list[tuple[str, Figure]]
    total: Figure
    band: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def any_shown(self) -> bool:
        return any(f.shown for _, f in self.rows)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "rows": [{"value": v, "count": f.api(), "shown": f.short, "text": str(f)} for v, f in self.rows],
            "total": self.total.api(),
            "total_text": str(self.total),
            "band": self.band,
        }


def people_breakdown(
    *,
    surface: str,
    key: str,
    label: str,
    values: Mapping[int, str],
    categories: Sequence[str] = (),
    population: Iterable[int] | None = None,
) -> Breakdown:
    """A breakdown of ``population`` (default: the people in ``values``) by one value per person.

    ``categories`` fixes which rows are listed whatever the population (so that a row appearing
    or disappearing reveals nothing); values not among them are counted under "Other answers";
    people of the population without a value count as "Not answered".
    """
    ids = {int(i) for i in (population if population is not None else values)}
    counts: Counter[str] = Counter()
    wanted = list(categories)
    known = set(wanted)
    for person in ids:
        value = values.get(person)
        if value is None:
            counts[NOT_ANSWERED] += 1
        elif not known or value in known:
            counts[value] += 1
        else:
            counts[OTHER_ANSWERS] += 1
    order = wanted or sorted(c for c in counts if c not in (NOT_ANSWERED, OTHER_ANSWERS))
    if known:
        order = [*order, OTHER_ANSWERS]
    order = [*order, NOT_ANSWERED]
    cells = {c: counts.get(c, 0) for c in order}
    pop_key = population_key(f"{surface}:{key}", ids)
    shown, total = engine.protect_table(cells, key=pop_key, total=len(ids))
    assert total is not None
    rows = [(c, f) for c, f in shown.items() if not (c == OTHER_ANSWERS and f.hidden)]
    answered = [f for c, f in rows if c not in (NOT_ANSWERED, OTHER_ANSWERS)]
    return Breakdown(key=key, label=label, rows=rows, total=total, band=diversity_band(answered))


def diversity_categories(attribute: str) -> list[str]:
    """The answers listed for one attribute: every answer given by at least THRESHOLD people site-wide.

    Fixed for the whole site (not the population being described), in order of site-wide
    frequency; rarer answers are counted under "Other answers".
    """
    rows = (
        DiversityAnswer.objects.filter(attribute=attribute)
        .values("value")
        .annotate(n=Count("id"))
        .filter(n__gte=THRESHOLD)
        .order_by("-n", "value")
    )
    return [r["value"] for r in rows]


@people_aggregate
def diversity_breakdowns(*, surface: str, person_ids: Iterable[int]) -> list[Breakdown]:
    """Protected breakdowns of a population by each private diversity attribute."""
    ids = sorted({int(i) for i in person_ids})
    answers: dict[str, dict[int, str]] = {}
    for row in DiversityAnswer.objects.filter(user_id__in=ids).values_list("attribute", "user_id", "value"):
        answers.setdefault(row[0], {})[row[1]] = row[2]
    return [
        people_breakdown(
            surface=surface,
            key=attribute,
            label=label,
            values=answers.get(attribute, {}),
            categories=diversity_categories(attribute),
            population=ids,
        )
        for attribute, label in settings.DIVERSITY_ATTRIBUTES.items()
    ]


def group_sizes(sizes: Mapping, *, threshold: int = THRESHOLD) -> Merge:
    """Which named groups of people may be described alone (see ``engine.merge_small_groups``)."""
    return engine.merge_small_groups(sizes, threshold=threshold)
