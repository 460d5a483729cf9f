"""The draft's reads: its version history compared word by word, the phase changes a coordinator is
offered (forward ones apart from those that need confirming), and what to check before delivery."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from ..models import DraftVersion, JointResponse, MinorityView, Phase, is_backward
from ..rendering import Block, compare
from .reports import coverage, endorsement_summary

# The seeded draft's placeholder for the community's own answer (services.draft_seed writes it).
ANSWER_PLACEHOLDER = "(Write the community's answer here.)"


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
        quoted = "; ".join(f"“{t[:80]}”" for t in unanswered[:3])
        if len(unanswered) > 3:
            quoted += f" and {len(unanswered) - 3} more"
        items.append(
            CheckItem(
                False,
                f"{len(unanswered)} minority view{'s' if len(unanswered) != 1 else ''} "
                f"{'have' if len(unanswered) != 1 else 'has'} no answer yet (the delivered document will say "
                f"“not yet answered”): {quoted}",
                f"{draft}#minority",
                "Answer the minority views",
            )
        )
    elif MinorityView.objects.filter(response=response).exists():
        items.append(CheckItem(True, "Every minority view has an answer."))
    else:
        items.append(CheckItem(True, "No minority view is recorded."))
    if ANSWER_PLACEHOLDER in response.draft_text:
        items.append(
            CheckItem(
                False,
                "The draft still holds the placeholder “(Write the community's answer here.)”: "
                "the section “Our response” has not been written.",
                f"{draft}#edit",
                "Edit the draft",
            )
        )
    else:
        items.append(CheckItem(True, "The draft has its own answer (no placeholder left)."))
    summary = endorsement_summary(response)
    if summary["support_pct"] is None or not summary["totals"]["total"]:
        items.append(
            CheckItem(
                False,
                "Fewer than 5 people have taken a position, so the document will show no support figure.",
                endorse,
                "See the endorsement",
            )
        )
    elif summary["support_pct"] < 50:
        items.append(
            CheckItem(
                False,
                f"Support is {summary['support_pct']}% of those who took a position: less than half.",
                endorse,
                "See the endorsement",
            )
        )
    else:
        items.append(CheckItem(True, f"Support: {summary['support_pct']}% of those who took a position."))
    if summary["reasons"]:
        items.append(
            CheckItem(
                False,
                "Objections or reservations were given with reasons: they are listed in the document, by "
                "community. Read them before delivering.",
                endorse,
                "Read the objections and reservations",
            )
        )
    unheard = [
        row["community"].name
        for row in coverage(response, with_names=False)
        if row.get("community") is not None and row["voted"] == 0 and row["wrote"] == 0
    ]
    if unheard:
        items.append(
            CheckItem(False, "No one from " + ", ".join(unheard) + " voted or wrote a statement in this response.")
        )
    now = timezone.now()
    if response.state == Phase.ENDORSEMENT and response.endorsement_ends and response.endorsement_ends > now:
        items.append(
            CheckItem(
                False,
                f"Endorsement was planned to run until {_when(timezone.localtime(response.endorsement_ends))}: "
                "delivering now closes it early.",
            )
        )
    if response.deadline and response.deadline < timezone.localdate():
        items.append(CheckItem(False, f"The requester's deadline ({_day(response.deadline)}) has passed."))
    return sorted(items, key=lambda item: item.ok)


def _day(d) -> str:
    return f"{d.day} {d:%B %Y}"


def _when(t) -> str:
    """A time already in the viewer's zone (timezone.localtime), with that zone's name."""
    return f"{_day(t)}, {t:%H:%M} ({timezone.get_current_timezone_name()})"
