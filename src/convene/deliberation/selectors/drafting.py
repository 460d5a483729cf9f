"""The draft's reads: its version history compared word by word, the phase changes a coordinator is
offered (forward ones apart from those that need confirming), and what to check before delivery."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from convene.core.text import day_text

from ..models import DraftVersion, JointResponse, MinorityView, Phase, is_backward
from ..rendering import Block, compare
from .reports import coverage, endorsement_summary

# The seeded draft's placeholder for the community's own answer (services.draft_seed writes it).
# English here (tests and callers compare with it); `_(ANSWER_PLACEHOLDER)` is the seeded text.
ANSWER_PLACEHOLDER = gettext_noop("(Write the community's answer here.)")


def _placeholders() -> set[str]:
    """The placeholder in every interface language: the draft was seeded in its mover's language."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(_(ANSWER_PLACEHOLDER))
    return found


@dataclass(frozen=True)
class VersionEntry:
    version: DraftVersion
    changes: list[Block]  # against the version before it; empty for the first


def version_history(response: JointResponse) -> list[VersionEntry]:
    """Every saved version, newest first, each compared word by word with the one before it."""
    rows = list(DraftVersion.objects.filter(response=response).select_related("author__profile").order_by("number"))
    entries = [
        VersionEntry(version=v, changes=compare(rows[i - 1].text, v.text) if i else []) for i, v in enumerate(rows)
    ]
    return entries[::-1]


@dataclass(frozen=True)
class PhaseMoves:
    """The phase changes a coordinator is offered: forward moves as plain buttons, and the moves
    that need a confirmation page first (going back, withdrawing, delivering)."""

    forward: list[Phase]
    confirmed: list[Phase]


def needs_confirmation(was: str, to: str) -> bool:
    return is_backward(was, to) or to in (Phase.WITHDRAWN, Phase.DELIVERED)


def phase_moves(response: JointResponse, transitions: dict) -> PhaseMoves:
    allowed = [Phase(t) for t in transitions.get(response.state, ())]
    order = {p: i for i, p in enumerate(Phase)}
    allowed.sort(key=lambda p: order[p])
    return PhaseMoves(
        forward=[p for p in allowed if not needs_confirmation(response.state, p)],
        confirmed=[p for p in allowed if needs_confirmation(response.state, p)],
    )


@dataclass(frozen=True)
class CheckItem:
    ok: bool
    text: str
    href: str = ""
    link_text: str = ""


def delivery_checklist(response: JointResponse) -> list[CheckItem]:
    """What a coordinator should know before delivering: gaps first, then what is in order.

    Built from the protected summaries (`endorsement_summary`, `coverage`): it shows no figure
    about people that those pages do not already show.
    """
    draft = reverse("deliberation:draft", args=[response.pk])
    endorse = reverse("deliberation:endorse", args=[response.pk])
    items = []
    unanswered = list(MinorityView.objects.filter(response=response, answer="").values_list("text", flat=True))
    if unanswered:
        quoted = _("; ").join(_("“%(text)s”") % {"text": t[:80]} for t in unanswered[:3])
        if len(unanswered) > 3:
            quoted = _("%(listed)s and %(count)s more") % {"listed": quoted, "count": len(unanswered) - 3}
        items.append(
            CheckItem(
                False,
                ngettext(
                    "%(count)s minority view has no answer yet (the delivered document will say "
                    "“not yet answered”): %(quoted)s",
                    "%(count)s minority views have no answer yet (the delivered document will say "
                    "“not yet answered”): %(quoted)s",
                    len(unanswered),
                )
                % {"count": len(unanswered), "quoted": quoted},
                f"{draft}#minority",
                _("Answer the minority views"),
            )
        )
    elif MinorityView.objects.filter(response=response).exists():
        items.append(CheckItem(True, _("Every minority view has an answer.")))
    else:
        items.append(CheckItem(True, _("No minority view is recorded.")))
    if any(p in response.draft_text for p in _placeholders()):
        items.append(
            CheckItem(
                False,
                _(
                    "The draft still holds the placeholder “(Write the community's answer here.)”: "
                    "the section “Our response” has not been written."
                ),
                f"{draft}#edit",
                _("Edit the draft"),
            )
        )
    else:
        items.append(CheckItem(True, _("The draft has its own answer (no placeholder left).")))
    summary = endorsement_summary(response)
    if summary["support_pct"] is None or not summary["totals"]["total"]:
        items.append(
            CheckItem(
                False,
                _("Fewer than 5 people have taken a position, so the document will show no support figure."),
                endorse,
                _("See the endorsement"),
            )
        )
    elif summary["support_pct"] < 50:
        items.append(
            CheckItem(
                False,
                _("Support is %(pct)s%% of those who took a position: less than half.")
                % {"pct": summary["support_pct"]},
                endorse,
                _("See the endorsement"),
            )
        )
    else:
        items.append(
            CheckItem(True, _("Support: %(pct)s%% of those who took a position.") % {"pct": summary["support_pct"]})
        )
    if summary["reasons"]:
        items.append(
            CheckItem(
                False,
                _(
                    "Objections or reservations were given with reasons: they are listed in the document, by "
                    "community. Read them before delivering."
                ),
                endorse,
                _("Read the objections and reservations"),
            )
        )
    unheard = [
        row["community"].name
        for row in coverage(response, with_names=False)
        if row.get("community") is not None and row["voted"] == 0 and row["wrote"] == 0
    ]
    if unheard:
        items.append(
            CheckItem(
                False,
                _("No one from %(communities)s voted or wrote a statement in this response.")
                % {"communities": _(", ").join(unheard)},
            )
        )
    now = timezone.now()
    if response.state == Phase.ENDORSEMENT and response.endorsement_ends and response.endorsement_ends > now:
        items.append(
            CheckItem(
                False,
                _("Endorsement was planned to run until %(when)s: delivering now closes it early.")
                % {"when": _when(timezone.localtime(response.endorsement_ends))},
            )
        )
    if response.deadline and response.deadline < timezone.localdate():
        items.append(
            CheckItem(False, _("The requester's deadline (%(day)s) has passed.") % {"day": _day(response.deadline)})
        )
    return sorted(items, key=lambda item: item.ok)


def _day(d) -> str:
    return day_text(d)


def _when(t) -> str:
    """A time already in the viewer's zone (timezone.localtime), with that zone's name."""
    return f"{_day(t)}, {t:%H:%M} ({timezone.get_current_timezone_name()})"
