import pytest

from convene.communities.ledgers import contribution_record, opportunity_record, opportunity_withdraw
from convene.communities.models import Contribution, OpportunityEntry

pytestmark = pytest.mark.django_db


def test_opportunity_is_idempotent_per_source(world):
    member = world.users["member"]
    first = opportunity_record(community=world.public, user=member, kind="facilitator", source="session:1")
    again = opportunity_record(community=world.public, user=member, kind="facilitator", source="session:1")
    assert first.pk == again.pk and OpportunityEntry.objects.count() == 1
    opportunity_record(community=world.public, user=member, kind="speaker", source="session:1")
    assert OpportunityEntry.objects.count() == 2
    opportunity_withdraw(user=member, kind="speaker", source="session:1")
    assert list(OpportunityEntry.objects.values_list("kind", flat=True)) == ["facilitator"]
    with pytest.raises(ValueError):
        opportunity_record(community=world.public, user=member, kind="emperor", source="x")


def test_contributions_and_personal_data(world, api):
    member = world.users["member"]
    for _ in range(3):
        contribution_record(community=world.public, user=member, kind="vote", context="response:1")
    assert Contribution.objects.filter(user=member).count() == 3
    data = api("member").get("/me/data").json()
    assert data["contributions"] == [{"community": "pub", "kind": "vote", "context": "response:1", "count": 3}]
    # every row as held, with its time, and the opportunity's source
    log = data["contribution_log"]
    assert len(log) == 3 and {(e["community"], e["kind"], e["context"]) for e in log} == {("pub", "vote", "response:1")}
    assert all(e["occurred_at"] for e in log)
    opportunity_record(community=world.public, user=member, kind="speaker", source="session:7", label="Talk")
    [opp] = api("member").get("/me/data").json()["opportunities"]
    assert (opp["kind"], opp["source"], opp["label"]) == ("speaker", "session:7", "Talk")
    with pytest.raises(ValueError):
        contribution_record(community=world.public, user=member, kind="shout", context="x")


def test_remind_command_runs_with_no_reminders_due(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("remind", stdout=out)
    assert "reminder(s) sent in all" in out.getvalue()
