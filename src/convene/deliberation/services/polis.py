"""Pol.is interoperability: a Pol.is export becomes a new joint response; statements seeded from a CSV.

The files are read by the pure engine (`convene.engines.polis_io`); its PolisFormatError becomes
InvalidInput (400) with the engine's message. Imported participants are numbers, not people: the
response is anonymous, each Pol.is participant is a `Participant` with no user and the key
`polis-<n>` (never an HMAC, which is hexadecimal), counted in the importing community.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import Community
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.engines.polis_io import (
    MODERATED_OUT,
    PolisExport,
    PolisFormatError,
    ZipLimits,
    read_polis_files,
    read_statement_rows,
    unzip_polis,
)

from ..engine_text import polis_error_text
from ..models import (
    STATEMENT_LIMIT,
    STORED_STATEMENT_LIMIT,
    JointResponse,
    Participant,
    Phase,
    Statement,
    StatementState,
    Vote,
)
from .common import require_phase
from .maps import map_revision_bump
from .responses import response_create

BATCH = 2000
COUNTER = {1: "n_agree", -1: "n_disagree", 0: "n_pass"}


def _limit(name: str) -> int:
    return int(getattr(settings, name))


def polis_export_read(*, archive: bytes | None = None, files: Mapping[str, bytes] | None = None) -> PolisExport:
    """An uploaded Pol.is export (a zip, or the CSV files by name) read within the site's limits."""
    max_bytes = _limit("CONVENE_POLIS_UPLOAD_MAX_BYTES")
    try:
        if archive is not None:
            if len(archive) > max_bytes:
                raise InvalidInput(
                    _("The upload is larger than %(mb)s MB.") % {"mb": max_bytes // 1_000_000}, field="export"
                )
            files = unzip_polis(archive, ZipLimits(max_member_bytes=max_bytes * 5, max_total_bytes=max_bytes * 10))
        files = dict(files or {})
        if sum(len(v) for v in files.values()) > max_bytes * 10:
            raise InvalidInput(
                _("The files are larger than %(mb)s MB together.") % {"mb": max_bytes // 100_000}, field="export"
            )
        export = read_polis_files(files)
    except PolisFormatError as exc:
        raise InvalidInput(
            _("This is not a Pol.is export we can read: %(detail)s.") % {"detail": polis_error_text(exc)},
            field="export",
        ) from None
    checks = (
        (len(export.statements), "CONVENE_POLIS_MAX_STATEMENTS", "statements"),
        (len(export.votes), "CONVENE_POLIS_MAX_VOTES", "votes"),
    )
    too_many = {
        "statements": _("The export holds %(count)s statements; at most %(limit)s can be imported."),
        "votes": _("The export holds %(count)s votes; at most %(limit)s can be imported."),
    }
    for count, setting, what in checks:
        if count > _limit(setting):
            raise InvalidInput(too_many[what] % {"count": f"{count:,}", "limit": f"{_limit(setting):,}"})
    if not len(export.votes) and not export.texts:
        raise InvalidInput(_("The export holds no comments and no votes."), field="export")
    return export


def _when(ms: int, what: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    except (OverflowError, OSError, ValueError):
        message = {
            "vote": _("A vote timestamp (%(ms)s) is not a date."),
            "comment": _("A comment timestamp (%(ms)s) is not a date."),
        }.get(what, _("A timestamp (%(ms)s) is not a date."))
        raise InvalidInput(message % {"ms": ms}, field="export") from None


def _statement_text(sid: int, text: str) -> tuple[str, bool]:
    text = " ".join((text or "").split())
    if not text:
        return f"(Pol.is comment {sid}: its text is not in the export)", False
    if len(text) > STORED_STATEMENT_LIMIT:
        return text[: STORED_STATEMENT_LIMIT - 1] + "…", True
    return text, False


@transaction.atomic
def response_import_polis(*, community: Community, creator, title: str, export: PolisExport) -> JointResponse:
    """A new (anonymous, draft) joint response holding a Pol.is conversation: its comments as
    statements (moderated out in Pol.is: rejected; otherwise accepted), its participants, and the
    latest vote of each participant on each comment. Its map is computed like any other."""
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for p, s, v, t in export.votes.tolist():
        if (p, s) not in latest or t >= latest[(p, s)][1]:
            latest[(p, s)] = (v, t)
    people = sorted({p for p, _value in latest} | set(export.authors.values()))
    first_seen: dict[int, int] = {}
    for (p, _s), (_v, t) in latest.items():
        first_seen[p] = min(first_seen.get(p, t), t)
    summary = (
        f"Imported from a Pol.is export: {len(export.statements):,} comments, {len(people):,} participants, "
        f"{len(latest):,} votes."
    )
    response = response_create(community=community, creator=creator, title=title, what_changed=summary)
    response.anonymous = True
    response.save(update_fields=["anonymous"])
    now = timezone.now()
    source_file = export.source == "votes.csv"
    participants = Participant.objects.bulk_create(
        [
            Participant(
                response=response,
                user_key=f"polis-{p}",
                user=None,
                community=community,
                created_at=_when(first_seen[p], "vote") if p in first_seen and source_file else now,
            )
            for p in people
        ],
        batch_size=BATCH,
    )
    by_number = {p: row.pk for p, row in zip(people, participants, strict=True)}  # pks: PostgreSQL, SQLite
    counts: dict[int, dict[str, int]] = {}
    for (_p, s), (v, _t) in latest.items():
        counts.setdefault(s, {"n_agree": 0, "n_disagree": 0, "n_pass": 0})[COUNTER[v]] += 1
    shortened = 0
    rows = []
    for sid in export.statements.tolist():
        text, cut = _statement_text(sid, export.texts.get(sid, ""))
        shortened += cut
        moderated_out = export.moderation.get(sid) == MODERATED_OUT
        author = export.authors.get(sid)
        rows.append(
            Statement(
                response=response,
                author_id=by_number.get(author) if author is not None else None,
                text=text,
                state=StatementState.REJECTED if moderated_out else StatementState.ACCEPTED,
                reject_reason=_("Moderated out in Pol.is.") if moderated_out else "",
                created_at=_when(export.created[sid], "comment") if sid in export.created else now,
                **counts.get(sid, {}),
            )
        )
    created = Statement.objects.bulk_create(rows, batch_size=BATCH)
    statement_ids = {sid: row.pk for sid, row in zip(export.statements.tolist(), created, strict=True)}
    Vote.objects.bulk_create(
        (
            Vote(
                response=response,
                participant_id=by_number[p],
                statement_id=statement_ids[s],
                value=v,
                updated_at=_when(t, "vote") if source_file else now,
            )
            for (p, s), (v, t) in latest.items()
        ),
        batch_size=BATCH,
    )
    map_revision_bump(response.pk)
    audit(
        community=community,
        actor=creator,
        action="response_imported",
        subject=f"response:{response.pk}",
        statements=len(rows),
        participants=len(people),
        votes=len(latest),
        shortened=shortened,
        metadata_columns=list(export.metadata_columns),
    )
    return response


@transaction.atomic
def statements_seed(*, response: JointResponse, actor, data: bytes) -> list[Statement]:
    """Accepted statements from a CSV (one per row: a `comment-body`, `statement` or `text` column,
    or the first column), added by a coordinator before or while gathering. All or nothing: any
    row that is too long is named with its line; texts already in the conversation are skipped."""
    require_phase(response, Phase.DRAFT, Phase.GATHERING, doing=_("seed statements"))
    if len(data) > _limit("CONVENE_POLIS_UPLOAD_MAX_BYTES"):
        raise InvalidInput(_("The statements CSV is too large."), field="file")
    try:
        rows = read_statement_rows(data)
    except PolisFormatError as exc:
        detail = polis_error_text(exc)
        raise InvalidInput(_("%(detail)s.") % {"detail": detail[:1].upper() + detail[1:]}, field="file") from None
    if not rows:
        raise InvalidInput(_("The CSV holds no statements."), field="file")
    most = _limit("CONVENE_SEED_MAX_STATEMENTS")
    if len(rows) > most:
        raise InvalidInput(
            _("The CSV holds %(count)s statements; seed at most %(most)s at a time.")
            % {"count": f"{len(rows):,}", "most": f"{most:,}"},
            field="file",
        )
    too_long = [n for n, text in rows if len(" ".join(text.split())) > STATEMENT_LIMIT]
    if too_long:
        lines = ", ".join(str(n) for n in too_long[:5]) + (" …" if len(too_long) > 5 else "")
        raise InvalidInput(
            _("Keep statements to %(limit)s characters: line(s) %(lines)s of the CSV are longer.")
            % {"limit": STATEMENT_LIMIT, "lines": lines},
            field="file",
        )
    seen = {
        t.lower()
        for t in Statement.objects.filter(response=response).exclude(state="rejected").values_list("text", flat=True)
    }
    new = []
    for _n, text in rows:
        text = " ".join(text.split())
        if text.lower() not in seen:
            seen.add(text.lower())
            new.append(Statement(response=response, author=None, text=text, state=StatementState.ACCEPTED))
    if not new:
        raise Conflict(_("Every statement in the CSV is already in the conversation."), field="file")
    created = Statement.objects.bulk_create(new, batch_size=BATCH)
    map_revision_bump(response.pk)
    audit(
        community=response.community,
        actor=actor,
        action="statements_seeded",
        subject=f"response:{response.pk}",
        added=len(new),
        skipped=len(rows) - len(new),
    )
    return created
