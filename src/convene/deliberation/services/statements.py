"""Statements: submit, moderate, mark key."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text

from ..models import STATEMENT_LIMIT, JointResponse, Phase, Statement, StatementState
from .common import is_coordinator, participant_for, record_voice, require_phase
from .maps import map_revision_bump


@transaction.atomic
def statement_submit(*, response: JointResponse, user, text: str) -> Statement:
    require_phase(response, Phase.GATHERING, doing=_("add statements"))
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput(_("Write your statement first: it is empty."), field="text")
    if len(text) > STATEMENT_LIMIT:
        raise InvalidInput(
            _(
                "Keep statements to %(limit)s characters; this one has %(length)s. "
                "Split it into two if it holds two ideas."
            )
            % {"limit": STATEMENT_LIMIT, "length": len(text)},
            field="text",
        )
    participant = participant_for(response, user, create=True)
    if Statement.objects.filter(response=response, text__iexact=text).exclude(state="rejected").exists():
        raise Conflict(_("This statement is already in the conversation: vote on it instead."), field="text")
    state = StatementState.ACCEPTED if is_coordinator(user, response) else StatementState.PENDING
    statement = Statement.objects.create(response=response, author=participant, text=text, state=state)
    if state == StatementState.ACCEPTED:
        map_revision_bump(response.pk)
    record_voice(response, participant, "statement")
    return statement


MODERATION = {"accept": StatementState.ACCEPTED, "reject": StatementState.REJECTED, "meta": StatementState.META}


@transaction.atomic
def statement_moderate(*, statement: Statement, actor, decision: str, reason: str = "") -> Statement:
    if decision not in MODERATION:
        raise InvalidInput(_("Decide accept, reject or meta."), field="decision")
    if not statement.response.is_open:
        raise Conflict(_("This response is finished; its statements can no longer be moderated."))
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    reason = clean_text(reason, field="reason", label=_("The reason"), limit=500, required=decision == "reject")
    statement.state = MODERATION[decision]
    statement.reject_reason = reason if decision == "reject" else ""
    statement.save(update_fields=["state", "reject_reason"])
    map_revision_bump(statement.response_id)
    audit(  # the decision only: never the statement's text (it may be an anonymous contribution)
        community=statement.response.community,
        actor=actor,
        action="statement_moderated",
        subject=f"statement:{statement.pk}",
        decision=decision,
    )
    return statement


@transaction.atomic
def statement_mark_key(*, statement: Statement, actor, key: bool) -> Statement:
    if key and statement.state != StatementState.ACCEPTED:
        raise Conflict(_("Only accepted statements can be key statements."))
    statement.is_key = bool(key)
    statement.save(update_fields=["is_key"])
    return statement
