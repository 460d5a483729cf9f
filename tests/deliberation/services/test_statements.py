"""services/statements.py: submitting and moderating statements."""

import pytest

from convene.core.errors import InvalidInput
from convene.deliberation import services
from convene.deliberation.models import Statement, StatementState


def test_statement_limits_and_moderation(boundary):
    b = boundary
    response = b.open_response()
    with pytest.raises(InvalidInput, match="empty"):
        services.statement_submit(response=response, user=b.members[0], text="   ")
    with pytest.raises(InvalidInput, match="280"):
        services.statement_submit(response=response, user=b.members[0], text="x" * 281)
    s = services.statement_submit(response=response, user=b.members[0], text="x" * 280)
    assert s.state == StatementState.PENDING
    with pytest.raises(InvalidInput):
        services.statement_moderate(statement=s, actor=b.coordinator, decision="reject", reason="")
    services.statement_moderate(statement=s, actor=b.coordinator, decision="reject", reason="Please say more")
    s.refresh_from_db()
    assert s.reject_reason == "Please say more"
    meta = services.statement_submit(response=response, user=b.members[0], text="When does this end?")
    services.statement_moderate(statement=meta, actor=b.coordinator, decision="meta")
    assert Statement.objects.get(pk=meta.pk).state == "meta"
