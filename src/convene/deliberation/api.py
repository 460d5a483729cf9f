"""API routes for joint responses: every step from intake to delivery.

No route ever returns who wrote a statement, who voted what, or a user id of a participant;
in anonymous responses no name appears anywhere.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import StrictBool, StrictFloat

from convene.communities.models import Community
from convene.communities.permissions import Need, community_for
from convene.core.api import ERRORS, OPTIONAL, WholeInt
from convene.core.errors import Conflict, InvalidInput

from . import exports, selectors, services
from .models import (
    DraftVersion,
    MinorityView,
    OpinionRequest,
    ParagraphComment,
    Phase,
    Stance,
    Statement,
    StatementState,
)
from .permissions import (
    VOTING_FACTS,
    can_act,
    invited_ids,
    opinion_request_by_token,
    opinion_request_for,
    response_for,
    response_for_voting,
    throttle,
)

router = Router(tags=["deliberation"])
ERR = {**ERRORS, 429: ERRORS[400]}


class ResponseOut(Schema):
    id: int
    community: str
    communities: list[str]
    kind: str
    title: str
    what_changed: str
    source_url: str
    why_it_matters: str
    question: str
    state: str
    anonymous: bool
    hide_results: bool
    perception_step: bool
    guests_can_read: bool
    gathering_ends: dt.datetime | None
    drafting_ends: dt.datetime | None
    endorsement_ends: dt.datetime | None
    deadline: dt.date | None
    delivered_at: dt.datetime | None
    draft_version: int


class DevelopmentIn(Schema):
    title: str = Field(..., max_length=1000)
    what_changed: str = Field(..., max_length=20000)
    source_url: str = Field("", max_length=1000)
    why_it_matters: str = Field("", max_length=20000)


class ResponsePatch(Schema):
    title: str | None = Field(None, max_length=1000)
    what_changed: str | None = Field(None, max_length=20000)
    source_url: str | None = Field(None, max_length=1000)
    why_it_matters: str | None = Field(None, max_length=20000)
    question: str | None = Field(None, max_length=20000)
    anonymous: StrictBool | None = None
    hide_results: StrictBool | None = None
    perception_step: StrictBool | None = None
    guests_can_read: StrictBool | None = None
    gathering_ends: dt.datetime | None = None
    drafting_ends: dt.datetime | None = None
    endorsement_ends: dt.datetime | None = None
    communities: list[str] | None = Field(None, max_length=50)


class DeliberationTransitionIn(Schema):
    to: str = Field(..., max_length=20)


class OpinionRequestIn(Schema):
    requester_name: str = Field(..., max_length=500)
    organisation: str = Field(..., max_length=500)
    contact: str = Field(..., max_length=254)
    question: str = Field(..., max_length=10000)
    context: str = Field("", max_length=20000)
    deadline: dt.date


class OpinionRequestOut(Schema):
    id: int
    community: str
    requester_name: str
    organisation: str
    contact: str
    question: str
    context: str
    deadline: dt.date
    status: str
    decline_reason: str
    response_id: int | None
    created_at: dt.datetime


class OpinionRequestCreated(Schema):
    status: str
    tracking_url: str
    token: str


class TrackingOut(Schema):
    community: str
    organisation: str
    question: str
    deadline: dt.date
    status: str
    status_label: str
    decline_reason: str
    phase: str | None
    response: dict | None


class AcceptIn(Schema):
    title: str = Field("", max_length=1000)
    gathering_ends: dt.datetime
    drafting_ends: dt.datetime | None = None
    endorsement_ends: dt.datetime | None = None


class DeclineIn(Schema):
    reason: str = Field(..., max_length=5000)


class StatementIn(Schema):
    text: str = Field(..., max_length=5000)


class StatementOut(Schema):
    id: int
    text: str
    state: str
    is_key: bool
    agree: int
    disagree: int
    pass_: int = Field(..., alias="pass")
    reject_reason: str
    mine: bool


class ModerationIn(Schema):
    decision: str = Field(..., max_length=10, description="accept, reject, meta, key or unkey")
    reason: str = Field("", max_length=2000)


class VoteIn(Schema):
    # Strict: JSON `true` is not the number 1, so it is not a vote (nor a statement id).
    statement: WholeInt
    value: WholeInt | str = Field(..., description="1 agree, -1 disagree, 0 pass (or the words)")


class NextOut(Schema):
    statement: dict | None
    remaining: int


class VoteOut(Schema):
    statement: int
    value: int
    next: NextOut


class PredictionIn(Schema):
    statement: WholeInt
    target: str = Field(..., max_length=60, description="slug of the other community")
    share: StrictFloat = Field(..., description="percentage 0-100")


class DraftIn(Schema):
    text: str = Field(..., max_length=60000)
    base_version: WholeInt


class DraftOut(Schema):
    version: int
    text: str
    paragraphs: list[dict]
    minority_views: list[dict]


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    author: str | None
    diff: str


class CommentIn(Schema):
    paragraph: str = Field(..., max_length=16)
    text: str = Field(..., max_length=5000)


class CommentOut(Schema):
    id: int
    paragraph: str
    excerpt: str
    version: int
    text: str
    author: str | None
    created_at: dt.datetime


class MinorityIn(Schema):
    text: str = Field(..., max_length=5000)
    held_by: str = Field("", max_length=500)


class DeliberationAnswerIn(Schema):
    answer: str = Field(..., max_length=10000)


class MinorityOut(Schema):
    id: int
    text: str
    held_by: str
    answer: str


class EndorseIn(Schema):
    stance: Stance
    reason: str = Field("", max_length=5000)


def _response_out(r) -> dict:
    slugs = dict(Community.objects.filter(pk__in=invited_ids(r)).values_list("id", "slug"))
    return {
        **{f: getattr(r, f) for f in ResponseOut.model_fields if f not in ("community", "communities")},
        "community": r.community.slug,
        "communities": sorted(slugs.values()),
    }


def _statement_out(s: Statement, mine_ids: set[int]) -> dict:
    return {
        "id": s.pk,
        "text": s.text,
        "state": s.state,
        "is_key": s.is_key,
        "agree": s.n_agree,
        "disagree": s.n_disagree,
        "pass": s.n_pass,
        "reject_reason": s.reject_reason if s.pk in mine_ids else "",
        "mine": s.pk in mine_ids,
    }


def _next(response, user, participant=None) -> dict:
    if participant is None:
        facts = getattr(response, VOTING_FACTS, None)  # (read by response_for_voting)
        cached = facts.participant if facts is not None else None
        participant = services.participant_for(response, user, create=False, cached=cached)
    statement, remaining = selectors.next_statement(response, participant)
    return {"statement": {"id": statement.pk, "text": statement.text} if statement else None, "remaining": remaining}


def _results_visible(response) -> None:
    if response.results_hidden:
        raise Conflict(_("Results are hidden until gathering ends."), code="results_hidden")


# --------------------------------------------------------------------------- voting
# First in the file, so first among the API's URL patterns (convene/api.py mounts this router
# first): Django tries the patterns in order, and these two take nearly every API request while a
# room votes.


@router.get(
    "/responses/{response_id}/next",
    response={200: NextOut, **ERRORS},
    summary="The next statement for you to vote on, chosen by the engine's priority",
)
def next_statement(request, response_id: int):
    response = response_for_voting(request.user, response_id, need=Need.MEMBER)
    return _next(response, request.user)


@router.post(
    "/responses/{response_id}/votes",
    response={200: VoteOut, **ERRORS},
    summary="Vote (or change a vote); the same vote twice is harmless. Returns the next statement.",
)
def cast_vote(request, response_id: int, payload: VoteIn):
    response = response_for_voting(request.user, response_id, need=Need.MEMBER)
    vote = services.vote_cast(response=response, user=request.user, statement_id=payload.statement, value=payload.value)
    next_up = _next(response, request.user, vote.participant)
    return {"statement": vote.statement_id, "value": vote.value, "next": next_up}


# --------------------------------------------------------------------------- intake


@router.get("/communities/{slug}/responses", response={200: list[ResponseOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_responses(request, slug: str):
    community = community_for(request.user, slug, need=Need.GUEST)
    return [_response_out(r) for r in selectors.responses_for(request.user, community)]


@router.post(
    "/communities/{slug}/responses", response={201: ResponseOut, **ERRORS}, summary="Raise an external development"
)
def create_response(request, slug: str, payload: DevelopmentIn):
    community = community_for(request.user, slug, need=Need.MEMBER)
    response = services.response_create(community=community, creator=request.user, **payload.dict())
    return Status(201, _response_out(response))


class PolisImportIn(Schema):
    title: str = Field(..., max_length=1000)
    zip_base64: str | None = Field(
        None, max_length=2_000_000, description="The Pol.is export's zip file, base64-encoded (or give `files`)."
    )
    files: dict[str, str] | None = Field(
        None,
        description=(
            "The export's CSV texts by file name: comments.csv with votes.csv and/or participants-votes.csv "
            "(other names are ignored)."
        ),
    )


@router.post(
    "/communities/{slug}/responses/import-polis",
    response={201: ResponseOut, **ERRORS},
    summary="Import a Pol.is export as a new joint response (coordinators)",
)
def import_polis(request, slug: str, payload: PolisImportIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    if (payload.zip_base64 is None) == (payload.files is None):
        raise InvalidInput(_("Send the export either as zip_base64 or as files, not both."), field="zip_base64")
    if payload.zip_base64 is not None:
        try:
            source = {"archive": base64.b64decode(payload.zip_base64, validate=True)}
        except (binascii.Error, ValueError):
            raise InvalidInput(_("zip_base64 is not valid base64."), field="zip_base64") from None
    else:
        source = {"files": {name.rsplit("/", 1)[-1].lower(): text.encode() for name, text in payload.files.items()}}
    export = services.polis_export_read(**source)
    response = services.response_import_polis(
        community=community, creator=request.user, title=payload.title, export=export
    )
    return Status(201, _response_out(response))


@router.post(
    "/communities/{slug}/opinion-requests",
    response={201: OpinionRequestCreated, **ERR},
    auth=OPTIONAL,
    summary="Ask a community for its opinion (no account needed; 5 per hour per address)",
)
def submit_opinion_request(request, slug: str, payload: OpinionRequestIn):
    community = community_for(request.user, slug)
    throttle(request)
    req = services.opinion_request_submit(community=community, **payload.dict())
    return Status(201, {"status": req.status, "tracking_url": services.tracking_url(req), "token": req.token})


@router.get("/communities/{slug}/opinion-requests", response={200: list[OpinionRequestOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_opinion_requests(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return [_request_out(r) for r in OpinionRequest.objects.filter(community=community).select_related("community")]


def _request_out(r: OpinionRequest) -> dict:
    return {
        **{f: getattr(r, f) for f in OpinionRequestOut.model_fields if f != "community"},
        "community": r.community.slug,
    }


@router.post("/communities/{slug}/opinion-requests/{request_id}/accept", response={201: ResponseOut, **ERRORS})
def accept_opinion_request(request, slug: str, request_id: int, payload: AcceptIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    req = opinion_request_for(community, request_id)
    response = services.opinion_request_accept(opinion_request=req, actor=request.user, **payload.dict())
    return Status(201, _response_out(response))


@router.post("/communities/{slug}/opinion-requests/{request_id}/decline", response={200: OpinionRequestOut, **ERRORS})
def decline_opinion_request(request, slug: str, request_id: int, payload: DeclineIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    req = opinion_request_for(community, request_id)
    return _request_out(
        services.opinion_request_decline(opinion_request=req, actor=request.user, reason=payload.reason)
    )


@router.post(
    "/communities/{slug}/opinion-requests/{request_id}/relink",
    response={200: OpinionRequestOut, **ERRORS},
    summary="Replace the requester's tracking link (the old one stops working; the new one is mailed)",
)
def relink_opinion_request(request, slug: str, request_id: int):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    req = opinion_request_for(community, request_id)
    return _request_out(services.opinion_request_relink(opinion_request=req, actor=request.user))


@router.get(
    "/opinion-requests/{token}",
    response={200: TrackingOut, **ERRORS},
    auth=OPTIONAL,
    summary="The requester's private tracking view (the token is the credential)",
)
def track_opinion_request(request, token: str):
    req = opinion_request_by_token(token)
    response = req.response
    delivered = response is not None and response.state in (Phase.DELIVERED, Phase.CLOSED)
    return {
        "community": req.community.name,
        "organisation": req.organisation,
        "question": req.question,
        "deadline": req.deadline,
        "status": req.status,
        "status_label": req.get_status_display(),
        "decline_reason": req.decline_reason,
        "phase": response.state if response else None,
        "response": exports.document(response) if delivered else None,
    }


# --------------------------------------------------------------------------- a response


@router.get("/responses/{response_id}", response={200: ResponseOut, **ERRORS})
def get_response(request, response_id: int):
    return _response_out(response_for(request.user, response_id, need=Need.GUEST))


@router.patch("/responses/{response_id}", response={200: ResponseOut, **ERRORS})
def update_response(request, response_id: int, payload: ResponsePatch):
    response = response_for(request.user, response_id, need=Need.COORDINATOR)
    data = payload.dict(exclude_unset=True)
    if "communities" in data:
        slugs = data.pop("communities") or []
        found = list(Community.objects.filter(slug__in=slugs))
        if len(found) != len(set(slugs)):
            raise Http404(_("One of the communities does not exist."))
        for c in found:
            community_for(request.user, c.slug)  # must be visible to the caller
        # invited communities the caller cannot see stay invited (their names are never shown to them)
        data["communities"] = [*found, *selectors.unseen_invited(request.user, response)]
    return _response_out(services.response_update(response=response, actor=request.user, **data))


@router.post("/responses/{response_id}/transition", response={200: ResponseOut, **ERRORS})
def transition_response(request, response_id: int, payload: DeliberationTransitionIn):
    response = response_for(request.user, response_id, need=Need.COORDINATOR)
    return _response_out(services.response_transition(response=response, actor=request.user, to=payload.to))


@router.get("/responses/{response_id}/statements", response={200: list[StatementOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_statements(request, response_id: int, state: str = ""):
    response = response_for(request.user, response_id, need=Need.GUEST)
    qs = response.statements.all()
    if not can_act(request.user, response, Need.COORDINATOR):
        qs = qs.filter(state=StatementState.ACCEPTED)
    if state:
        qs = qs.filter(state=state[:10])
    participant = services.participant_for(response, request.user, create=False)
    mine = set(Statement.objects.filter(author=participant).values_list("id", flat=True)) if participant else set()
    hidden = response.results_hidden
    rows = []
    for s in qs:
        out = _statement_out(s, mine)
        if hidden:
            out.update(agree=0, disagree=0, **{"pass": 0})
        rows.append(out)
    return rows


@router.get(
    "/responses/{response_id}/statements/mine",
    response={200: list[StatementOut], **ERRORS},
    summary="Your own statements with their moderation state and any rejection reason",
)
def my_statements(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    participant = services.participant_for(response, request.user, create=False)
    if participant is None:
        return []
    rows = Statement.objects.filter(author=participant)
    return [_statement_out(s, {s.pk for s in rows}) for s in rows]


@router.post("/responses/{response_id}/statements", response={201: StatementOut, **ERRORS})
def submit_statement(request, response_id: int, payload: StatementIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    statement = services.statement_submit(response=response, user=request.user, text=payload.text)
    return Status(201, _statement_out(statement, {statement.pk}))


class SeedIn(Schema):
    csv: str = Field(
        ...,
        max_length=1_000_000,
        description="CSV text: a column headed statement, text or comment-body, or else the first column.",
    )


class SeedOut(Schema):
    added: int
    statement_ids: list[int]


@router.post(
    "/responses/{response_id}/statements/seed",
    response={201: SeedOut, **ERRORS},
    summary="Seed accepted statements from a CSV (coordinators, before or while gathering)",
)
def seed_statements(request, response_id: int, payload: SeedIn):
    response = response_for(request.user, response_id, need=Need.COORDINATOR)
    added = services.statements_seed(response=response, actor=request.user, data=payload.csv.encode())
    return Status(201, {"added": len(added), "statement_ids": [s.pk for s in added]})


@router.post("/responses/{response_id}/statements/{statement_id}/moderation", response={200: StatementOut, **ERRORS})
def moderate_statement(request, response_id: int, statement_id: int, payload: ModerationIn):
    response = response_for(request.user, response_id, need=Need.COORDINATOR)
    statement = selectors.statement_in(response, statement_id)
    if payload.decision in ("key", "unkey"):
        statement = services.statement_mark_key(statement=statement, actor=request.user, key=payload.decision == "key")
    else:
        statement = services.statement_moderate(
            statement=statement, actor=request.user, decision=payload.decision, reason=payload.reason
        )
    return _statement_out(statement, set())


@router.get(
    "/responses/{response_id}/map",
    response={200: dict, **ERRORS},
    summary="Opinion map: groups, representative statements, common ground, divisive, by community",
)
def get_map(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    _results_visible(response)
    services.map_refresh(response=response)  # the selector only reads the stored map
    view = selectors.map_view(response)
    return view


@router.get("/responses/{response_id}/coverage", response={200: list[dict], **ERRORS})
def get_coverage(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    names = can_act(request.user, response, Need.COORDINATOR) and not response.anonymous
    return [
        {
            "community": row["community"].slug if row["community"] else None,
            "label": row["community"].name if row["community"] else row["label"],
            "invited": row["invited"],
            "voted": row["voted"],
            "wrote": row["wrote"],
            "note": row["note"],
            **({"not_heard": row["not_heard"]} if names else {}),
        }
        for row in selectors.coverage(response, with_names=names)
    ]


@router.post("/responses/{response_id}/predictions", response={200: dict, **ERRORS})
def predict(request, response_id: int, payload: PredictionIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    statement = Statement.objects.filter(response=response, pk=payload.statement).first()
    target = Community.objects.filter(slug=payload.target[:60]).first()
    if statement is None or target is None:
        raise Http404(_("No such statement or community in this response."))
    p = services.prediction_save(
        response=response, user=request.user, statement=statement, target=target, share=payload.share
    )
    return {"statement": p.statement_id, "target": target.slug, "share": round(p.share * 100, 1)}


@router.get("/responses/{response_id}/perception", response={200: list[dict], **ERRORS})
def perception(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    _results_visible(response)
    allowed = selectors.perception_statements_for(response, request.user)
    return selectors.perception_report(response, statements=allowed)


@router.get("/responses/{response_id}/draft", response={200: DraftOut, **ERRORS})
def get_draft(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    return {
        "version": response.draft_version,
        "text": response.draft_text,
        "paragraphs": [
            {"key": services.paragraph_key(p), "text": p} for p in services.split_paragraphs(response.draft_text)
        ],
        "minority_views": [
            {"id": m.pk, "text": m.text, "held_by": m.held_by, "answer": m.answer}
            for m in MinorityView.objects.filter(response=response)
        ],
    }


@router.put(
    "/responses/{response_id}/draft",
    response={200: VersionOut, **ERRORS},
    summary="Save a new version; 409 if someone saved since base_version (nothing is overwritten)",
)
def save_draft(request, response_id: int, payload: DraftIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    version = services.draft_save(
        response=response, user=request.user, text=payload.text, base_version=payload.base_version
    )
    return _version_out(version, response)


def _version_out(v: DraftVersion, response) -> dict:
    return {
        "number": v.number,
        "created_at": v.created_at,
        "author": None if response.anonymous or v.author is None else v.author.display_name,
        "diff": v.diff,
    }


@router.get("/responses/{response_id}/draft/versions", response={200: list[VersionOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_versions(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    return [_version_out(v, response) for v in response.versions.select_related("author__profile")]


def _comment_out(c: ParagraphComment, response) -> dict:
    user = c.participant.user
    return {
        "id": c.pk,
        "paragraph": c.paragraph_key,
        "excerpt": c.paragraph_excerpt,
        "version": c.version,
        "text": c.text,
        "author": None if response.anonymous or user is None else user.display_name,
        "created_at": c.created_at,
    }


@router.get("/responses/{response_id}/draft/comments", response={200: list[CommentOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_comments(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    rows = selectors.paragraph_comments(response)
    return [_comment_out(c, response) for c in rows]


@router.post("/responses/{response_id}/draft/comments", response={201: CommentOut, **ERRORS})
def add_comment(request, response_id: int, payload: CommentIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    c = services.comment_add(response=response, user=request.user, paragraph=payload.paragraph, text=payload.text)
    return Status(201, _comment_out(c, response))


@router.post("/responses/{response_id}/minority-views", response={201: MinorityOut, **ERRORS})
def add_minority_view(request, response_id: int, payload: MinorityIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    return Status(201, services.minority_view_add(response=response, actor=request.user, **payload.dict()))


@router.post("/responses/{response_id}/minority-views/{view_id}/answer", response={200: MinorityOut, **ERRORS})
def answer_minority_view(request, response_id: int, view_id: int, payload: DeliberationAnswerIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    view = selectors.minority_view_in(response, view_id)
    return services.minority_view_answer(view=view, user=request.user, answer=payload.answer)


@router.post(
    "/responses/{response_id}/endorsements",
    response={200: dict, **ERRORS},
    summary="Endorse, endorse with reservations, object or abstain (a later call replaces it)",
)
def endorse(request, response_id: int, payload: EndorseIn):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    e = services.endorsement_cast(response=response, user=request.user, stance=payload.stance, reason=payload.reason)
    return {"stance": e.stance, "reason": e.reason}


@router.get("/responses/{response_id}/endorsements", response={200: dict, **ERRORS})
def endorsement_summary(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    summary = selectors.endorsement_summary(response)
    if response.anonymous:
        for r in summary["reasons"]:
            r["by"] = None
    return summary


@router.get(
    "/responses/{response_id}/document",
    response={200: dict, **ERRORS},
    summary="The response document as JSON (the delivered version once delivered)",
)
def document(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.GUEST)
    services.response_export_record(response=response, actor=request.user, fmt="json", via="api")
    return exports.document(response)


@router.get("/responses/{response_id}/polis-export", response={200: None, **ERRORS}, summary="Pol.is CSVs (zip)")
def polis_export(request, response_id: int):
    response = response_for(request.user, response_id, need=Need.MEMBER)
    if response.results_hidden:
        raise PermissionDenied(_("Results are hidden until gathering ends."))
    services.map_refresh(response=response)  # group-id comes from the map
    services.response_export_record(response=response, actor=request.user, fmt="polis", via="api")
    out = HttpResponse(exports.polis_zip(response), content_type="application/zip")
    out["Content-Disposition"] = f'attachment; filename="joint-response-{response.pk}-polis.zip"'
    return out
