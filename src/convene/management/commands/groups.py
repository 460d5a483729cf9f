"""`convene groups PEOPLE.csv --groups K`: diverse breakout groups from a spreadsheet.

The CSV's first column is the person's id, every other column an attribute
(numeric columns are numeric attributes, the rest categorical). See
``docs/grouping.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convene.core.blas import single_blas_thread
from convene.engines.grouping import GroupingError, form_groups
from convene.engines.grouping_io import (
    format_groups,
    grouping_json,
    parse_pairs,
    read_people_csv,
)


class Command(BaseCommand):
    help = (
        "Split the people of a CSV into breakout groups that each mix the attribute "
        "values (communities, disciplines, seniority...) as evenly as possible."
    )

    def add_arguments(self, parser):
        parser.add_argument("people", help="CSV: first column the id, other columns attributes")
        size = parser.add_argument_group("group count or size (give one)")
        size.add_argument("--groups", type=int, metavar="K", help="number of groups")
        size.add_argument("--group-size", type=int, metavar="N", help="people per group (at most)")
        size.add_argument("--min-size", type=int, metavar="N", help="smallest allowed group")
        size.add_argument("--max-size", type=int, metavar="N", help="largest allowed group")
        parser.add_argument(
            "--facilitator-column",
            metavar="COL",
            help="column of yes/no, true/false or 1/0: facilitators, spread over the groups",
        )
        parser.add_argument(
            "--strict-facilitators",
            action="store_true",
            help="fail unless every group can have at most one facilitator",
        )
        parser.add_argument(
            "--separate",
            nargs="+",
            action="extend",
            default=[],
            metavar="A:B",
            help="ids that must be in different groups",
        )
        parser.add_argument(
            "--together",
            nargs="+",
            action="extend",
            default=[],
            metavar="A:B",
            help="ids that must be in the same group (A:B:C for more)",
        )
        parser.add_argument(
            "--weight",
            nargs="+",
            action="extend",
            default=[],
            metavar="COL=W",
            help="weight of an attribute column (default 1)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--restarts", type=int, default=5, help="restarts (default 5)")
        parser.add_argument("--json", metavar="OUT", help="write the assignment as JSON here")

    def handle(self, *args, **opts):
        if opts["groups"] is None and opts["group_size"] is None and opts["max_size"] is None:
            raise CommandError("give --groups K (or --group-size N, or --max-size N)")
        try:
            people = read_people_csv(Path(opts["people"]), opts["facilitator_column"])
            weights = {}
            for spec in opts["weight"]:
                name, sep, value = spec.partition("=")
                if not sep or name not in people.attributes:
                    raise GroupingError(
                        f"--weight {spec!r}: expected COL=W with COL one of "
                        f"{', '.join(people.attributes) or '(no attribute columns)'}"
                    )
                try:
                    weights[name] = float(value)
                except ValueError:
                    raise GroupingError(f"--weight {spec!r}: {value!r} is not a number") from None
            with single_blas_thread:
                grouping = form_groups(
                    people.ids,
                    people.attributes,
                    kinds=people.kinds,
                    weights=weights,
                    n_groups=opts["groups"],
                    group_size=opts["group_size"],
                    min_size=opts["min_size"],
                    max_size=opts["max_size"],
                    facilitators=people.facilitators,
                    strict_facilitators=opts["strict_facilitators"],
                    separate=parse_pairs(opts["separate"], people.ids, "--separate"),
                    together=parse_pairs(opts["together"], people.ids, "--together"),
                    restarts=opts["restarts"],
                    seed=opts["seed"],
                )
        except GroupingError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(format_groups(grouping))
        if opts["json"]:
            out = Path(opts["json"])
            try:
                out.write_text(json.dumps(grouping_json(grouping), indent=2) + "\n")
            except OSError as exc:
                raise CommandError(f"cannot write {str(out)!r}: {exc}") from None
            self.stdout.write(f"Wrote {out}")
