"""Export and restore: a community moves into a fresh database and comes back identical."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from convene.communities.models import Community, GlossaryTerm, Membership
from convene.convening.models import ActivityType, AgendaItem, Session
from convene.deliberation.models import Vote

pytestmark = pytest.mark.django_db(transaction=True)


def _export(slug: str) -> dict:
    out = StringIO()
    call_command("export", slug, stdout=out)
    return json.loads(out.getvalue())


# Fields that point at the shared activity catalogue, whose rows are matched by slug on import and
# so may have other ids on the other site.
CATALOGUE_REFS = {"convening.session": "activity", "convening.communityactivity": "base"}


def _strip(export: dict) -> list:
    slugs = {o["pk"]: o["fields"]["slug"] for o in export["objects"] if o["model"] == "convening.activitytype"}
    rows = []
    for o in export["objects"]:
        pk, fields = o["pk"], dict(o["fields"])
        if o["model"] == "convening.activitytype":
            pk = fields["slug"]
        ref = CATALOGUE_REFS.get(o["model"])
        if ref and fields.get(ref) is not None:
            fields[ref] = slugs.get(fields[ref], fields[ref])
        rows.append((o["model"], str(pk), json.dumps(fields, sort_keys=True)))
    return sorted(rows)


def test_round_trip_of_a_demo_community(tmp_path):
    call_command("demo", stdout=StringIO())
    before = _export("psychiatry")
    models = {o["model"] for o in before["objects"]}
    assert {"communities.community", "communities.membership", "accounts.user", "accounts.profile"} <= models
    # Sessions point at the shared activity catalogue: it travels as slug and name only, and every
    # session comes back with its agenda, roles, notes and invitations (they were all dropped before).
    assert {"convening.session", "convening.agendaitem", "convening.activitytype"} <= models
    assert all(
        set(o["fields"]) == {"slug", "name"} for o in before["objects"] if o["model"] == "convening.activitytype"
    )
    sessions = Session.objects.filter(host__slug="psychiatry").count()
    agenda = AgendaItem.objects.filter(session__host__slug="psychiatry").count()
    assert sessions > 0 and agenda > 0
    assert sum(o["model"] == "convening.session" for o in before["objects"]) == sessions
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
    assert Session.objects.filter(host__slug="psychiatry").count() == sessions
    assert AgendaItem.objects.filter(session__host__slug="psychiatry").count() == agenda


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


def _hostile_file(victim_community_pk: int, victim_user_pk: int) -> dict:
    """What an attacker wrote (issue 17): a superuser, a token for an existing user, a coordinator
    membership in an existing private community, beside a harmless community of their own."""
    return {
        "format": "convene-community-export",
        "version": 1,
        "community": "trojan",
        "objects": [
            {"model": "communities.community", "pk": 9001, "fields": {"name": "Trojan", "slug": "trojan"}},
            {
                "model": "accounts.user",
                "pk": 9002,
                "fields": {"email": "evil@example.com", "is_superuser": True, "is_staff": True, "password": "x"},
            },
        ],
    }


def _attempt(tmp_path, data) -> str:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as refused:
        call_command("import", str(path), stdout=StringIO())
    return str(refused.value)


def test_a_hostile_import_changes_nothing_outside_the_new_community(tmp_path):
    from convene.accounts.models import ApiToken, User
    from convene.core.portability import community_export

    from ..conftest import build_world

    world = build_world()
    victim = world.users["member"]
    before_users = sorted(User.objects.values_list("pk", "email", "is_active", "is_staff", "is_superuser", "password"))
    before_members = sorted(Membership.objects.values_list("pk", "community_id", "user_id", "role"))
    before_tokens = sorted(ApiToken.objects.values_list("pk", "key_hash"))

    base = _hostile_file(world.private.pk, victim.pk)
    # 1. a superuser with a chosen password: the flags and the hash are not importable fields
    assert "may not carry" in _attempt(tmp_path, base)
    # 2. an API token with a known secret for an existing user: tokens are not importable
    token = {"model": "accounts.apitoken", "pk": 9003, "fields": {"user": victim.pk, "key_hash": "0" * 64}}
    data = {**base, "objects": [base["objects"][0], token]}
    assert "cannot be imported" in _attempt(tmp_path, data)
    # 3. a coordinator membership in an existing private community: points outside the file
    member = {
        "model": "communities.membership",
        "pk": 9004,
        "fields": {"community": world.private.pk, "user": victim.pk, "role": "coordinator"},
    }
    data = {**base, "objects": [base["objects"][0], member]}
    assert "not part of this community" in _attempt(tmp_path, data)
    # 4. a sessions row, a model outside the list
    session = {"model": "sessions.session", "pk": 1, "fields": {"session_data": "x"}}
    assert "cannot be imported" in _attempt(tmp_path, {**base, "objects": [base["objects"][0], session]})

    assert sorted(User.objects.values_list("pk", "email", "is_active", "is_staff", "is_superuser", "password")) == (
        before_users
    )
    assert sorted(Membership.objects.values_list("pk", "community_id", "user_id", "role")) == before_members
    assert sorted(ApiToken.objects.values_list("pk", "key_hash")) == before_tokens
    assert not Community.objects.filter(slug="trojan").exists()

    # A clean copy of the private community beside the original: people matched by e-mail and
    # left unchanged, a stranger created inactive without a password, nothing of the original moved.
    export = community_export(world.private)
    export["objects"].append({"model": "accounts.user", "pk": 777, "fields": {"email": "new@example.com"}})
    export["objects"].append(
        {
            "model": "communities.membership",
            "pk": 778,
            "fields": {"community": world.private.pk, "user": 777, "role": "member"},
        }
    )
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(export, default=str))
    from convene.core.portability import community_import

    community_import(export, slug="priv-copy", name="Private copy")
    copy = Community.objects.get(slug="priv-copy")
    assert Membership.objects.filter(community=copy, user=victim, role="member").exists()
    stranger = User.objects.get(email="new@example.com")
    assert not stranger.is_active and not stranger.has_usable_password() and not stranger.is_superuser
    assert (
        sorted(
            User.objects.exclude(pk=stranger.pk).values_list(
                "pk", "email", "is_active", "is_staff", "is_superuser", "password"
            )
        )
        == before_users
    )
    assert sorted(Membership.objects.exclude(community=copy).values_list("pk", "community_id", "user_id", "role")) == (
        before_members
    )
    assert GlossaryTerm.objects.filter(community=copy, term="patient").exists()


def test_a_community_catalogue_travels_and_the_shared_one_is_matched_by_slug(tmp_path):
    """A community's own catalogue entries come along; the shared catalogue is matched by slug,
    never written, and a file naming an activity this site lacks is refused."""
    from convene.convening.models import CommunityActivity
    from convene.core.portability import ImportRefused, community_export, community_import

    from ..conftest import build_world

    world = build_world()
    base = ActivityType.objects.get(slug="boundary-engagement")
    CommunityActivity.objects.create(community=world.private, base=base, name="Our engagement", hidden=True)
    CommunityActivity.objects.create(community=world.private, name="Supervision circle", summary="ours")
    export = community_export(world.private)
    shared_before = sorted(ActivityType.objects.values_list("pk", "slug", "name", "summary"))

    community_import(json.loads(json.dumps(export, default=str)), slug="priv-copy", name="Private copy")
    copy = Community.objects.get(slug="priv-copy")
    entries = {e.name: e for e in CommunityActivity.objects.filter(community=copy)}
    assert set(entries) == {"Our engagement", "Supervision circle"}
    assert entries["Our engagement"].base_id == base.pk and entries["Our engagement"].hidden
    assert entries["Supervision circle"].base_id is None
    assert sorted(ActivityType.objects.values_list("pk", "slug", "name", "summary")) == shared_before

    for item in export["objects"]:
        if item["model"] == "convening.activitytype":
            item["fields"]["slug"] = "not-here"
    with pytest.raises(ImportRefused, match="not in this site's catalogue"):
        community_import(export, slug="priv-copy-2")
    assert not Community.objects.filter(slug="priv-copy-2").exists()
