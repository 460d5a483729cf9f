"""Reads for inclusion and equity insights, one module per concern; the public names are
re-exported here so callers write `from convene.insights import selectors; selectors.voice_summary(...)`,
and so `core/hooks.py` finds the hooks by name in `convene.insights.selectors`.

Counting happens in the database (grouped queries, a fixed number per page whatever the number
of members). The indices come from `convene.engines.equity`.

Privacy (docs/privacy.md, docs/insights.md): every head count about people goes through the
disclosure adapter (`convene.privacy.disclosure`): perturbed and rounded to 5 (`people_count`,
`people_breakdown`), keyed on the surface and the ids counted, so each filter, date range and
month is its own population and asking again gives the same figures. Indices (Blau, evenness,
Gini) are computed from the protected figures or rounded to 0.05. Diversity answers are only
ever counted, never listed. Names ("not yet heard", the opportunity ledger, rotation
suggestions) are only returned to callers that checked the person is a coordinator.

- common.py          protected cells and breakdowns, indices, dimensions, grouped histograms
- representation.py  who the members are
- voice.py           who contributed, who has not yet been heard
- opportunities.py   who was given roles and chances; the ledger, rotation suggestions
- trends.py          the twelve-month trend and its cache of closed months
- dashboard.py       the community page's dashboard
- contexts.py        per session / response / project (through the context_info hook)
- hooks.py           community_links, turn_suggestions, members_with_skill
"""

# The opportunity kinds, for the callers that offer them as a filter (views, api).
from convene.communities.models import OpportunityKind

from .common import (
    CONTEXT_RE,
    DIVERSITY_NOTE,
    INDEX_STEP,
    MEMBER_ROLES,
    PROFILE_DIMENSIONS,
    THRESHOLD,
    Breakdown,
    Cell,
    coarse,
    profile_categories,
)
from .contexts import (
    ContextReport,
    ContextSummary,
    GroupRow,
    context_in_community,
    context_label,
    context_list,
    context_report,
    context_summaries,
    resolve_context,
    valid_context,
)
from .dashboard import Dashboard, community_dashboard
from .hooks import community_links, members_with_skill, turn_suggestions
from .opportunities import (
    LEDGER_ORDERS,
    OpportunitySummary,
    Suggestion,
    member_opportunities,
    opportunity_ledger,
    opportunity_summary,
    rotation_suggestion,
)
from .representation import RepresentationReport, community_representation, members_qs
from .trends import CLOSED_AFTER, TREND_CACHE_SECONDS, TREND_CACHE_VERSION, Trend, community_trend
from .voice import KindRow, VoiceSummary, member_contributions, not_yet_heard, voice_summary

__all__ = [
    "OpportunityKind",
    "Breakdown",
    "CLOSED_AFTER",
    "CONTEXT_RE",
    "Cell",
    "ContextReport",
    "ContextSummary",
    "DIVERSITY_NOTE",
    "Dashboard",
    "GroupRow",
    "INDEX_STEP",
    "KindRow",
    "LEDGER_ORDERS",
    "MEMBER_ROLES",
    "OpportunitySummary",
    "PROFILE_DIMENSIONS",
    "RepresentationReport",
    "Suggestion",
    "THRESHOLD",
    "TREND_CACHE_SECONDS",
    "TREND_CACHE_VERSION",
    "Trend",
    "VoiceSummary",
    "coarse",
    "community_dashboard",
    "community_links",
    "community_representation",
    "community_trend",
    "context_in_community",
    "context_label",
    "context_list",
    "context_report",
    "context_summaries",
    "member_contributions",
    "member_opportunities",
    "members_qs",
    "members_with_skill",
    "not_yet_heard",
    "opportunity_ledger",
    "opportunity_summary",
    "profile_categories",
    "resolve_context",
    "rotation_suggestion",
    "turn_suggestions",
    "valid_context",
    "voice_summary",
]
