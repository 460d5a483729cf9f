"""Reads for joint responses, one module per concern; the public names are re-exported here
(`from convene.deliberation import selectors; selectors.map_view(...)`). Selectors never write.

- voting.py   next_statement (one algorithm, a per-revision pool in the cache), my_votes
- reports.py  map_view (reads the stored map), coverage, endorsement_summary, perception report
- drafting.py version_history (word-level comparisons), phase_moves, delivery_checklist
- lookups.py  the `<thing>_in` lookups pages and the API share; who may be invited
- hooks.py    the functions `convene.core.hooks` finds by name here: home_items, upcoming,
              community_links, context_info, contexts_for, personal_data
"""

from .drafting import (
    ANSWER_PLACEHOLDER,
    CheckItem,
    PhaseMoves,
    VersionEntry,
    delivery_checklist,
    needs_confirmation,
    phase_moves,
    version_history,
)
from .hooks import community_links, context_info, contexts_for, home_items, personal_data, upcoming
from .lookups import (
    community_choices,
    minority_view_in,
    moderation_queue,
    paragraph_comments,
    responses_for,
    statement_in,
    unseen_invited,
)
from .reports import (
    HIDDEN_NOTE,
    LETTERS,
    OTHER_COMMUNITIES,
    TAKING_PART,
    coverage,
    endorsement_summary,
    map_view,
    perception_open,
    perception_report,
    perception_statements_for,
    pseudonym_order,
)
from .voting import POOL_SECONDS, Pool, my_votes, next_statement, rng_for, statement_pool

__all__ = [
    "ANSWER_PLACEHOLDER",
    "CheckItem",
    "PhaseMoves",
    "VersionEntry",
    "delivery_checklist",
    "needs_confirmation",
    "phase_moves",
    "version_history",
    "HIDDEN_NOTE",
    "LETTERS",
    "OTHER_COMMUNITIES",
    "POOL_SECONDS",
    "TAKING_PART",
    "Pool",
    "community_choices",
    "community_links",
    "context_info",
    "contexts_for",
    "coverage",
    "endorsement_summary",
    "home_items",
    "map_view",
    "minority_view_in",
    "moderation_queue",
    "my_votes",
    "next_statement",
    "paragraph_comments",
    "perception_open",
    "perception_report",
    "perception_statements_for",
    "personal_data",
    "pseudonym_order",
    "responses_for",
    "rng_for",
    "statement_in",
    "statement_pool",
    "unseen_invited",
    "upcoming",
]
