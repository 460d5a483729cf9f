"""Requests for opinion from outside: submit, accept (opens a response), decline, replace the tracking link."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import Community
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text, day_text, header_safe, normalise_name, require_one_line
from convene.notifications.events import coordinator_ids
from convene.notifications.services import notify

from ..models import JointResponse, Kind, OpinionRequest, RequestStatus, new_tracking_token
from .mail import mail_new_request, mail_requester
from .responses import response_create, response_update


@transaction.atomic
def opinion_request_submit(
    *,
    community: Community,
    requester_name: str,
    organisation: str,
    contact: str,
    question: str,
    deadline: dt.date | None,
    context: str = "",
    today: dt.date | None = None,
) -> OpinionRequest:
    name = normalise_name(
        clean_text(requester_name, field="requester_name", label=_("Your name"), limit=120, required=True)
    )
    if not name:
        raise InvalidInput(_("Your name is required (it has no visible characters)."), field="requester_name")
    organisation = clean_text(organisation, field="organisation", label=_("Organisation"), limit=200, required=True)
    require_one_line(organisation, field="organisation", label=_("Organisation"))  # it ends up in a mail subject
    contact = (contact or "").strip().lower()
    try:
        validate_email(contact)
    except ValidationError:
        raise InvalidInput(_("Give an email address where we can reach you."), field="contact") from None
    question = clean_text(question, field="question", label=_("The question"), limit=3000, required=True)
    context = clean_text(context, field="context", label=_("Context"), limit=5000)
    if deadline is None:
        raise InvalidInput(_("Give the date by which you need the response."), field="deadline")
    today = today or timezone.localdate()
    if deadline <= today:
        raise InvalidInput(
            _(
                "The deadline (%(deadline)s) has already passed or is today: "
                "give the community at least a day to respond."
            )
            % {"deadline": day_text(deadline)},
            field="deadline",
            code="deadline_passed",
        )
    req = OpinionRequest.objects.create(
        community=community,
        requester_name=name,
        organisation=organisation,
        contact=contact,
        question=question,
        context=context,
        deadline=deadline,
    )
    transaction.on_commit(lambda: mail_new_request(req.pk))
    return req


@transaction.atomic
def opinion_request_accept(
    *,
    opinion_request: OpinionRequest,
    actor,
    title: str = "",
    gathering_ends: dt.datetime | None = None,
    drafting_ends: dt.datetime | None = None,
    endorsement_ends: dt.datetime | None = None,
) -> JointResponse:
    req = OpinionRequest.objects.select_for_update().get(pk=opinion_request.pk)
    if req.status != RequestStatus.PENDING:
        raise Conflict(_("This request for opinion was already decided."), code="already_decided")
    response = response_create(
        community=req.community,
        creator=actor,
        title=title or header_safe(f"{req.organisation}: {req.question[:150]}"),
        kind=Kind.REQUEST,
        what_changed=req.context,
        question=req.question,
        deadline=req.deadline,
    )
    response_update(
        response=response,
        actor=actor,
        gathering_ends=gathering_ends,
        drafting_ends=drafting_ends,
        endorsement_ends=endorsement_ends,
    )
    req.status = RequestStatus.ACCEPTED
    req.response = response
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "response", "decided_at"])
    audit(community=req.community, actor=actor, action="opinion_request_accepted", subject=f"opinion_request:{req.pk}")
    transaction.on_commit(lambda: mail_requester(req.pk))
    response.refresh_from_db()
    return response


@transaction.atomic
def opinion_request_decline(*, opinion_request: OpinionRequest, actor, reason: str) -> OpinionRequest:
    req = OpinionRequest.objects.select_for_update().get(pk=opinion_request.pk)
    if req.status != RequestStatus.PENDING:
        raise Conflict(_("This request for opinion was already decided."), code="already_decided")
    req.decline_reason = clean_text(reason, field="reason", label=_("The reason"), limit=2000, required=True)
    req.status = RequestStatus.DECLINED
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "decline_reason", "decided_at"])
    audit(community=req.community, actor=actor, action="opinion_request_declined", subject=f"opinion_request:{req.pk}")
    transaction.on_commit(lambda: mail_requester(req.pk))
    return req


@transaction.atomic
def opinion_request_relink(*, opinion_request: OpinionRequest, actor) -> OpinionRequest:
    """Revoke the requester's tracking link and mail them a new one (which starts a new expiry period)."""
    req = OpinionRequest.objects.select_for_update().get(pk=opinion_request.pk)
    req.token = new_tracking_token()  # the old link is refused from now on (404)
    req.link_renewed_at = timezone.now()
    req.save(update_fields=["token", "link_renewed_at"])
    audit(community=req.community, actor=actor, action="tracking_link_replaced", subject=f"opinion_request:{req.pk}")
    notify(  # the requester has no account (they are mailed the link); the other coordinators hear of it
        recipients=coordinator_ids(req.community),
        kind="request.relinked",
        obj=req,
        text=_(
            "The tracking link of the request for opinion from %(organisation)s was replaced; the old link no "
            "longer works, and the requester was sent the new one."
        )
        % {"organisation": req.organisation},
        url=reverse("deliberation:requests", args=[req.community.slug]),
        community=req.community,
        actor=actor,
    )
    transaction.on_commit(lambda: mail_requester(req.pk))
    return req
