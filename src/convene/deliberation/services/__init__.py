"""Write paths for joint responses, one module per sub-domain; the public names are re-exported
here so callers write `from convene.deliberation import services; services.vote_cast(...)`.

- responses.py    create, update, move through the phases
- requests.py     requests for opinion from outside (and their tracking links)
- mail.py         the mail a request for opinion sends
- statements.py   submit, moderate, mark key
- votes.py        vote_cast (the one way to vote) and vote_record
- perception.py   perception-gap predictions
- drafting.py     the seeded draft, versions, paragraph comments, minority views
- endorsement.py  endorsement_cast
- polis.py        a Pol.is export as a new response; statements seeded from a CSV
- maps.py         asking for the opinion map (stale on change, refreshed before a page reads it)
- common.py       who takes part, phase guards, the voice ledger

The opinion map itself is computed and stored only in `convene.deliberation.opinion_map`.
"""

from convene.core.errors import RateLimited

from .common import participant_for
from .drafting import (
    comment_add,
    draft_save,
    draft_seed,
    minority_view_add,
    minority_view_answer,
    paragraph_key,
    split_paragraphs,
)
from .endorsement import endorsement_cast
from .mail import tracking_url
from .maps import map_refresh, map_revision_bump
from .perception import prediction_save
from .personal_data import personal_data_erase
from .polis import polis_export_read, response_import_polis, statements_seed
from .requests import opinion_request_accept, opinion_request_decline, opinion_request_relink, opinion_request_submit
from .responses import response_create, response_export_record, response_transition, response_update
from .statements import MODERATION, statement_mark_key, statement_moderate, statement_submit
from .votes import vote_cast, vote_record, vote_value

__all__ = [
    "MODERATION",
    "RateLimited",
    "comment_add",
    "draft_save",
    "draft_seed",
    "endorsement_cast",
    "map_refresh",
    "map_revision_bump",
    "minority_view_add",
    "minority_view_answer",
    "opinion_request_accept",
    "opinion_request_decline",
    "opinion_request_relink",
    "opinion_request_submit",
    "paragraph_key",
    "participant_for",
    "polis_export_read",
    "prediction_save",
    "response_create",
    "response_export_record",
    "response_import_polis",
    "response_transition",
    "response_update",
    "split_paragraphs",
    "personal_data_erase",
    "statement_mark_key",
    "statement_moderate",
    "statement_submit",
    "statements_seed",
    "tracking_url",
    "vote_cast",
    "vote_record",
    "vote_value",
]
