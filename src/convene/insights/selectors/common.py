"""What the insights readers share: protected cells and breakdowns (through the disclosure adapter),
coarse indices, the profile and diversity dimensions, and the grouped histogram queries."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, IntegerField, Min, QuerySet, Value, When
from django.db.models.functions import Lower, Trim
from django.utils import translation

from convene.accounts.models import DiversityAnswer, Profile, Seniority
from convene.communities.models import (
    Role,
)
from convene.engines import equity
from convene.privacy import disclosure as privacy
from convene.privacy.disclosure import Figure, share

from ..periods import Month

THRESHOLD = privacy.THRESHOLD
MEMBER_ROLES = (Role.MEMBER, Role.COORDINATOR)
CONTEXT_RE = re.compile(r"^[a-z][a-z0-9_-]{0,19}:[A-Za-z0-9_.-]{1,30}$")

# Ask for a materialised CTE where the database understands the hint (PostgreSQL 12+, SQLite 3.35+).
_MATERIALIZED = "" if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35) else "MATERIALIZED "

# (key, label, profile field)
PROFILE_DIMENSIONS = [
    ("discipline", "Discipline", "discipline"),
    ("organisation", "Organisation", "organisation"),
    ("seniority", "Seniority", "seniority"),
]


# --------------------------------------------------------------------------- cells and breakdowns


@dataclass(frozen=True)
class Cell:
    label: str
    value: Figure
    share: Figure  # of the breakdown's protected total, from protected figures only

    @property
    def suppressed(self) -> bool:
        return self.value.hidden

    @property
    def display(self) -> str:
        return self.value.short

    @property
    def count(self) -> int | None:
        return self.value.api()


@dataclass
class Breakdown:
    """One dimension's categories with protected head counts and indices computed from them."""

    key: str
    label: str
    cells: list[Cell]
    total: Figure
    categories: int
    blau: float | None  # from the protected figures, rounded to 0.05; None when too few are shown
    evenness: float | None
    hidden: bool  # every cell is hidden
    band: str | None = None
    note: str = ""

    @property
    def max_count(self) -> int:
        return max((c.count or 0 for c in self.cells), default=0)


INDEX_STEP = 0.05


def coarse(value: float | None, step: float = INDEX_STEP) -> float | None:
    """An index rounded to ``step`` (a coarse band): it says how even, not who."""
    if value is None:
        return None
    return round(round(float(value) / step) * step, 2)


def _indices(figures: Sequence[Figure]) -> tuple[float | None, float | None]:
    """Blau and evenness over the categories, computed from the protected figures only
    (hidden cells count as 0); None when the shown figures add up to fewer than 5 people."""
    values = [f.value or 0 for f in figures]
    if sum(values) < THRESHOLD:
        return None, None
    return coarse(equity.blau(values)), coarse(equity.evenness(values))


def _protected(b: privacy.Breakdown, *, note: str = "") -> Breakdown:
    """The adapter's breakdown as the insight pages, API and CSV show it."""
    answered = [f for label, f in b.rows if label not in (privacy.NOT_ANSWERED, privacy.OTHER_ANSWERS)]
    blau, evenness = _indices(answered)
    return Breakdown(
        key=b.key,
        label=b.label,
        cells=[Cell(label, f, share(f, b.total)) for label, f in b.rows],
        total=b.total,
        categories=len(answered),
        blau=blau,
        evenness=evenness,
        hidden=not b.any_shown,
        band=b.band,
        note=note,
    )


def _norm(value) -> str:
    return " ".join(str(value or "").split())


def category_key(value) -> str:
    return _norm(value).lower()


def _seniority_labels() -> dict[str, str]:
    """Seniority's labels in English whatever the reader's language: they name the cells, and a
    cell's noise is drawn from its name (engines.disclosure), so a translated name would give each
    language its own noise and let someone average it away. Pages translate them when they print
    them (insights_tags.LABELS)."""
    with translation.override(None):
        return {str(k): str(lab) for k, lab in Seniority.choices}


def _pretty_seniority(key: str) -> str:
    return _seniority_labels().get(key, key)


def profile_categories() -> dict[str, dict[str, str]]:
    """Per profile dimension, the categories listed in every insight breakdown: {key: label}.

    Fixed for the whole site, like the diversity answers (``privacy.diversity_categories``):
    seniority's five bands, and for the free-text fields every value (matched without regard to
    case) that at least 5 people on the site give. Rarer values are counted under "Other
    answers", so a row never appears or disappears because of who is in the population.
    """
    out: dict[str, dict[str, str]] = {"seniority": _seniority_labels()}
    for key, _, fieldname in PROFILE_DIMENSIONS:
        if key == "seniority":
            continue
        rows = (
            Profile.objects.annotate(k=Lower(Trim(fieldname)))
            .exclude(k="")
            .values("k")
            .annotate(n=Count("pk"), label=Min(Trim(fieldname)))
            .filter(n__gte=THRESHOLD)
            .order_by("-n", "k")
        )
        out[key] = {r["k"]: _norm(r["label"]) for r in rows}
    return out


@dataclass
class Facts:
    """Per person: each profile fact (normalised key) and each shared diversity answer."""

    profile: dict[str, dict[int, str]]  # dimension -> user id -> key
    diversity: dict[str, dict[int, str]]  # attribute -> user id -> answer
    profile_cats: dict[str, dict[str, str]]
    diversity_cats: dict[str, list[str]]

    def values(self, dim: str) -> tuple[dict[int, str], list[str]]:
        """(user id -> category label, the fixed category list) of one dimension."""
        if dim.startswith("diversity:"):
            attr = dim.split(":", 1)[1]
            return self.diversity.get(attr, {}), self.diversity_cats.get(attr, [])
        cats = self.profile_cats.get(dim, {})
        per = self.profile.get(dim, {})
        return {u: cats.get(k, k) for u, k in per.items()}, list(cats.values())


def facts_of(user_ids: Iterable[int], *, extra: dict[str, dict[int, str]] | None = None) -> Facts:
    ids = list(user_ids)
    profile: dict[str, dict[int, str]] = {key: {} for key, _, _ in PROFILE_DIMENSIONS}
    fields = [f for _, _, f in PROFILE_DIMENSIONS]
    for row in Profile.objects.filter(user_id__in=ids).values_list("user_id", *fields):
        for (key, _, _), value in zip(PROFILE_DIMENSIONS, row[1:], strict=True):
            k = category_key(value)
            if k:
                profile[key][row[0]] = k
    profile.update(extra or {})
    diversity: dict[str, dict[int, str]] = {}
    for attr, uid, value in DiversityAnswer.objects.filter(user_id__in=ids).values_list(
        "attribute", "user_id", "value"
    ):
        diversity.setdefault(attr, {})[uid] = value
    cats = {a: privacy.diversity_categories(a) for a in settings.DIVERSITY_ATTRIBUTES}
    return Facts(profile, diversity, profile_categories(), cats)


DIVERSITY_NOTE = "Only members who chose to share this answer are counted."


def protected_breakdowns(
    surface: str, facts: Facts, population: Iterable[int], dims: dict[str, str]
) -> list[Breakdown]:
    """Protected breakdowns of one population, one per dimension (key -> label)."""
    ids = sorted({int(i) for i in population})
    out = []
    for dim, label in dims.items():
        values, categories = facts.values(dim)
        b = privacy.people_breakdown(
            surface=surface, key=dim, label=label, values=values, categories=categories, population=ids
        )
        out.append(_protected(b, note=DIVERSITY_NOTE if dim.startswith("diversity:") else ""))
    return out


def dimension_maps() -> tuple[dict[str, str], dict[str, str]]:
    profile = {key: label for key, label, _ in PROFILE_DIMENSIONS}
    diversity = {f"diversity:{a}": label for a, label in settings.DIVERSITY_ATTRIBUTES.items()}
    return profile, diversity


def histogram_rows(inner: QuerySet, group: Sequence[str] = (), kinds: Sequence[str] = ()) -> list[tuple]:
    """For `inner` = values(*group, person).annotate(n=Count(...)): rows (*group, n, people with n).

    Lets Gini be computed from a few hundred rows instead of one row per person. Parameterised
    SQL around the ORM's own query, so it runs the same on SQLite and PostgreSQL.

    With `kinds`, `inner` also annotates `k_<kind>` (that person's entries of the kind) and each
    row goes on with, per kind, how many of those people have one or more and how many entries
    they have: distinct people per kind out of the same single grouped query.
    """
    sql, params = inner.query.sql_with_params()
    q = connection.ops.quote_name
    cols = "".join(f"t.{q(c)}, " for c in group)
    per_kind = "".join(f", SUM(CASE WHEN t.{q('k_' + k)} > 0 THEN 1 ELSE 0 END), SUM(t.{q('k_' + k)})" for k in kinds)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols}t.{q('n')}, COUNT(*){per_kind} FROM ({sql}) t GROUP BY {cols}t.{q('n')}",  # noqa: S608
            params,
        )
        g = len(group)
        return [(*row[:g], *(int(v or 0) for v in row[g:])) for row in cursor.fetchall()]


def histogram_values(rows: Iterable[tuple[int, int]], population: int) -> np.ndarray:
    """Per-person counts (order irrelevant) with the silent members as zeros."""
    rows = [(int(r[0]), int(r[1])) for r in rows if r[0]]
    counts = np.repeat(np.array([n for n, _ in rows], dtype=float), [k for _, k in rows]) if rows else np.zeros(0)
    zeros = max(population - counts.size, 0)
    return np.concatenate([counts, np.zeros(zeros)])


def month_bucket(fieldname: str, months: Sequence[Month]) -> Case:
    """Index of the month a timestamp falls in: -1 before the window, len(months) after it."""
    whens = [When(**{f"{fieldname}__lt": months[0].start}, then=Value(-1))]
    whens += [When(**{f"{fieldname}__lt": m.end}, then=Value(i)) for i, m in enumerate(months)]
    return Case(*whens, default=Value(len(months)), output_field=IntegerField())
