"""Demo history for the insight dashboards: a year of monthly meetings before Convene.

The other apps' demos record real sessions, responses and projects. So that the dashboards
have a trend to show from the first `convene demo`, this adds, for each demo community, one
meeting a month over the last 12 months (context "archive:<slug>-<YYYY-MM>"): who spoke, and who
facilitated or gave a talk. The story it tells: a few regulars do most of the talking and most
of the facilitating, and about a quarter of the members have never been heard.

Idempotent: this module's own rows (context/source starting with "archive:") are replaced each
time, from a fixed random seed. The demo members' `joined_at` is moved to before the archive
(they were members before Convene), once, so the trend has a membership history to show.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from convene.communities.ledgers import contribution_record, opportunity_record
from convene.communities.models import Community, Contribution, Membership, OpportunityEntry

from .periods import last_months
from .selectors import members_qs

SLUGS = ["psychiatry", "social-work", "ignite", "operations", "nursing"]
PREFIX = "archive:"


def _context(slug: str, label: str) -> str:
    return f"{PREFIX}{slug}-{label}"[:40]


def load() -> str:
    rng = random.Random(20261123)
    now = timezone.now()
    months = last_months(12)
    n_contrib = n_opp = 0
    for slug in SLUGS:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            continue
        Contribution.objects.filter(community=community, context__startswith=PREFIX).delete()
        OpportunityEntry.objects.filter(community=community, source__startswith=PREFIX).delete()
        members = list(members_qs(community).select_related("user").order_by("user__email"))
        if not members:
            continue
        # they were members before Convene: date their joining before the archive starts (once;
        # a separate generator, so the archive below is the same on every run)
        joined_rng = random.Random(f"joined:{slug}")
        backdated = []
        for m in members:
            offset = dt.timedelta(days=joined_rng.randint(1, 400))
            if m.joined_at >= months[0].start:
                m.joined_at = months[0].start - offset
                backdated.append(m)
        Membership.objects.bulk_update(backdated, ["joined_at"])
        # talkativeness: a quarter silent, a few regulars who talk a lot
        weight = {}
        for m in members:
            roll = rng.random()
            weight[m.user_id] = 0.0 if roll < 0.25 else (3.0 if roll > 0.85 else 1.0)
        regulars = [m for m in members if weight[m.user_id] >= 3.0] or members[:1]
        for month in months:
            start = timezone.localtime(month.start)
            meeting = start + dt.timedelta(days=rng.randint(3, 20), hours=17)
            if meeting >= now:
                continue
            context = _context(slug, month.label)
            for m in members:
                w = weight[m.user_id]
                if w == 0.0 or rng.random() > 0.55 * w:
                    continue
                for _ in range(rng.randint(1, int(2 * w) + 1)):
                    kind = rng.choice(["turn", "turn", "comment", "note"])
                    contribution_record(
                        community=community, user=m.user, kind=kind, context=context, occurred_at=meeting
                    )
                    n_contrib += 1
            # facilitation mostly goes to the regulars; now and then to someone else
            pool = regulars if rng.random() < 0.75 else members
            for kind in ("facilitator", "speaker"):
                person = rng.choice(pool)
                opportunity_record(
                    community=community,
                    user=person.user,
                    kind=kind,
                    source=context,
                    label=f"Monthly meeting, {start:%B %Y}",
                    occurred_at=meeting,
                )
                n_opp += 1
    return f"{n_contrib} past contributions and {n_opp} past opportunities for the insight dashboards"
