"""selectors/hooks.py: what insights offers other apps."""

from __future__ import annotations

from convene.accounts.models import Skill
from convene.insights import selectors


def test_members_with_skill(eq):
    eq.people[3].profile.skills.add(Skill.objects.create(name="python"))
    assert selectors.members_with_skill(eq.community, "  PYTH ") == [eq.people[3].pk]
