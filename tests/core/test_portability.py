"""Export and restore: a community moves into a fresh database and comes back identical."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from convene.communities.models import Community, GlossaryTerm, Membership
from convene.deliberation.models import Vote

pytestmark = pytest.mark.django_db(transaction=True)


def _export(slug: str) -> dict:
    out = StringIO()
    call_command("export", slug, stdout=out)
    return json.loads(out.getvalue())


def _strip(export: dict) -> list:
    return sorted((o["model"], o["pk"], json.dumps(o["fields"], sort_keys=True)) for o in export["objects"])


def test_round_trip_of_a_demo_community(tmp_path):
    call_command("demo", stdout=StringIO())
    before = _export("psychiatry")
    models = {o["model"] for o in before["objects"]}
    assert {"communities.community", "communities.membership", "accounts.user", "accounts.profile"} <= models
    assert all(o["fields"].get("password") in (None, "!exported") for o in before["objects"])
    path = tmp_path / "psychiatry.json"
    path.write_text(json.dumps(before))
    participants = [o["pk"] for o in before["objects"] if o["model"] == "deliberation.participant"]
    votes = Vote.objects.filter(participant_id__in=participants).count()
    assert votes > 0

    call_command("flush", "--no-input", verbosity=0)  # a fresh, empty database
    assert not Community.objects.exists()
    call_command("import", str(path), stdout=StringIO())
    after = _export("psychiatry")
    assert _strip(after) == _strip(before)
    assert Vote.objects.filter(participant_id__in=participants).count() == votes
    assert Membership.objects.filter(community__slug="psychiatry").count() > 10
    assert GlossaryTerm.objects.filter(community__slug="psychiatry").count() == 4


def test_import_refuses_clashes_and_garbage(tmp_path):
    call_command("demo", stdout=StringIO())
    path = tmp_path / "x.json"
    path.write_text(json.dumps(_export("ignite")))
    with pytest.raises(CommandError, match="already exists"):
        call_command("import", str(path), stdout=StringIO())
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import", str(path))
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(CommandError, match="not a Convene community export"):
        call_command("import", str(path))
    with pytest.raises(CommandError, match="No community"):
        call_command("export", "nope")


def test_new_rows_after_import_get_fresh_ids(tmp_path):
    call_command("demo", stdout=StringIO())
    path = tmp_path / "nursing.json"
    path.write_text(json.dumps(_export("nursing")))
    call_command("flush", "--no-input", verbosity=0)
    call_command("import", str(path), stdout=StringIO())
    community = Community.objects.get(slug="nursing")
    term = GlossaryTerm.objects.create(community=community, term="new", definition="d")
    assert term.pk is not None
    assert Membership.objects.filter(community=community).count() > 5
