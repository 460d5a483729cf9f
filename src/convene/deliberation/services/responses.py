"""Joint responses: create, update (dates, invited communities, settings), move through their phases."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convene.communities.models import Community
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.core.lifecycle import transition
from convene.core.text import clean_text, day_text, require_one_line
from convene.discussions.models import Thread
from convene.notifications.services import notify

from ..models import TRANSITIONS, JointResponse, Kind, OpinionRequest, Phase, RequestStatus
from .common import people_taking_part
from .drafting import draft_seed
from .mail import mail_requester


def _url(value: str) -> str:
    value = clean_text(value, field="source_url", label=_("The source link"), limit=500)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise InvalidInput(
                _("The source link must be a web address starting with http:// or https://."), field="source_url"
            ) from None
    return value


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
    title = clean_text(title, field="title", label=_("Title"), limit=200, required=True)
    require_one_line(title, field="title", label=_("Title"))  # reminders put it in a mail subject
    what_changed = clean_text(what_changed, field="what_changed", label=_("What changed"), limit=5000)
    why = clean_text(why_it_matters, field="why_it_matters", label=_("Why it matters"), limit=5000)
    question = clean_text(question, field="question", label=_("The question"), limit=5000)
    if kind not in Kind.values:
        raise InvalidInput(_("Kind must be an external development or a request for opinion."), field="kind")
    if kind == Kind.DEVELOPMENT and not what_changed:
        raise InvalidInput(_("Say what changed: members need it to form a view."), field="what_changed")
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
    in_future = {
        "gathering_ends": _("Gathering must end in the future."),
        "drafting_ends": _("Drafting must end in the future."),
        "endorsement_ends": _("Endorsement must end in the future."),
    }
    after = {
        ("gathering_ends", "drafting_ends"): _("Drafting must end after gathering ends."),
        ("gathering_ends", "endorsement_ends"): _("Endorsement must end after gathering ends."),
        ("drafting_ends", "endorsement_ends"): _("Endorsement must end after drafting ends."),
    }
    previous = None
    for name in order:
        value = dates.get(name, getattr(response, name))
        if value is None:
            continue
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
            dates[name] = value
        if name in dates and value <= now:
            raise InvalidInput(in_future[name], field=name)
        if previous is not None and value <= previous[1]:
            raise InvalidInput(after[(previous[0], name)], field=name)
        previous = (name, value)
    end = dates.get("endorsement_ends", response.endorsement_ends)
    if response.deadline and end and end.date() > response.deadline:
        raise InvalidInput(
            _("Endorsement would end after the requester's deadline (%(deadline)s).")
            % {"deadline": day_text(response.deadline)},
            field="endorsement_ends",
        )


def _discussed(response: JointResponse) -> bool:
    """Threads about the response exist (discussions are named; an anonymous response has none)."""
    about = ContentType.objects.get_for_model(JointResponse)
    return Thread.objects.filter(content_type=about, object_id=response.pk).exists()


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
        raise Conflict(
            _("This response is %(state)s and can no longer be changed.")
            % {"state": response.get_state_display().lower()}
        )
    changed: list[str] = []
    texts = {
        "title": (title, _("Title"), 200, True),
        "what_changed": (what_changed, _("What changed"), 5000, False),
        "why_it_matters": (why_it_matters, _("Why it matters"), 5000, False),
        "question": (question, _("The question"), 5000, False),
    }
    if title is not None:
        require_one_line(title.strip(), field="title", label=_("Title"))
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
                _("Anonymity can only be chosen before gathering starts: people took part under the other promise."),
                field="anonymous",
            )
        if anonymous and _discussed(response):
            raise Conflict(
                _(
                    "People have already discussed this response under their names: anonymity can only be "
                    "chosen before its discussions start."
                ),
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
            raise Conflict(_("Communities can only be invited before drafting starts."), field="communities")
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


PHASE_NEWS = {  # what a phase change means for the people taking part
    Phase.DRAFT: gettext_lazy("The joint response “%(title)s” is now back in preparation."),
    Phase.GATHERING: gettext_lazy(
        "The joint response “%(title)s” is now gathering views: add yours and vote on your colleagues' statements."
    ),
    Phase.DRAFTING: gettext_lazy(
        "The joint response “%(title)s” is now being drafted: read the draft and comment on it."
    ),
    Phase.ENDORSEMENT: gettext_lazy(
        "The joint response “%(title)s” is now open for endorsement: endorse it, or record your objection."
    ),
    Phase.DELIVERED: gettext_lazy("The joint response “%(title)s” is now delivered: read the final text."),
    Phase.CLOSED: gettext_lazy("The joint response “%(title)s” is now closed."),
    Phase.WITHDRAWN: gettext_lazy("The joint response “%(title)s” is now withdrawn."),
}


@transaction.atomic
def response_transition(*, response: JointResponse, actor, to: str) -> JointResponse:
    response = JointResponse.objects.select_for_update().get(pk=response.pk)
    previous = transition(
        response,
        to,
        TRANSITIONS,
        field="to",
        unknown=_("to: “{to}” is not a phase."),
        refused=_("A response that is {was_label} cannot move to “{to_label}”."),
        code="bad_transition",
    )
    if to == Phase.GATHERING and previous == Phase.DRAFT and not response.gathering_ends:
        raise InvalidInput(_("Set when gathering ends before opening it."), field="gathering_ends")
    if to == Phase.ENDORSEMENT and not response.draft_text.strip():
        raise Conflict(_("Write the draft before asking for endorsement."))
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
        draft_seed(response, actor=actor)
    notify(
        recipients=people_taking_part(response),
        kind="response.phase",
        obj=response,
        text=str(PHASE_NEWS[to]) % {"title": response.title},
        url=reverse("deliberation:detail", args=[response.pk]),
        community=response.community,
        actor=actor,
    )
    request = OpinionRequest.objects.filter(response=response).first()
    if request is not None:
        status = {Phase.DELIVERED: RequestStatus.DELIVERED, Phase.WITHDRAWN: RequestStatus.WITHDRAWN}.get(to)
        if status:
            request.status = status
            request.save(update_fields=["status"])
            transaction.on_commit(lambda: mail_requester(request.pk))
    return response


EXPORT_FORMATS = ("markdown", "docx", "pdf", "json", "polis")


EXPORT_PATHS = ("web", "api", "tracking_link")


def response_export_record(*, response: JointResponse, actor, fmt: str, via: str) -> None:
    """Audit one download of a response (Markdown, DOCX, PDF, JSON or the Pol.is CSVs): who (no one for
    the requester's tracking link), which response, which format, by which path; never content."""
    audit(
        community=response.community,
        actor=actor,
        action="response_exported",
        subject=f"response:{response.pk}",
        format=fmt if fmt in EXPORT_FORMATS else "other",
        via=via if via in EXPORT_PATHS else "other",
    )
