"""The record of a session: notes and outcomes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.communities.ledgers import contribution_record
from convene.core.text import clean_text

from ..models import (
    Note,
    Outcome,
    Session,
    SessionState,
)
from .common import RECORD_STATES, community_of, require_state


@transaction.atomic
def note_add(*, session: Session, author: User, text: str) -> Note:
    require_state(session, RECORD_STATES, _("Adding notes"))
    note = Note.objects.create(
        session=session, author=author, text=clean_text(text, field="text", limit=5000, required=True)
    )
    contribution_record(
        community=community_of(author, session) or session.host, user=author, kind="note", context=session.context
    )
    return note


@transaction.atomic
def outcome_add(*, session: Session, actor: User, text: str) -> Outcome:
    require_state(session, (SessionState.IN_PROGRESS, SessionState.HELD), _("Recording outcomes"))
    return Outcome.objects.create(
        session=session, created_by=actor, text=clean_text(text, field="text", limit=3000, required=True)
    )
