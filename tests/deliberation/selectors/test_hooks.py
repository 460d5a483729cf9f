"""selectors/hooks.py: what deliberation adds to home, calendars and contexts."""

from convene.deliberation import selectors


def test_hooks(boundary):
    b = boundary
    response = b.open_response()
    b.statement(response, "One statement.")
    items = selectors.home_items(b.members[0])
    assert any(i.kind == "Vote" for i in items)
    assert any(i.when == response.gathering_ends for i in selectors.upcoming(b.members[6]))
    assert selectors.contexts_for(b.sw) == [f"response:{response.pk}"]
    info = selectors.context_info(f"response:{response.pk}")
    assert set(info["community_ids"]) == {b.psy.pk, b.sw.pk}
    assert b.members[9].pk in info["invited_user_ids"] and b.guest.pk not in info["invited_user_ids"]
    assert selectors.context_info("session:1") is None
    assert selectors.context_info("response:abc") is None
