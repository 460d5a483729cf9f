"""Write paths for the opportunity and contribution ledgers (shared by every app)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Community, Contribution, ContributionKind, OpportunityEntry, OpportunityKind


def opportunity_record(
    *, community: Community, user, kind: str, source: str, label: str = "", occurred_at: datetime | None = None
) -> OpportunityEntry:
    """Record that `user` took an opportunity. Idempotent per (user, kind, source)."""
    if kind not in OpportunityKind.values:
        raise ValueError(f"unknown opportunity kind {kind!r}")
    try:
        with transaction.atomic():
            entry, _ = OpportunityEntry.objects.get_or_create(
                user=user,
                kind=kind,
                source=source,
                defaults={"community": community, "label": label[:200], "occurred_at": occurred_at or timezone.now()},
            )
    except IntegrityError:
        entry = OpportunityEntry.objects.get(user=user, kind=kind, source=source)
    return entry


def opportunity_withdraw(*, user, kind: str, source: str) -> None:
    """Undo a recorded opportunity (e.g. a mentee declined before the project began)."""
    OpportunityEntry.objects.filter(user=user, kind=kind, source=source).delete()


def contribution_record(
    *, community: Community, user, kind: str, context: str, occurred_at: datetime | None = None
) -> Contribution:
    if kind not in ContributionKind.values:
        raise ValueError(f"unknown contribution kind {kind!r}")
    return Contribution.objects.create(
        community=community, user=user, kind=kind, context=context, occurred_at=occurred_at or timezone.now()
    )
