"""The moderation page lists the statements waiting for a decision first, the longest waiting first."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from convene.deliberation import selectors, services
from convene.deliberation.models import Statement


def test_waiting_statements_come_first_oldest_first(boundary):
    b = boundary
    response = b.open_response()
    accepted = b.statement(response, "Accepted at once (a coordinator wrote it).")
    first = b.statement(response, "Waiting since long ago.", by=b.members[0])
    second = b.statement(response, "Waiting since a moment.", by=b.members[1])
    rejected = b.statement(response, "Off topic.", by=b.members[2])
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic")
    meta = b.statement(response, "When do we meet?", by=b.members[3])
    services.statement_moderate(statement=meta, actor=b.coordinator, decision="meta", reason="")
    now = timezone.now()
    Statement.objects.filter(pk=first.pk).update(created_at=now - timedelta(days=2))
    Statement.objects.filter(pk=second.pk).update(created_at=now - timedelta(hours=1))
    waiting, decided = selectors.moderation_queue(response)
    assert [s.pk for s in waiting] == [first.pk, second.pk]
    assert [s.pk for s in decided] == [accepted.pk, meta.pk, rejected.pk]


def test_the_page_shows_the_waiting_table_before_the_decided_one(boundary, client):
    b = boundary
    response = b.open_response()
    b.statement(response, "Zebra crossing is decided.")  # accepted, and alphabetically last
    b.statement(response, "Apples wait for a decision.", by=b.members[0])
    client.force_login(b.coordinator)
    page = client.get(f"/responses/{response.pk}/moderation/").content.decode()
    assert page.index("Waiting for a decision (1)") < page.index("Apples wait") < page.index("Already decided (1)")
    assert page.index("Already decided") < page.index("Zebra crossing")
