"""The breakthrough picker: candidates proposed, rated and picked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text

from ..models import (
    Candidate,
    Commitment,
    Rating,
    Session,
)
from .common import RECORD_STATES, require_state


def _picker_open(session: Session) -> None:
    if not session.activity.is_boundary:
        raise Conflict(_("The breakthrough picker belongs to boundary engagements."), code="not_boundary")
    require_state(session, RECORD_STATES, _("The picker"))


@transaction.atomic
def candidate_propose(*, session: Session, user: User, title: str, description: str = "") -> Candidate:
    _picker_open(session)
    title = clean_text(title, field="title", limit=200, required=True)
    if Candidate.objects.filter(session=session, title__iexact=title).exists():
        raise Conflict(
            _("“%(title)s” is already a candidate.") % {"title": title}, code="candidate_exists", field="title"
        )
    return Candidate.objects.create(
        session=session,
        title=title,
        description=clean_text(description, field="description", limit=2000),
        proposed_by=user,
    )


@transaction.atomic
def rating_set(*, candidate: Candidate, user: User, usefulness: int, commitment: str) -> Rating:
    _picker_open(candidate.session)
    if isinstance(usefulness, bool) or not isinstance(usefulness, int) or not 1 <= usefulness <= 5:
        raise InvalidInput(_("Usefulness must be a whole number from 1 to 5."), field="usefulness")
    if commitment not in Commitment.values:
        raise InvalidInput(_("Commitment must be light, medium or heavy."), field="commitment")
    rating, _created = Rating.objects.update_or_create(
        candidate=candidate,
        user=user,
        defaults={"usefulness": usefulness, "commitment": commitment, "updated_at": timezone.now()},
    )
    return rating


@transaction.atomic
def candidate_pick(*, session: Session, actor: User, candidate: Candidate | None) -> Session:
    _picker_open(session)
    if candidate is not None and candidate.session_id != session.pk:
        raise InvalidInput(_("That candidate belongs to another session."), field="candidate")
    session.picked_candidate = candidate
    session.save(update_fields=["picked_candidate"])
    return session
