"""GET /api/v1/search?q=…: the same results as the /search/ page, as JSON."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from convene.core.api import ERRORS
from convene.core.errors import InvalidInput

from . import selectors

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str = Field(description="communities, sessions, responses, statements, projects or people")
    title: str
    url: str = Field(description="the page to open")
    detail: str


class SearchOut(Schema):
    query: str
    full_text: bool = Field(description="true on PostgreSQL (ranked full-text search), false on SQLite (icontains)")
    results: list[HitOut]


@router.get("", response={200: SearchOut, **ERRORS}, summary="Search what you may see")
def search(
    request,
    q: str = Query(
        ...,
        min_length=selectors.MIN_QUERY,
        max_length=1000,
        pattern=r"\S[\s\S]*\S",
        description="at least two characters that are not spaces",
    ),
    kind: str = "",
    limit: int = Query(selectors.PER_KIND, ge=1, le=50),
):
    if not 1 <= limit <= 50:
        raise InvalidInput(_("limit must be between 1 and 50."), field="limit")
    kinds = selectors.KINDS
    if kind:
        kinds = tuple(k.strip() for k in kind.split(",") if k.strip())
        unknown = sorted(set(kinds) - set(selectors.KINDS))
        if unknown:
            raise InvalidInput(
                _("Unknown kind %(unknown)s: use %(kinds)s.")
                % {"unknown": ", ".join(unknown), "kinds": ", ".join(selectors.KINDS)},
                field="kind",
            )
    if len(selectors.normalise_query(q)) < selectors.MIN_QUERY:
        raise InvalidInput(
            _("Type at least %(count)d characters to search.") % {"count": selectors.MIN_QUERY}, field="q"
        )
    results = selectors.search(request.user, q, kinds=kinds, limit=limit)
    return {
        "query": results.query,
        "full_text": selectors.full_text(),
        "results": [hit for kind in selectors.KINDS for hit in results.hits.get(kind, [])],
    }
