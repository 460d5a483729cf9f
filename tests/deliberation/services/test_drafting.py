"""services/drafting.py: the shared draft, its comments and minority views."""

import pytest

from convene.communities.models import Contribution
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import services
from convene.deliberation.models import MinorityView, Phase


def test_concurrent_draft_edit_is_refused(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Keep the letter short.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    services.draft_save(response=response, user=b.members[0], text="First edit", base_version=1)
    with pytest.raises(Conflict) as exc:
        services.draft_save(response=response, user=b.members[1], text="Second edit", base_version=1)
    assert exc.value.status == 409 and "version 2" in exc.value.message
    response.refresh_from_db()
    assert response.draft_text == "First edit" and response.draft_version == 2


def test_minority_views_are_seeded_and_only_answered(boundary):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    # psychiatry (5) agrees with everything, three social workers agree with the second half
    for i, user in enumerate(b.members[:8]):
        for j, s in enumerate(statements):
            value = 1 if i < 5 or j >= 3 else -1
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    view = services.minority_view_add(response=response, actor=b.members[2], text="Letters are not the problem.")
    services.minority_view_answer(view=view, user=b.members[0], answer="We address this in section 2.")
    assert MinorityView.objects.get(pk=view.pk).answer.startswith("We address")
    assert not hasattr(services, "minority_view_delete")


def test_paragraph_comments(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Keep the letter short.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    key = services.paragraph_key(services.split_paragraphs(response.draft_text)[0])
    c = services.comment_add(response=response, user=b.members[3], paragraph=key, text="Good title")
    assert c.version == 1
    with pytest.raises(InvalidInput):
        services.comment_add(response=response, user=b.members[3], paragraph="0" * 16, text="Lost")
    assert Contribution.objects.filter(kind="comment", user=b.members[3]).count() == 1
