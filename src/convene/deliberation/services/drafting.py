"""Drafting: the first draft seeded from the opinion map, versions, paragraph comments, minority views."""

from __future__ import annotations

import difflib
import hashlib

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text
from convene.notifications.services import notify

from .. import rendering, selectors
from ..models import DraftVersion, JointResponse, MinorityView, ParagraphComment, Phase
from .common import participant_for, people_taking_part, record_voice, refuse_if_delivered, require_phase
from .maps import map_refresh


def minority_notify(response: JointResponse, count: int, actor=None) -> None:
    """Tell the people taking part that minority views await an answer. The text names the
    response only: never who holds a view or who wrote it (anonymous responses included)."""
    if count <= 0:
        return
    notify(
        recipients=people_taking_part(response),
        kind="response.minority",
        obj=response,
        text=ngettext(
            "A minority view on the joint response “%(title)s” awaits an answer in the draft.",
            "%(count)s minority views on the joint response “%(title)s” await an answer in the draft.",
            count,
        )
        % {"count": count, "title": response.title},
        url=reverse("deliberation:draft", args=[response.pk]),
        community=response.community,
        actor=actor,
    )


def draft_seed(response: JointResponse, *, actor=None) -> None:
    """First version of the document, built from the stored opinion map; minority views kept apart.

    The map is brought up to date first the way a page does it (`map_refresh`): with a map worker
    the latest stored map is used as it is, and a map is computed here only when none is stored.
    """
    map_refresh(response=response)
    view = selectors.map_view(response)
    lines = [f"# {response.title}", ""]
    if response.question:
        lines += ["> " + response.question.replace("\n", " "), ""]
    lines += ["## " + _("What we agree on"), ""]
    common = view["common_ground"] or view["consensus_agree"]
    lines += ["- " + _("%(text)s (%(pct)s%% agree)") % {"text": s["text"], "pct": s["agree_pct"]} for s in common] or [
        "- " + _("(No statement has broad agreement yet.)")
    ]
    lines += ["", "## " + _("Where we differ, and why"), ""]
    for group in view["groups"]:
        heading = _("Group %(letter)s (%(size)s people)") % {"letter": group["label"], "size": group["size"]}
        lines += ["### " + heading, ""]
        for rep in group["representative"]:
            if rep["direction"] == "agree":
                lines.append("- " + _("Most of this group agree: “%(text)s”") % {"text": rep["text"]})
            else:
                lines.append("- " + _("Most of this group disagree: “%(text)s”") % {"text": rep["text"]})
        lines.append("")
    if not view["groups"]:
        lines += [_("(Not enough votes yet to see distinct groups.)"), ""]
    lines += ["## " + _("Our response"), "", _(selectors.ANSWER_PLACEHOLDER), ""]
    text = "\n".join(lines).strip()
    response.draft_text = text
    response.draft_version = 1
    response.save(update_fields=["draft_text", "draft_version"])
    DraftVersion.objects.create(response=response, number=1, text=text, diff="", author=None)
    seeded = 0
    for minority in view["minority"]:
        _view, created = MinorityView.objects.get_or_create(
            response=response,
            statement_id=minority["id"],
            defaults={"text": minority["text"], "held_by": minority["held_by"]},
        )
        seeded += created
    minority_notify(response, seeded, actor)


def _diff(old: str, new: str, old_n: int, new_n: int) -> str:
    return "\n".join(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile=f"version {old_n}", tofile=f"version {new_n}", lineterm=""
        )
    )


def paragraph_key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode(), usedforsecurity=False).hexdigest()[:16]


def split_paragraphs(text: str) -> list[str]:
    return rendering.split_paragraphs(text)


@transaction.atomic
def draft_save(*, response: JointResponse, user, text: str, base_version: int) -> DraftVersion:
    """Save a new version. A save based on an old version is refused (409): nothing is overwritten."""
    response = JointResponse.objects.select_for_update().get(pk=response.pk)
    refuse_if_delivered(response)
    require_phase(response, Phase.DRAFTING, doing=_("edit the draft"))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(_("The draft cannot be empty."), field="text")
    if len(text) > 50_000:
        raise InvalidInput(
            _("The draft is longer than 50,000 characters (%(length)s).") % {"length": len(text)}, field="text"
        )
    try:
        base_version = int(base_version)
    except (TypeError, ValueError):
        raise InvalidInput(_("Missing the version you started from."), field="base_version") from None
    if base_version != response.draft_version:
        raise Conflict(
            _(
                "Someone saved version %(saved)s while you were editing version %(base)s. "
                "Your text was not saved: copy it, reload the draft, and merge your changes."
            )
            % {"saved": response.draft_version, "base": base_version},
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
    refuse_if_delivered(response)
    require_phase(response, Phase.DRAFTING, Phase.ENDORSEMENT, doing=_("comment on the draft"))
    text = clean_text(text, field="text", label=_("The comment"), limit=2000, required=True)
    paragraphs = {paragraph_key(p): p for p in split_paragraphs(response.draft_text)}
    if paragraph not in paragraphs:
        raise InvalidInput(
            _("That paragraph is no longer in the draft (it was edited meanwhile): reload and comment again."),
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
    record_voice(response, participant, "comment")
    return comment


@transaction.atomic
def minority_view_add(*, response: JointResponse, actor, text: str, held_by: str = "") -> MinorityView:
    refuse_if_delivered(response)
    require_phase(response, Phase.DRAFTING, doing=_("add a minority view"))
    text = clean_text(text, field="text", label=_("The minority view"), limit=1000, required=True)
    held_by = clean_text(held_by, field="held_by", label=_("Held by"), limit=200)
    view = MinorityView.objects.create(response=response, text=text, held_by=held_by)
    minority_notify(response, 1, actor)
    return view


@transaction.atomic
def minority_view_answer(*, view: MinorityView, user, answer: str) -> MinorityView:
    refuse_if_delivered(view.response)
    require_phase(view.response, Phase.DRAFTING, doing=_("answer a minority view"))
    view.answer = clean_text(answer, field="answer", label=_("The answer"), limit=5000, required=True)
    view.answered_at = timezone.now()
    view.save(update_fields=["answer", "answered_at"])
    return view
