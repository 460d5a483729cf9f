"""Write paths for joint responses: intake, phases, statements, votes, drafting, endorsement, delivery."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import logging
import re
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from convene.communities.ledgers import contribution_record
from convene.communities.models import Community, Membership
from convene.core.errors import Conflict, InvalidInput, ServiceError
from convene.core.text import header_safe, normalise_name, require_one_line

from . import permissions
from .models import (
    STATEMENT_LIMIT,
    TRANSITIONS,
    DraftVersion,
    Endorsement,
    JointResponse,
    Kind,
    MinorityView,
    OpinionRequest,
    ParagraphComment,
    Participant,
    Phase,
    Prediction,
    RequestStatus,
    Stance,
    Statement,
    StatementState,
    Vote,
    VoteValue,
)

log = logging.getLogger(__name__)

COUNTER = {1: "n_agree", -1: "n_disagree", 0: "n_pass"}


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


def _clean(value, *, field: str, label: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{label} is required.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label} is longer than {limit} characters ({len(value)}).", field=field)
    return value


def _url(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    value = _clean(value, field="source_url", label="The source link", limit=500)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise InvalidInput(
                "The source link must be a web address starting with http:// or https://.", field="source_url"
            ) from None
    return value


def _record(response: JointResponse, participant: Participant, kind: str) -> None:
    """Voice ledger; anonymous responses never write it."""
    if response.anonymous or participant.user_id is None:
        return
    contribution_record(community=participant.community, user=participant.user, kind=kind, context=response.context)


# --------------------------------------------------------------------------- intake


@transaction.atomic
def response_create(
    *,
    community: Community,
    creator,
    title: str,
    what_changed: str = "",
    source_url: str = "",
    why_it_matters: str = "",
    kind: str = Kind.DEVELOPMENT,
    question: str = "",
    deadline: dt.date | None = None,
) -> JointResponse:
    title = _clean(title, field="title", label="Title", limit=200, required=True)
    require_one_line(title, field="title", label="Title")  # reminders put it in a mail subject
    what_changed = _clean(what_changed, field="what_changed", label="What changed", limit=5000)
    why = _clean(why_it_matters, field="why_it_matters", label="Why it matters", limit=5000)
    question = _clean(question, field="question", label="The question", limit=5000)
    if kind not in Kind.values:
        raise InvalidInput("Kind must be an external development or a request for opinion.", field="kind")
    if kind == Kind.DEVELOPMENT and not what_changed:
        raise InvalidInput("Say what changed: members need it to form a view.", field="what_changed")
    response = JointResponse.objects.create(
        community=community,
        kind=kind,
        title=title,
        what_changed=what_changed,
        source_url=_url(source_url),
        why_it_matters=why,
        question=question,
        deadline=deadline,
        created_by=creator,
    )
    response.communities.add(community)
    return response


def _check_dates(response: JointResponse, dates: dict) -> None:
    now = timezone.now()
    order = ["gathering_ends", "drafting_ends", "endorsement_ends"]
    labels = {"gathering_ends": "Gathering", "drafting_ends": "Drafting", "endorsement_ends": "Endorsement"}
    previous = None
    for name in order:
        value = dates.get(name, getattr(response, name))
        if value is None:
            continue
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
            dates[name] = value
        if name in dates and value <= now:
            raise InvalidInput(f"{labels[name]} must end in the future.", field=name)
        if previous is not None and value <= previous[1]:
            raise InvalidInput(f"{labels[name]} must end after {labels[previous[0]].lower()} ends.", field=name)
        previous = (name, value)
    end = dates.get("endorsement_ends", response.endorsement_ends)
    if response.deadline and end and end.date() > response.deadline:
        raise InvalidInput(
            f"Endorsement would end after the requester's deadline ({response.deadline:%d %B %Y}).",
            field="endorsement_ends",
        )


@transaction.atomic
def response_update(
    *,
    response: JointResponse,
    actor,
    title: str | None = None,
    what_changed: str | None = None,
    source_url: str | None = None,
    why_it_matters: str | None = None,
    question: str | None = None,
    anonymous: bool | None = None,
    hide_results: bool | None = None,
    perception_step: bool | None = None,
    gathering_ends: dt.datetime | None = None,
    drafting_ends: dt.datetime | None = None,
    endorsement_ends: dt.datetime | None = None,
    communities: list[Community] | None = None,
) -> JointResponse:
    response = JointResponse.objects.select_for_update().get(pk=response.pk)
    if not response.is_open:
        raise Conflict(f"This response is {response.get_state_display().lower()} and can no longer be changed.")
    changed: list[str] = []
    texts = {
        "title": (title, "Title", 200, True),
        "what_changed": (what_changed, "What changed", 5000, False),
        "why_it_matters": (why_it_matters, "Why it matters", 5000, False),
        "question": (question, "The question", 5000, False),
    }
    if title is not None:
        require_one_line(title.strip(), field="title", label="Title")
    for name, (value, label, limit, required) in texts.items():
        if value is not None:
            setattr(response, name, _clean(value, field=name, label=label, limit=limit, required=required))
            changed.append(name)
    if source_url is not None:
        response.source_url = _url(source_url)
        changed.append("source_url")
    if anonymous is not None and anonymous != response.anonymous:
        if response.state != Phase.DRAFT:
            raise Conflict(
                "Anonymity can only be chosen before gathering starts: people took part under the other promise.",
                field="anonymous",
            )
        response.anonymous = anonymous
        changed.append("anonymous")
    for name, value in (("hide_results", hide_results), ("perception_step", perception_step)):
        if value is not None:
            setattr(response, name, bool(value))
            changed.append(name)
    dates = {
        k: v
        for k, v in (
            ("gathering_ends", gathering_ends),
            ("drafting_ends", drafting_ends),
            ("endorsement_ends", endorsement_ends),
        )
        if v is not None and v != getattr(response, k)
    }
    _check_dates(response, dates)
    for name, value in dates.items():
        setattr(response, name, value)
        changed.append(name)
    if changed:
        response.save(update_fields=changed)
    if communities is not None:
        if response.state not in (Phase.DRAFT, Phase.GATHERING):
            raise Conflict("Communities can only be invited before drafting starts.", field="communities")
        ids = {c.pk for c in communities} | {response.community_id}
        response.communities.set(ids)
        response.__dict__.pop("_invited_ids", None)
    return response


@transaction.atomic
def response_transition(*, response: JointResponse, actor, to: str) -> JointResponse:
    response = JointResponse.objects.select_for_update().get(pk=response.pk)
    if to not in Phase.values:
        raise InvalidInput(f"to: “{str(to)[:40]}” is not a phase.", field="to")
    if to not in TRANSITIONS[response.state]:
        raise Conflict(
            f"A response that is {response.get_state_display().lower()} cannot move to “{Phase(to).label.lower()}”.",
            code="bad_transition",
        )
    if to == Phase.GATHERING and response.state == Phase.DRAFT and not response.gathering_ends:
        raise InvalidInput("Set when gathering ends before opening it.", field="gathering_ends")
    if to == Phase.ENDORSEMENT and not response.draft_text.strip():
        raise Conflict("Write the draft before asking for endorsement.")
    previous = response.state
    response.state = to
    fields = ["state"]
    if to == Phase.DELIVERED:
        response.delivered_at = timezone.now()
        fields.append("delivered_at")
    response.save(update_fields=fields)
    if to == Phase.DRAFTING and previous == Phase.GATHERING and response.draft_version == 0:
        _seed_draft(response)
    request = OpinionRequest.objects.filter(response=response).first()
    if request is not None:
        status = {Phase.DELIVERED: RequestStatus.DELIVERED, Phase.WITHDRAWN: RequestStatus.WITHDRAWN}.get(to)
        if status:
            request.status = status
            request.save(update_fields=["status"])
            transaction.on_commit(lambda: _mail_requester(request.pk))
    return response


def _seed_draft(response: JointResponse) -> None:
    """First version of the document, built from the opinion map; minority views kept apart."""
    from .selectors import map_view

    view = map_view(response, force=True)
    lines = [f"# {response.title}", ""]
    if response.question:
        lines += ["> " + response.question.replace("\n", " "), ""]
    lines += ["## What we agree on", ""]
    common = view["common_ground"] or view["consensus_agree"]
    lines += [f"- {s['text']} ({s['agree_pct']}% agree)" for s in common] or [
        "- (No statement has broad agreement yet.)"
    ]
    lines += ["", "## Where we differ, and why", ""]
    for group in view["groups"]:
        lines += [f"### Group {group['label']} ({group['size']} people)", ""]
        for rep in group["representative"]:
            verb = "agree" if rep["direction"] == "agree" else "disagree"
            lines.append(f"- Most of this group {verb}: “{rep['text']}”")
        lines.append("")
    if not view["groups"]:
        lines += ["(Not enough votes yet to see distinct groups.)", ""]
    lines += ["## Our response", "", "(Write the community's answer here.)", ""]
    text = "\n".join(lines).strip()
    response.draft_text = text
    response.draft_version = 1
    response.save(update_fields=["draft_text", "draft_version"])
    DraftVersion.objects.create(response=response, number=1, text=text, diff="", author=None)
    for minority in view["minority"]:
        MinorityView.objects.get_or_create(
            response=response,
            statement_id=minority["id"],
            defaults={"text": minority["text"], "held_by": minority["held_by"]},
        )


# --------------------------------------------------------------------------- requests for opinion


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
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name = normalise_name(_clean(requester_name, field="requester_name", label="Your name", limit=120, required=True))
    if not name:
        raise InvalidInput("Your name is required (it has no visible characters).", field="requester_name")
    organisation = _clean(organisation, field="organisation", label="Organisation", limit=200, required=True)
    require_one_line(organisation, field="organisation", label="Organisation")  # it ends up in a mail subject
    contact = (contact or "").strip().lower()
    try:
        validate_email(contact)
    except ValidationError:
        raise InvalidInput("Give an email address where we can reach you.", field="contact") from None
    question = _clean(question, field="question", label="The question", limit=3000, required=True)
    context = _clean(context, field="context", label="Context", limit=5000)
    if deadline is None:
        raise InvalidInput("Give the date by which you need the response.", field="deadline")
    today = today or timezone.localdate()
    if deadline <= today:
        raise InvalidInput(
            f"The deadline ({deadline:%d %B %Y}) has already passed or is today: "
            "give the community at least a day to respond.",
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
    transaction.on_commit(lambda: _mail_new_request(req.pk))
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
        raise Conflict("This request for opinion was already decided.", code="already_decided")
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
    transaction.on_commit(lambda: _mail_requester(req.pk))
    response.refresh_from_db()
    return response


@transaction.atomic
def opinion_request_decline(*, opinion_request: OpinionRequest, actor, reason: str) -> OpinionRequest:
    req = OpinionRequest.objects.select_for_update().get(pk=opinion_request.pk)
    if req.status != RequestStatus.PENDING:
        raise Conflict("This request for opinion was already decided.", code="already_decided")
    req.decline_reason = _clean(reason, field="reason", label="The reason", limit=2000, required=True)
    req.status = RequestStatus.DECLINED
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "decline_reason", "decided_at"])
    transaction.on_commit(lambda: _mail_requester(req.pk))
    return req


def tracking_url(req: OpinionRequest) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse("deliberation:track", args=[req.token])


def _mail_new_request(request_id: int) -> None:
    from django.core.mail import send_mail

    req = OpinionRequest.objects.select_related("community").get(pk=request_id)
    send_mail(
        subject=header_safe(f"[Convene] Your request for opinion to {req.community.name}"),
        message=(
            f"Thank you, {req.requester_name}. {req.community.name} received your request for opinion.\n\n"
            f"Follow its progress, and read the response when it is delivered, at this private link "
            f"(keep it to yourself):\n{tracking_url(req)}\n"
        ),
        from_email=None,
        recipient_list=[req.contact],
    )
    coordinators = list(
        Membership.objects.filter(community=req.community, role="coordinator").values_list("user__email", flat=True)
    )
    if coordinators:
        from django.conf import settings
        from django.urls import reverse

        send_mail(
            subject=header_safe(f"[Convene] New request for opinion from {req.organisation}"),
            message=(
                f"{req.requester_name} ({req.organisation}) asks {req.community.name}:\n\n{req.question}\n\n"
                f"Deadline: {req.deadline:%d %B %Y}\nDecide here: {settings.SITE_URL.rstrip('/')}"
                f"{reverse('deliberation:requests', args=[req.community.slug])}\n"
            ),
            from_email=None,
            recipient_list=coordinators,
        )


def _mail_requester(request_id: int) -> None:
    from django.core.mail import send_mail

    req = OpinionRequest.objects.select_related("community").get(pk=request_id)
    send_mail(
        subject=header_safe(f"[Convene] {req.community.name}: {req.get_status_display()}"),
        message=(
            f"Your request for opinion to {req.community.name} is now: {req.get_status_display().lower()}.\n\n"
            + (f"Reason: {req.decline_reason}\n\n" if req.decline_reason else "")
            + f"Details: {tracking_url(req)}\n"
        ),
        from_email=None,
        recipient_list=[req.contact],
    )


# --------------------------------------------------------------------------- participants and statements


def participant_for(response: JointResponse, user, *, create: bool) -> Participant | None:
    from .permissions import home_community

    key = response.user_key(user.pk)
    participant = Participant.objects.filter(response=response, user_key=key).first()
    if participant is not None or not create:
        return participant
    community = home_community(user, response)
    if community is None:
        raise Conflict("Only members of the invited communities take part in this response.", code="not_invited")
    try:
        with transaction.atomic():
            return Participant.objects.create(
                response=response,
                user_key=key,
                user=None if response.anonymous else user,
                community=community,
            )
    except IntegrityError:
        return Participant.objects.get(response=response, user_key=key)


def _require_phase(response: JointResponse, *phases: str, doing: str) -> None:
    response.refresh_from_db(fields=["state"])  # the phase may have moved since the caller loaded it
    if response.state not in phases:
        names = " or ".join(Phase(p).label.lower() for p in phases)
        raise Conflict(
            f"You can {doing} only while the response is {names}; it is {response.get_state_display().lower()}.",
            code="wrong_phase",
        )


def _is_coordinator(user, response: JointResponse) -> bool:
    from convene.communities.permissions import Need

    from .permissions import can_act

    return can_act(user, response, Need.COORDINATOR)


@transaction.atomic
def statement_submit(*, response: JointResponse, user, text: str) -> Statement:
    _require_phase(response, Phase.GATHERING, doing="add statements")
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput("Write your statement first: it is empty.", field="text")
    if len(text) > STATEMENT_LIMIT:
        raise InvalidInput(
            f"Keep statements to {STATEMENT_LIMIT} characters; this one has {len(text)}. "
            "Split it into two if it holds two ideas.",
            field="text",
        )
    participant = participant_for(response, user, create=True)
    if Statement.objects.filter(response=response, text__iexact=text).exclude(state="rejected").exists():
        raise Conflict("This statement is already in the conversation: vote on it instead.", field="text")
    state = StatementState.ACCEPTED if _is_coordinator(user, response) else StatementState.PENDING
    statement = Statement.objects.create(response=response, author=participant, text=text, state=state)
    if state == StatementState.ACCEPTED:
        _bump_revision(response.pk)
    _record(response, participant, "statement")
    return statement


MODERATION = {"accept": StatementState.ACCEPTED, "reject": StatementState.REJECTED, "meta": StatementState.META}


@transaction.atomic
def statement_moderate(*, statement: Statement, actor, decision: str, reason: str = "") -> Statement:
    if decision not in MODERATION:
        raise InvalidInput("Decide accept, reject or meta.", field="decision")
    if not statement.response.is_open:
        raise Conflict("This response is finished; its statements can no longer be moderated.")
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    reason = _clean(reason, field="reason", label="The reason", limit=500, required=decision == "reject")
    statement.state = MODERATION[decision]
    statement.reject_reason = reason if decision == "reject" else ""
    statement.save(update_fields=["state", "reject_reason"])
    _bump_revision(statement.response_id)
    return statement


@transaction.atomic
def statement_mark_key(*, statement: Statement, actor, key: bool) -> Statement:
    if key and statement.state != StatementState.ACCEPTED:
        raise Conflict("Only accepted statements can be key statements.")
    statement.is_key = bool(key)
    statement.save(update_fields=["is_key"])
    return statement


# --------------------------------------------------------------------------- votes


_VOTE_VALUES = tuple(VoteValue.values)  # (the enum builds the list anew on every access)


def vote_value(value) -> int:
    """1, -1 or 0 from a number or the words agree / disagree / pass; InvalidInput otherwise."""
    aliases = {"agree": 1, "disagree": -1, "pass": 0}
    if isinstance(value, str):
        value = aliases.get(value.strip().lower(), value)
        with contextlib.suppress(ValueError):
            value = int(value)
    if isinstance(value, bool) or value not in _VOTE_VALUES:
        raise InvalidInput("A vote is agree, disagree or pass.", field="value")
    return int(value)


def vote_cast(*, response: JointResponse, user, statement_id: int, value) -> Vote:
    """Cast or change a vote. The same vote twice is a no-op (a double submit is harmless).

    Checks the phase, the statement and the voter with readable refusals, then writes through
    `vote_record`. The API's vote lane writes the same rows in batches (`ballots_cast`).
    """
    value = vote_value(value)
    state = JointResponse.objects.filter(pk=response.pk).values_list("state", flat=True).first()
    if state != Phase.GATHERING:
        raise Conflict(
            "Voting has ended: the response is no longer gathering views."
            if state in (Phase.DRAFTING, Phase.ENDORSEMENT, Phase.DELIVERED, Phase.CLOSED)
            else "Voting is not open for this response.",
            code="voting_closed",
        )
    try:
        statement_id = int(statement_id)
    except (TypeError, ValueError):
        raise InvalidInput("Choose a statement to vote on.", field="statement") from None
    statement = Statement.objects.filter(response_id=response.pk, pk=statement_id).values_list("state", flat=True)
    st_state = statement.first()
    if st_state is None:
        raise InvalidInput("There is no such statement in this response.", field="statement", code="no_statement")
    if st_state != StatementState.ACCEPTED:
        why = {
            StatementState.REJECTED: "it was rejected by the moderators",
            StatementState.PENDING: "it is still waiting for moderation",
            StatementState.META: "it is a remark about the process, not a view to vote on",
        }[st_state]
        raise Conflict(f"You cannot vote on this statement: {why}.", code="not_votable")
    participant = participant_for(response, user, create=True)
    vote_record(
        response_id=response.pk,
        participant_id=participant.pk,
        community_id=participant.community_id,
        user_id=participant.user_id,
        statement_id=statement_id,
        value=value,
    )
    return Vote(response_id=response.pk, participant=participant, statement_id=statement_id, value=value)


def vote_record(
    *, response_id: int, participant_id: int, community_id: int, user_id: int | None, statement_id: int, value: int
) -> bool:
    """Write one vote: insert it, change it, or leave it alone when it is the same. True if it changed.

    The caller has checked that voting is open, the statement is accepted and the participant
    may vote. Kept to the fewest round trips: this is the hot path under load. With a map
    worker (production), the statement counters and the map revision are derived data the
    worker refreshes, so the vote touches no shared row and a first vote on PostgreSQL is one
    statement; without one (development, tests) they are updated here, in the same transaction.
    """
    from django.db import connection

    from .tasks import map_in_worker, request_map

    now = timezone.now()
    ledger = (community_id, user_id)  # anonymous responses (user_id None) never write the voice ledger
    in_worker = map_in_worker()
    tried = in_worker and connection.vendor == "postgresql"  # the insert needs no transaction around it
    if tried and _vote_insert(response_id, participant_id, statement_id, value, now, ledger):  # atomic on its own
        transaction.on_commit(lambda: request_map(response_id))
        return True
    with transaction.atomic():
        if not tried and _vote_insert(response_id, participant_id, statement_id, value, now, ledger):
            old = None
        else:  # a vote exists (the insert found it): change it, or leave it alone
            vote = (
                Vote.objects.select_for_update()
                .only("id", "value")
                .get(response_id=response_id, participant_id=participant_id, statement_id=statement_id)
            )
            old = vote.value
            if old == value:
                return False
            Vote.objects.filter(pk=vote.pk).update(value=value, updated_at=now)
        if not in_worker:
            counts = {COUNTER[value]: F(COUNTER[value]) + 1}
            if old is not None:
                counts[COUNTER[old]] = F(COUNTER[old]) - 1
            Statement.objects.filter(pk=statement_id).update(**counts)
            JointResponse.objects.filter(pk=response_id).update(revision=F("revision") + 1)
        transaction.on_commit(lambda: request_map(response_id))
    return True


_VOTE_INSERT = (
    "INSERT INTO deliberation_vote (response_id, participant_id, statement_id, value, updated_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (response_id, participant_id, statement_id) DO NOTHING RETURNING id"
)
_LEDGER_INSERT = (
    "INSERT INTO communities_contribution (community_id, user_id, kind, context, occurred_at) "
    "VALUES (%s, %s, 'vote', %s, %s)"
)
# PostgreSQL: the vote and its ledger row in one statement (data-modifying CTEs run exactly once).
_VOTE_INSERT_PG = (
    "WITH vote AS (INSERT INTO deliberation_vote (response_id, participant_id, statement_id, value, updated_at) "
    "VALUES (%s::bigint, %s::bigint, %s::bigint, %s::smallint, %s::timestamptz) "
    "ON CONFLICT (response_id, participant_id, statement_id) DO NOTHING RETURNING id), "
    "ledger AS ("
    "INSERT INTO communities_contribution (community_id, user_id, kind, context, occurred_at) "
    "SELECT %s::bigint, %s::bigint, 'vote', %s::varchar, %s::timestamptz FROM vote WHERE %s::boolean) "
    "SELECT count(*) FROM vote"
)


def _vote_insert(response_id, participant_id, statement_id, value, now, ledger) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING (+ the voice ledger row): True if this was a first vote."""
    from django.db import connection

    from convene.core.db import hot_cursor

    stamp = connection.ops.adapt_datetimefield_value(now)
    community_id, user_id = ledger
    context = f"response:{response_id}"
    vote = [response_id, participant_id, statement_id, value, stamp]
    with hot_cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_VOTE_INSERT_PG, [*vote, community_id, user_id, context, stamp, user_id is not None])
            return cursor.fetchone()[0] == 1
        cursor.execute(_VOTE_INSERT, vote)
        if cursor.fetchone() is None:
            return False
        if user_id is not None:
            cursor.execute(_LEDGER_INSERT, [community_id, user_id, context, stamp])
        return True


@dataclass(frozen=True)
class Ballot:
    """One vote for the vote lane's batch (`ballots_cast`), with what its answer needs read back."""

    key_hash: str  # the SHA-256 of the API token (`ApiToken.hash`)
    response_id: int
    statement_id: int
    value: int
    asked: tuple[int, ...] = ()  # statements drawn for the next one: which of them were voted on?
    others: tuple[int, ...] = ()  # the response's statements that are not accepted
    user_key: str | None = None  # an anonymous participant's keyed hash, if this process knows it


@dataclass(frozen=True)
class BallotCast:
    """What the vote lane's statement found and did for one ballot (`ballots_cast`)."""

    user_id: int
    anonymous: bool
    secret: str  # the response's secret: keys the statement texts and the anonymous user key
    revision: int
    participant_id: int | None  # None: no participant yet (or no user key given): nothing was written
    written: bool | None  # True a first vote, False a changed vote, None nothing changed
    voted: int  # the participant's votes before this batch
    voted_elsewhere: int  # ... of them on statements in `others`
    voted_among: tuple[int, ...]  # which statements of `asked` they had voted on before this batch


# The vote lane's batch in one statement on PostgreSQL (data-modifying CTEs run exactly once, all
# on the same snapshot), for every ballot of the batch: authorize (permissions.BALLOTS), write the
# vote or change it, add the voice ledger row for a first vote of a named participant, record the
# token's use once a minute, and read what the next statement needs: the participant's vote count
# (kept by a trigger: Participant.n_votes), how many of those votes are on statements no longer
# accepted, and which of the lane's drawn statements they voted on (index probes, whatever the
# number of votes). `xmax = 0` tells an inserted row from one ON CONFLICT updated. The reads see
# the votes as they were before the batch. Rows are written in key order, so two processes'
# batches lock the rows they share in the same order. Per ballot `asked` and `others` are rows of
# two-dimensional arrays, padded with 0 (no statement's id).
_BALLOTS_CAST = (
    """WITH ballots AS (
  SELECT u.*, (%(asked)s::bigint[])[u.i::int:u.i::int] AS asked, (%(others)s::bigint[])[u.i::int:u.i::int] AS others
  FROM unnest(%(key_hash)s::varchar[], %(response)s::bigint[], %(statement)s::bigint[], %(value)s::smallint[],
    %(user_key)s::varchar[]) WITH ORDINALITY AS u(key_hash, response, statement, value, user_key, i)
),
ballot AS ("""  # noqa: S608 - constant SQL, no input in it
    + permissions.BALLOTS
    + """),
voter AS (
  SELECT b.*, x.value FROM ballot b JOIN ballots x ON x.i = b.i
  WHERE b.community_id IS NOT NULL AND b.participant_id IS NOT NULL
),
vote AS (
  INSERT INTO deliberation_vote (response_id, participant_id, statement_id, value, updated_at)
  SELECT v.response, v.participant_id, v.statement, v.value, %(now)s::timestamptz
  FROM voter v ORDER BY v.participant_id, v.statement
  ON CONFLICT (response_id, participant_id, statement_id)
  DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at WHERE deliberation_vote.value <> EXCLUDED.value
  RETURNING participant_id, statement_id, (xmax = 0) AS inserted
),
ledger AS (
  INSERT INTO communities_contribution (community_id, user_id, kind, context, occurred_at)
  SELECT v.community_id, v.user_id, 'vote', 'response:' || v.response, %(now)s::timestamptz
  FROM voter v JOIN vote w ON w.participant_id = v.participant_id AND w.statement_id = v.statement
  WHERE w.inserted AND NOT v.anonymous
),
touch AS (
  UPDATE accounts_apitoken SET last_used_at = %(now)s::timestamptz
  WHERE id IN (SELECT token_id FROM voter WHERE stale)
)
SELECT b.i, b.user_id, b.anonymous, b.secret, b.revision, b.community_id, b.participant_id, w.inserted,
  p.n_votes, e.elsewhere, a.among
FROM ballot b
JOIN ballots x ON x.i = b.i
LEFT JOIN vote w ON w.participant_id = b.participant_id AND w.statement_id = b.statement
LEFT JOIN deliberation_participant p ON p.id = b.participant_id
LEFT JOIN LATERAL (
  SELECT count(*) AS elsewhere FROM deliberation_vote v
  WHERE v.response_id = b.response AND v.participant_id = b.participant_id AND v.statement_id = ANY(x.others)
) e ON true
LEFT JOIN LATERAL (
  SELECT coalesce(array_agg(v.statement_id), '{}') AS among FROM deliberation_vote v
  WHERE v.response_id = b.response AND v.participant_id = b.participant_id AND v.statement_id = ANY(x.asked)
) a ON true
"""
)


# In an anonymous response the participant is found by a keyed hash of the user id, which only the
# response's secret gives: learnt from a token's first lane vote (per process), then passed in.
_USER_KEYS: dict[tuple[str, int], str] = {}


def ballot_user_key(ballot: Ballot) -> Ballot:
    """The ballot with the anonymous participant's keyed hash, if this process has learnt it."""
    key = _USER_KEYS.get((ballot.key_hash, ballot.response_id))
    return ballot if key is None else replace(ballot, user_key=key)


async def ballots_cast(*, ballots: list[Ballot], connection) -> list[BallotCast | None]:
    """The vote lane's votes (PostgreSQL, map worker on): authorize, write and read a batch of
    ballots in one round trip and one commit, on `connection` (psycopg, async, autocommit).

    For each ballot: None when the token may not vote on this statement now, or the voter has no
    home community here; nothing was written and the full route answers. A BallotCast without a
    participant means a first vote (the route creates the participant); nothing was written
    either. In an anonymous response a token's first lane vote in this process takes a second
    statement, once the first has given the secret its participant's keyed hash needs. Statement
    counters and the map revision are the map worker's (see `vote_record`): nothing shared is
    touched, and asking the worker for a new map is the caller's.
    """
    casts = await _ballots_cast(ballots, connection)
    again = []
    for n, (ballot, cast) in enumerate(zip(ballots, casts, strict=True)):
        key = (ballot.key_hash, ballot.response_id)
        if cast is not None and cast.anonymous and cast.participant_id is None and ballot.user_key is None:
            if len(_USER_KEYS) > 100_000:
                _USER_KEYS.clear()
            _USER_KEYS[key] = JointResponse(secret=cast.secret).user_key(cast.user_id)
            again.append(n)
    if again:
        retried = await _ballots_cast([ballot_user_key(ballots[n]) for n in again], connection)
        for n, cast in zip(again, retried, strict=True):
            casts[n] = cast
    return casts


# Arrays go to PostgreSQL as literals: psycopg adapts a Python list element by element in Python,
# which cost the lane more CPU per batch than writing the literal. Only ints and hex digests
# (token hashes, anonymous keys) are ever written, so nothing needs quoting.
_HEX = re.compile(r"^[0-9a-f]+$")


def _int_array(values) -> str:
    if not all(type(v) is int for v in values):
        raise TypeError("an int array takes ints only")
    return "{" + ",".join(map(str, values)) + "}"


def _hex_array(values) -> str:
    if not all(v is None or _HEX.match(v) for v in values):
        raise ValueError("a digest array takes hex digests (or None) only")
    return "{" + ",".join("NULL" if v is None else v for v in values) + "}"


def _int_array_2d(rows) -> str:
    """Rows of ints as a two-dimensional array literal, padded with 0 to the longest."""
    width = max(1, *(len(r) for r in rows))
    return "{" + ",".join(_int_array((*r, *((0,) * (width - len(r))))) for r in rows) + "}"


async def _ballots_cast(ballots: list[Ballot], connection) -> list[BallotCast | None]:
    now = timezone.now()
    params = {
        "stale": now - dt.timedelta(seconds=permissions.TOKEN_TOUCH_SECONDS),
        "key_hash": _hex_array([b.key_hash for b in ballots]),
        "response": _int_array([b.response_id for b in ballots]),
        "statement": _int_array([b.statement_id for b in ballots]),
        "value": _int_array([b.value for b in ballots]),
        "user_key": _hex_array([b.user_key for b in ballots]),
        "now": now,
        "others": _int_array_2d([b.others for b in ballots]),
        "asked": _int_array_2d([b.asked for b in ballots]),
    }
    cursor = await connection.execute(_BALLOTS_CAST, params)
    casts: list[BallotCast | None] = [None] * len(ballots)
    for row in await cursor.fetchall():
        i, user_id, anonymous, secret, revision, community, participant_id, written, voted, elsewhere, among = row
        if community is None:
            continue
        casts[i - 1] = BallotCast(
            user_id=user_id,
            anonymous=anonymous,
            secret=secret,
            revision=revision,
            participant_id=participant_id,
            written=written if participant_id is not None else None,
            voted=voted or 0,
            voted_elsewhere=elsewhere or 0,
            voted_among=tuple(among or ()),
        )
    return casts


def _bump_revision(response_id: int) -> None:
    """Moderation and new accepted statements change the map: bump its cache key."""
    JointResponse.objects.filter(pk=response_id).update(revision=F("revision") + 1)
    from .tasks import request_map

    transaction.on_commit(lambda: request_map(response_id))


# --------------------------------------------------------------------------- opinion map cache


def statement_counts_refresh(*, response_id: int) -> int:
    """Recount every statement's agree / disagree / pass from the votes (the map worker's job).

    Returns the new map revision: votes in production do not bump it (see `vote_record`), so the
    worker does, once per recompute, before it reads the votes.
    """
    from django.db import connection

    with transaction.atomic():
        JointResponse.objects.filter(pk=response_id).update(revision=F("revision") + 1)
        with connection.cursor() as cursor:
            cursor.execute(_COUNTS_REFRESH, [response_id])
        return JointResponse.objects.values_list("revision", flat=True).get(pk=response_id)


# One set-based statement (PostgreSQL and SQLite): only the statements whose counts moved are written.
_COUNTS_REFRESH = """
UPDATE deliberation_statement SET n_agree = c.a, n_disagree = c.d, n_pass = c.p
FROM (
    SELECT s.id AS id,
           SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END) AS a,
           SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END) AS d,
           SUM(CASE WHEN v.value = 0 THEN 1 ELSE 0 END) AS p
    FROM deliberation_statement s LEFT JOIN deliberation_vote v ON v.statement_id = s.id
    WHERE s.response_id = %s
    GROUP BY s.id
) AS c
WHERE deliberation_statement.id = c.id
  AND (deliberation_statement.n_agree <> c.a OR deliberation_statement.n_disagree <> c.d
       OR deliberation_statement.n_pass <> c.p)
"""


def map_store(*, response: JointResponse, revision: int, data: dict, seconds: float) -> None:
    """Store a freshly computed map (any web process may do it; the newest revision wins)."""
    from convene.core.db import column_set

    from .models import MapCache, Statement

    with transaction.atomic():
        # Only the revision is read: the stored map is large JSON, not worth decoding to replace it.
        cache = MapCache.objects.select_for_update().filter(response=response).only("id", "revision").first()
        if cache is not None and cache.revision > revision:
            return
        fields = {"revision": revision, "data": data, "computed_at": timezone.now(), "seconds": seconds}
        if cache is not None:
            MapCache.objects.filter(pk=cache.pk).update(**fields)
        else:
            try:
                with transaction.atomic():
                    MapCache.objects.create(response=response, **fields)
            except IntegrityError:  # another process stored the first map meanwhile: newest revision wins
                MapCache.objects.filter(response=response, revision__lte=revision).update(**fields)
        extremity = {s["id"]: s["extremity"] for s in data.get("statements", [])}
        column_set(Statement._meta.db_table, "extremity", extremity, scope=("response_id", response.pk))


# --------------------------------------------------------------------------- perception gap


@transaction.atomic
def prediction_save(*, response: JointResponse, user, statement: Statement, target: Community, share) -> Prediction:
    if not response.perception_step:
        raise Conflict("This response has no perception-gap step.")
    _require_phase(response, Phase.GATHERING, Phase.DRAFTING, doing="make predictions")
    if statement.response_id != response.pk or not statement.is_key:
        raise InvalidInput("Predictions are made on the key statements only.", field="statement")
    try:
        share = float(share)
    except (TypeError, ValueError):
        raise InvalidInput("Give a percentage between 0 and 100.", field="share") from None
    if not 0 <= share <= 100:
        raise InvalidInput("Give a percentage between 0 and 100.", field="share")
    participant = participant_for(response, user, create=True)
    from .permissions import invited_ids

    if target.pk not in invited_ids(response) or target.pk == participant.community_id:
        raise InvalidInput("Predict for another invited community, not your own.", field="target")
    prediction, _ = Prediction.objects.update_or_create(
        participant=participant,
        statement=statement,
        target=target,
        defaults={"response": response, "share": share / 100.0},
    )
    return prediction


# --------------------------------------------------------------------------- drafting


def _diff(old: str, new: str, old_n: int, new_n: int) -> str:
    return "\n".join(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile=f"version {old_n}", tofile=f"version {new_n}", lineterm=""
        )
    )


def paragraph_key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode(), usedforsecurity=False).hexdigest()[:16]


def _refuse_if_delivered(response: JointResponse) -> None:
    response.refresh_from_db(fields=["state"])
    if response.state in (Phase.DELIVERED, Phase.CLOSED):
        raise Conflict("This response was delivered: it can no longer be edited.", code="delivered")
    if response.state == Phase.WITHDRAWN:
        raise Conflict("This response was withdrawn: it can no longer be edited.", code="withdrawn")


@transaction.atomic
def draft_save(*, response: JointResponse, user, text: str, base_version: int) -> DraftVersion:
    """Save a new version. A save based on an old version is refused (409): nothing is overwritten."""
    response = JointResponse.objects.select_for_update().get(pk=response.pk)
    _refuse_if_delivered(response)
    _require_phase(response, Phase.DRAFTING, doing="edit the draft")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("The draft cannot be empty.", field="text")
    if len(text) > 50_000:
        raise InvalidInput(f"The draft is longer than 50,000 characters ({len(text)}).", field="text")
    try:
        base_version = int(base_version)
    except (TypeError, ValueError):
        raise InvalidInput("Missing the version you started from.", field="base_version") from None
    if base_version != response.draft_version:
        raise Conflict(
            f"Someone saved version {response.draft_version} while you were editing version {base_version}. "
            "Your text was not saved: copy it, reload the draft, and merge your changes.",
            code="stale_version",
            field="text",
        )
    if text == response.draft_text.strip():
        return response.versions.first()  # nothing changed: no empty version
    number = response.draft_version + 1
    version = DraftVersion.objects.create(
        response=response,
        number=number,
        text=text,
        diff=_diff(response.draft_text, text, response.draft_version, number),
        author=None if response.anonymous else user,
    )
    response.draft_text, response.draft_version = text, number
    response.save(update_fields=["draft_text", "draft_version"])
    participant_for(response, user, create=True)
    return version


@transaction.atomic
def comment_add(*, response: JointResponse, user, paragraph: str, text: str) -> ParagraphComment:
    _refuse_if_delivered(response)
    _require_phase(response, Phase.DRAFTING, Phase.ENDORSEMENT, doing="comment on the draft")
    text = _clean(text, field="text", label="The comment", limit=2000, required=True)
    paragraphs = {paragraph_key(p): p for p in split_paragraphs(response.draft_text)}
    if paragraph not in paragraphs:
        raise InvalidInput(
            "That paragraph is no longer in the draft (it was edited meanwhile): reload and comment again.",
            field="paragraph",
        )
    participant = participant_for(response, user, create=True)
    comment = ParagraphComment.objects.create(
        response=response,
        paragraph_key=paragraph,
        paragraph_excerpt=paragraphs[paragraph][:200],
        version=response.draft_version,
        participant=participant,
        text=text,
    )
    _record(response, participant, "comment")
    return comment


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


@transaction.atomic
def minority_view_add(*, response: JointResponse, actor, text: str, held_by: str = "") -> MinorityView:
    _refuse_if_delivered(response)
    _require_phase(response, Phase.DRAFTING, doing="add a minority view")
    text = _clean(text, field="text", label="The minority view", limit=1000, required=True)
    held_by = _clean(held_by, field="held_by", label="Held by", limit=200)
    return MinorityView.objects.create(response=response, text=text, held_by=held_by)


@transaction.atomic
def minority_view_answer(*, view: MinorityView, user, answer: str) -> MinorityView:
    _refuse_if_delivered(view.response)
    _require_phase(view.response, Phase.DRAFTING, doing="answer a minority view")
    view.answer = _clean(answer, field="answer", label="The answer", limit=5000, required=True)
    view.answered_at = timezone.now()
    view.save(update_fields=["answer", "answered_at"])
    return view


# --------------------------------------------------------------------------- endorsement


@transaction.atomic
def endorsement_cast(*, response: JointResponse, user, stance: str, reason: str = "") -> Endorsement:
    _refuse_if_delivered(response)
    _require_phase(response, Phase.ENDORSEMENT, doing="endorse")
    if stance not in Stance.values:
        raise InvalidInput("Choose endorse, endorse with reservations, object or abstain.", field="stance")
    reason = _clean(reason, field="reason", label="The reason", limit=2000)
    participant = participant_for(response, user, create=True)
    endorsement, _ = Endorsement.objects.update_or_create(
        response=response,
        participant=participant,
        defaults={"stance": stance, "reason": reason, "updated_at": timezone.now()},
    )
    return endorsement
