"""`convene analyze DIR`: opinion map of a Pol.is export folder (thin wrapper over the engine)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convene.engines.opinion import OpinionInputError, analyze
from convene.engines.polis_io import PolisFormatError, read_polis


def _text(texts: dict, sid: int, width: int = 90) -> str:
    body = " ".join(str(texts.get(int(sid), "")).split())
    return body if len(body) <= width else body[: width - 1] + "…"


class Command(BaseCommand):
    help = "Opinion map (groups, representative statements, consensus) of a Pol.is export."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="Pol.is export folder (comments.csv, votes.csv)")
        parser.add_argument("--k", type=int, default=None, help="fixed number of opinion groups")
        parser.add_argument("--seed", type=int, default=0, help="seed (same seed, same output)")
        parser.add_argument("--json", dest="json_out", default=None, help="write JSON here")

    def handle(self, *args, **opts):
        if opts["k"] is not None and opts["k"] < 1:
            raise CommandError("--k must be a positive integer")
        try:
            export = read_polis(opts["dir"])
            result = analyze(**export.analyze_kwargs(), k=opts["k"], seed=opts["seed"])
        except (PolisFormatError, OpinionInputError) as exc:
            raise CommandError(str(exc)) from None
        texts, out = export.texts, self.stdout
        n_in = int(result.included.sum())
        out.write(
            f"{len(result.participants)} participants ({n_in} clustered), "
            f"{len(result.statements)} statements, {len(export.votes)} votes; "
            f"{len(result.groups)} opinion groups ({result.seconds:.2f} s)\n"
        )
        for g in result.groups:
            out.write(f"\nGroup {g.id}: {g.size} participants\n")
            for r in g.representative:
                head = f"  [{r.direction:8s} {100 * r.p:3.0f}%] #{r.statement}"
                out.write(f"{head} {_text(texts, r.statement)}\n")
        consensus = (("agree", result.consensus_agree), ("disagree", result.consensus_disagree))
        for label, ids in consensus:
            if ids:
                out.write(f"\nConsensus ({label}):\n")
                for sid in ids:
                    out.write(f"  #{sid} {_text(texts, sid)}\n")
        if opts["json_out"]:
            path = Path(opts["json_out"])
            data = json.dumps(result.to_dict(string_ids=True), allow_nan=False, ensure_ascii=False)
            try:
                path.write_text(data, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
            out.write(f"\nJSON written to {path}\n")
