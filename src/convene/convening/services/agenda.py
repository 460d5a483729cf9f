"""The agenda: items added, updated and deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text

from ..models import (
    AgendaItem,
    Session,
    SessionState,
)


def _agenda_fields(title, minutes, detail) -> dict:
    out = {}
    if title is not None:
        out["title"] = clean_text(title, field="title", limit=200, required=True)
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 600:
            raise InvalidInput(_("Minutes must be between 0 and 600."), field="minutes")
        out["minutes"] = minutes
    if detail is not None:
        out["detail"] = clean_text(detail, field="detail", limit=2000)
    return out


@transaction.atomic
def agenda_item_add(
    *, session: Session, actor: User, title: str, minutes: int = 10, detail: str = "", position: int | None = None
) -> AgendaItem:
    if session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict(_("The agenda of a closed or cancelled session cannot change."), code="locked")
    fields = _agenda_fields(title, minutes, detail)
    if position is None:
        last = session.agenda.order_by("-position").first()
        position = last.position + 1 if last else 0
    return AgendaItem.objects.create(session=session, position=max(0, min(position, 1000)), **fields)


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    actor: User,
    title: str | None = None,
    minutes: int | None = None,
    detail: str | None = None,
    position: int | None = None,
) -> AgendaItem:
    if item.session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict(_("The agenda of a closed or cancelled session cannot change."), code="locked")
    fields = _agenda_fields(title, minutes, detail)
    if position is not None:
        fields["position"] = max(0, min(position, 1000))
    for key, value in fields.items():
        setattr(item, key, value)
    if fields:
        item.save(update_fields=list(fields))
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor: User) -> None:
    if item.session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict(_("The agenda of a closed or cancelled session cannot change."), code="locked")
    item.delete()
