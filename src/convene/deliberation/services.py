"""Write paths for joint responses: intake, phases, statements, votes, drafting, endorsement, delivery."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from convene.communities.ledgers import contribution_record
from convene.communities.models import Community, Contribution, ContributionKind, Membership
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput, ServiceError
from convene.core.lifecycle import transition
from convene.core.text import clean_text, header_safe, normalise_name, require_one_line

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
    new_tracking_token,
)

log = logging.getLogger(__name__)

COUNTER = {1: "n_agree", -1: "n_disagree", 0: "n_pass"}


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


def _url(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    value = clean_text(value, field="source_url", label="The source link", limit=500)
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
    title = clean_text(title, field="title", label="Title", limit=200, required=True)
    require_one_line(title, field="title", label="Title")  # reminders put it in a mail subject
    what_changed = clean_text(what_changed, field="what_changed", label="What changed", limit=5000)
    why = clean_text(why_it_matters, field="why_it_matters", label="Why it matters", limit=5000)
    question = clean_text(question, field="question", label="The question", limit=5000)
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
    audit(community=community, actor=creator, action="response_created", subject=f"response:{response.pk}", kind=kind)
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
    guests_can_read: bool | None = None,
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
            setattr(response, name, clean_text(value, field=name, label=label, limit=limit, required=required))
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
    for name, value in (
        ("hide_results", hide_results),
        ("perception_step", perception_step),
        ("guests_can_read", guests_can_read),
    ):
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
        where = {"community": response.community, "actor": actor, "subject": f"response:{response.pk}"}
        if "anonymous" in changed:
            audit(**where, action="anonymity_changed", anonymous=response.anonymous)
        if set(changed) - {"anonymous"}:
            audit(**where, action="response_updated", fields=sorted(set(changed) - {"anonymous"}))
    if communities is not None:
        if response.state not in (Phase.DRAFT, Phase.GATHERING):
            raise Conflict("Communities can only be invited before drafting starts.", field="communities")
        ids = {c.pk for c in communities} | {response.community_id}
        before = set(response.communities.values_list("pk", flat=True))
        response.communities.set(ids)
        response.__dict__.pop("_invited_ids", None)
        if ids != before:
            audit(
                community=response.community,
                actor=actor,
                action="communities_invited",
                subject=f"response:{response.pk}",
                added=sorted(ids - before),
                removed=sorted(before - ids),
            )
    return response


@transaction.atomic
def response_transition(*, response: JointResponse, actor, to: str) -> JointResponse:
    response = JointResponse.objects.select_for_update().get(pk=response.pk)
    previous = transition(
        response,
        to,
        TRANSITIONS,
        field="to",
        unknown="to: “{to}” is not a phase.",
        refused="A response that is {was_label} cannot move to “{to_label}”.",
        code="bad_transition",
    )
    if to == Phase.GATHERING and previous == Phase.DRAFT and not response.gathering_ends:
        raise InvalidInput("Set when gathering ends before opening it.", field="gathering_ends")
    if to == Phase.ENDORSEMENT and not response.draft_text.strip():
        raise Conflict("Write the draft before asking for endorsement.")
    fields = ["state"]
    if to == Phase.DELIVERED:
        response.delivered_at = timezone.now()
        fields.append("delivered_at")
    response.save(update_fields=fields)
    audit(
        community=response.community,
        actor=actor,
        action="phase_changed",
        subject=f"response:{response.pk}",
        old=previous,
        new=to,
    )
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

    name = normalise_name(
        clean_text(requester_name, field="requester_name", label="Your name", limit=120, required=True)
    )
    if not name:
        raise InvalidInput("Your name is required (it has no visible characters).", field="requester_name")
    organisation = clean_text(organisation, field="organisation", label="Organisation", limit=200, required=True)
    require_one_line(organisation, field="organisation", label="Organisation")  # it ends up in a mail subject
    contact = (contact or "").strip().lower()
    try:
        validate_email(contact)
    except ValidationError:
        raise InvalidInput("Give an email address where we can reach you.", field="contact") from None
    question = clean_text(question, field="question", label="The question", limit=3000, required=True)
    context = clean_text(context, field="context", label="Context", limit=5000)
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
    audit(community=req.community, actor=actor, action="opinion_request_accepted", subject=f"opinion_request:{req.pk}")
    transaction.on_commit(lambda: _mail_requester(req.pk))
    response.refresh_from_db()
    return response


@transaction.atomic
def opinion_request_decline(*, opinion_request: OpinionRequest, actor, reason: str) -> OpinionRequest:
    req = OpinionRequest.objects.select_for_update().get(pk=opinion_request.pk)
    if req.status != RequestStatus.PENDING:
        raise Conflict("This request for opinion was already decided.", code="already_decided")
    req.decline_reason = clean_text(reason, field="reason", label="The reason", limit=2000, required=True)
    req.status = RequestStatus.DECLINED
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "decline_reason", "decided_at"])
    audit(community=req.community, actor=actor, action="opinion_request_declined", subject=f"opinion_request:{req.pk}")
    transaction.on_commit(lambda: _mail_requester(req.pk))
    return req


@transaction.atomic
def opinion_request_relink(*, opinion_request: OpinionRequest, actor) -> OpinionRequest:
    """Revoke the requester's tracking link and mail them a new one (which starts a new expiry period)."""
    req = OpinionRequest.objects.select_for_update().get(pk=opinion_request.pk)
    req.token = new_tracking_token()  # the old link is refused from now on (404)
    req.link_renewed_at = timezone.now()
    req.save(update_fields=["token", "link_renewed_at"])
    audit(community=req.community, actor=actor, action="tracking_link_replaced", subject=f"opinion_request:{req.pk}")
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
    reason = clean_text(reason, field="reason", label="The reason", limit=500, required=decision == "reject")
    statement.state = MODERATION[decision]
    statement.reject_reason = reason if decision == "reject" else ""
    statement.save(update_fields=["state", "reject_reason"])
    _bump_revision(statement.response_id)
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
        raise Conflict("Only accepted statements can be key statements.")
    statement.is_key = bool(key)
    statement.save(update_fields=["is_key"])
    return statement


# --------------------------------------------------------------------------- votes


_VOTE_VALUES = tuple(VoteValue.values)  # (the enum builds the list anew on every access)
_MAX_ID = 2**63 - 1


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


def _voting_closed(state: str | None) -> Conflict:
    return Conflict(
        "Voting has ended: the response is no longer gathering views."
        if state in (Phase.DRAFTING, Phase.ENDORSEMENT, Phase.DELIVERED, Phase.CLOSED)
        else "Voting is not open for this response.",
        code="voting_closed",
    )


def vote_cast(*, response: JointResponse, user, statement_id, value) -> Vote:
    """Cast or change a vote: the one way to vote (web page, htmx fragment and API all call it).

    The caller has fetched the response through `permissions.response_for(need=Need.MEMBER)`.
    Checks the phase, the statement and the voter with readable refusals, then writes through
    `vote_record`. The same vote twice is a no-op (a double submit is harmless).
    """
    value = vote_value(value)
    try:
        statement_id = int(statement_id)
    except (TypeError, ValueError):
        statement_id = None
    # The phase and the statement in one read, both as of now (the phase may have moved since the
    # caller loaded the response); the map revision too, which keys the next statement's pool.
    row = None
    if statement_id is not None and 0 < statement_id <= _MAX_ID:
        row = (
            Statement.objects.filter(response_id=response.pk, pk=statement_id)
            .values_list("state", "response__state", "response__revision")
            .first()
        )
    if row is not None:
        response.revision = row[2]
    phase = row[1] if row else JointResponse.objects.filter(pk=response.pk).values_list("state", flat=True).first()
    if phase != Phase.GATHERING:
        raise _voting_closed(phase)
    if statement_id is None:
        raise InvalidInput("Choose a statement to vote on.", field="statement")
    if row is None:
        raise InvalidInput("There is no such statement in this response.", field="statement", code="no_statement")
    if row[0] != StatementState.ACCEPTED:
        why = {
            StatementState.REJECTED: "it was rejected by the moderators",
            StatementState.PENDING: "it is still waiting for moderation",
            StatementState.META: "it is a remark about the process, not a view to vote on",
        }[row[0]]
        raise Conflict(f"You cannot vote on this statement: {why}.", code="not_votable")
    participant = participant_for(response, user, create=True)
    vote_record(response=response, participant=participant, statement_id=statement_id, value=value)
    return Vote(response_id=response.pk, participant=participant, statement_id=statement_id, value=value)


# The vote, or nothing when this participant already voted on the statement (portable: PostgreSQL
# and SQLite >= 3.35 both have ON CONFLICT ... RETURNING).
_VOTE_INSERT = (
    "INSERT INTO deliberation_vote (response_id, participant_id, statement_id, value, updated_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (response_id, participant_id, statement_id) DO NOTHING RETURNING id"
)


def vote_record(*, response: JointResponse, participant: Participant, statement_id: int, value: int) -> bool:
    """Write one vote: insert it, change it, or leave it alone when it is the same. True if it changed.

    The caller (`vote_cast`) has checked that voting is open, the statement is accepted and the
    participant may vote. A first vote is one INSERT ... ON CONFLICT DO NOTHING, plus the voice
    ledger row of a named participant, in one transaction; a changed vote is one UPDATE. With a
    map worker (production) the statement counters and the map revision are derived data the
    worker refreshes, so a vote touches no shared row; without one (development, tests) they are
    updated here, in the same transaction.
    """
    from django.db import connection

    from .tasks import map_in_worker, request_map

    now = timezone.now()
    in_worker = map_in_worker()
    mine = Vote.objects.filter(response_id=response.pk, participant_id=participant.pk, statement_id=statement_id)
    with transaction.atomic():
        with connection.cursor() as cursor:
            stamp = connection.ops.adapt_datetimefield_value(now)
            cursor.execute(_VOTE_INSERT, [response.pk, participant.pk, statement_id, value, stamp])
            inserted = cursor.fetchone() is not None
        old = None
        if inserted:
            if not response.anonymous and participant.user_id is not None:  # anonymous: no voice ledger
                Contribution.objects.create(
                    community_id=participant.community_id,
                    user_id=participant.user_id,
                    kind=ContributionKind.VOTE,
                    context=response.context,
                    occurred_at=now,
                )
        elif in_worker:
            if not mine.exclude(value=value).update(value=value, updated_at=now):
                return False  # the same vote again
        else:  # the counters move by the old value: read it under the row lock
            old = mine.select_for_update().values_list("value", flat=True).get()
            if old == value:
                return False
            mine.update(value=value, updated_at=now)
        if not in_worker:
            counts = {COUNTER[value]: F(COUNTER[value]) + 1}
            if old is not None:
                counts[COUNTER[old]] = F(COUNTER[old]) - 1
            Statement.objects.filter(pk=statement_id).update(**counts)
            JointResponse.objects.filter(pk=response.pk).update(revision=F("revision") + 1)
        transaction.on_commit(lambda: request_map(response.pk))
    return True


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
    text = clean_text(text, field="text", label="The comment", limit=2000, required=True)
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
    text = clean_text(text, field="text", label="The minority view", limit=1000, required=True)
    held_by = clean_text(held_by, field="held_by", label="Held by", limit=200)
    return MinorityView.objects.create(response=response, text=text, held_by=held_by)


@transaction.atomic
def minority_view_answer(*, view: MinorityView, user, answer: str) -> MinorityView:
    _refuse_if_delivered(view.response)
    _require_phase(view.response, Phase.DRAFTING, doing="answer a minority view")
    view.answer = clean_text(answer, field="answer", label="The answer", limit=5000, required=True)
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
    reason = clean_text(reason, field="reason", label="The reason", limit=2000)
    participant = participant_for(response, user, create=True)
    endorsement, _ = Endorsement.objects.update_or_create(
        response=response,
        participant=participant,
        defaults={"stance": stance, "reason": reason, "updated_at": timezone.now()},
    )
    return endorsement
