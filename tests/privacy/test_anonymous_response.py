"""Attacks on an anonymous joint response, as a curious member, coordinator or guest would try them.

The world: a boundary response hosted by Psychiatry (6 members) with Social Work (6 members) and
ten one-person communities ("solo" communities, like the single nursing voter of issue 15). Seven
solo members vote and endorse, three do not. Each attack tries to read one solo member's private
vote, participation or stance from the pages and the API, and is scored with
``assert_no_better_than_guessing`` against the truths the test planted.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from convene.deliberation import opinion_map, selectors, services

from ..conftest import ApiClient
from ..factories import CommunityFactory
from ..worlds import STANCES, anonymous_response, vote_pattern
from .attacks import assert_no_better_than_guessing

D = "/deliberation"


def _get(user, world, path):
    return ApiClient(user).get(f"{D}/responses/{world.response.pk}{path}")


@pytest.mark.django_db
def test_per_community_table_does_not_give_a_solo_voters_votes():
    """Attack: read the solo community's column of "Agreement by community" as that person's votes."""
    w = anonymous_response()
    for viewer in (w.member, w.coordinator):
        data = _get(viewer, w, "/map").json()
        by_statement = {row["id"]: {c["name"]: c for c in row["by"]} for row in data["communities"]["rows"]}
        guesses, truths = [], []
        for community, user, took_part in w.solos:
            if not took_part:
                continue
            for s in w.statements:
                cell = by_statement.get(s.pk, {}).get(community.name)
                pct = None if cell is None else cell.get("agree_pct")
                guesses.append(None if pct is None else (1 if pct >= 50 else -1))
                truths.append(w.votes[(user.pk, s.pk)])
        assert_no_better_than_guessing(guesses, truths)


@pytest.mark.django_db
def test_coverage_does_not_tell_whether_a_solo_member_took_part():
    """Attack: a community of one with "voted: 1" (or "wrote") says its only member took part."""
    w = anonymous_response()
    for viewer in (w.member, w.coordinator):
        rows = {r["community"]: r for r in _get(viewer, w, "/coverage").json()}
        guesses = [
            None if rows.get(c.slug, {}).get("voted") is None else rows[c.slug]["voted"] > 0 for c, _, _ in w.solos
        ]
        truths = [took_part for _, _, took_part in w.solos]
        assert_no_better_than_guessing(guesses, truths)


@pytest.mark.django_db
def test_endorsement_by_community_does_not_give_a_solo_members_stance():
    """Attack: the endorsement table by community (pages, API, delivered document, tracking view)."""
    w = anonymous_response(stage="delivered")
    sources = {
        "api": _get(w.member, w, "/endorsements").json()["by_community"],
        "document": _get(w.member, w, "/document").json()["endorsement"]["by_community"],
    }
    for name, rows in sources.items():
        by_name = {r["community"]: r for r in rows}
        guesses, truths = [], []
        for community, user, took_part in w.solos:
            if not took_part:
                continue
            row = by_name.get(community.name, {})
            guess = next((s for s in STANCES if row.get(s)), None)
            guesses.append(guess)
            truths.append(w.stances[user.pk])
        assert_no_better_than_guessing(guesses, truths), name
        reasons = _get(w.member, w, "/endorsements").json()["reasons"]
        assert not {r["community"] for r in reasons} & {c.name for c, _, _ in w.solos}, name


@pytest.mark.django_db
def test_pages_do_not_show_per_community_figures_of_solo_communities():
    w = anonymous_response(stage="delivered")
    client = Client()
    client.force_login(w.member)
    for page in ("map", "endorse", "final", ""):
        html = client.get(f"/responses/{w.response.pk}/{page}/".replace("//", "/")).content.decode()
        for community, _, took_part in w.solos:
            if took_part:
                # a solo community is never a column of the map, and its rows carry no figure
                assert f'<th scope="col"><bdi>{community.name}</bdi>' not in html, (page, community.name)
                for row in re.findall(rf"<bdi>{community.name}</bdi></th>(.*?)</tr>", html, flags=re.S):
                    if page == "":  # coverage: the first cell is "invited", memberships are not private
                        row = row.split("</td>", 1)[1]
                    figures = row.replace("< 5", "").replace("fewer than 5", "")
                    assert not re.search(r"\d", figures), (page, community.name, row)


@pytest.mark.django_db
def test_scatter_points_carry_no_community():
    w = anonymous_response()
    points = _get(w.member, w, "/map").json()["points"]
    assert points and all(not p.get("community") for p in points)
    client = Client()
    client.force_login(w.member)
    html = client.get(f"/responses/{w.response.pk}/map/").content.decode()
    for community, _, _ in w.solos:
        assert f"<bdi>{community.name}</bdi></td>" not in html


@pytest.mark.django_db
def test_rejected_statement_appears_nowhere_but_moderation():
    w = anonymous_response(stage="delivered")
    text = w.rejected.text
    leaks = []
    for viewer in (w.member, w.coordinator):
        for path in ("/map", "/document", "/polis-export", "/endorsements"):
            if text in _get(viewer, w, path).content.decode("utf-8", "replace"):
                leaks.append((viewer.email, path))
        client = Client()
        client.force_login(viewer)
        for page in ("map", "final", "polis.zip", "final.md", "final.json"):
            if text in _text(
                client.get(f"/responses/{w.response.pk}/{page}" + ("/" if "." not in page else "")).content
            ):
                leaks.append((viewer.email, page))
    member_list = _get(w.member, w, "/statements?state=rejected").json()
    leaks += [("member", "statements")] if any(r["text"] == text for r in member_list["items"]) else []
    assert not leaks


def _text(content: bytes) -> str:
    import io
    import zipfile

    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as files:
            return "\n".join(files.read(n).decode("utf-8", "replace") for n in files.namelist())
    return content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_guest_cannot_read_an_anonymous_response_by_default():
    w = anonymous_response()
    client = Client()
    client.force_login(w.guest)
    readable = [
        p
        for p in ("", "map", "endorse", "final")
        if client.get(f"/responses/{w.response.pk}/{p}/".replace("//", "/")).status_code == 200
    ]
    readable += [p for p in ("", "/map", "/coverage", "/document") if _get(w.guest, w, p).status_code == 200]
    assert not readable
    listed = ApiClient(w.guest).get(f"{D}/communities/psy/responses").json()["items"]
    assert all(r["id"] != w.response.pk for r in listed)


@pytest.mark.django_db
def test_perception_results_only_after_ones_own_guess():
    """Attack: read how the other community voted on key statements before making one's own guess."""
    w = anonymous_response(perception=True)
    for s in w.statements[:4]:
        services.statement_mark_key(statement=s, actor=w.coordinator, key=True)
    key = w.statements[:4]
    # someone else guesses, so there are rows to report
    other = next(u for _, u, took_part in w.solos if took_part)
    for s in key:
        services.prediction_save(response=w.response, user=w.member, statement=s, target=w.solos[0][0], share=50)
    peeked = [r for r in _get(other, w, "/perception").json() if r.get("actual_pct") is not None]
    client = Client()
    client.force_login(other)
    html = client.get(f"/responses/{w.response.pk}/perception/").content.decode()
    assert not peeked
    assert "Actual" not in html
    # after guessing, the viewer sees the results of what they guessed on
    services.prediction_save(response=w.response, user=other, statement=key[0], target=w.solos[-1][0], share=40)
    shown = {r["statement_id"] for r in _get(other, w, "/perception").json()}
    assert shown <= {key[0].pk}


@pytest.mark.django_db
def test_an_opinion_group_of_one_is_not_described(monkeypatch):
    """Attack: "Group B (1 people)" with its representative statements is that person's votes."""
    w = anonymous_response()
    ids = [s.pk for s in w.statements]
    real = opinion_map.map_recompute(w.response)
    lone = real["participants"][0]["id"]
    fake = dict(real)
    fake["participants"] = [{**p, "group": 1 if p["id"] == lone else 0} for p in real["participants"]]
    fake["groups"] = [{"id": 0, "size": len(fake["participants"]) - 1}, {"id": 1, "size": 1}]
    lone_votes = {sid: 1 if i % 2 else -1 for i, sid in enumerate(ids)}
    reps = [
        {"statement": sid, "direction": "agree" if v == 1 else "disagree", "n_success": 1, "n_trials": 1}
        for sid, v in lone_votes.items()
    ]
    fake["opinion"] = {
        "groups": [
            {"id": 0, "size": fake["groups"][0]["size"], "representative": []},
            {"id": 1, "size": 1, "representative": reps},
        ]
    }
    monkeypatch.setattr(opinion_map, "map_read", lambda response: fake)
    data = _get(w.member, w, "/map").json()
    described = {g["label"]: g for g in data["groups"]}
    guesses, truths = [], []
    small = [g for g in described.values() if g["size"] < 5]
    for sid, truth in lone_votes.items():
        rep = next((r for g in small for r in g["representative"] if r["id"] == sid), None)
        guesses.append(None if rep is None else (1 if rep["direction"] == "agree" else -1))
        truths.append(truth)
    assert_no_better_than_guessing(guesses, truths)
    client = Client()
    client.force_login(w.member)
    assert "(1 people)" not in client.get(f"/responses/{w.response.pk}/map/").content.decode()


@pytest.mark.django_db
def test_non_anonymous_response_keeps_full_detail(boundary):
    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"S {i}", by=b.members[i]) for i in range(4)]
    for s in statements:
        services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    vote_pattern(response, b, statements)
    services.map_refresh(response=response)  # pages do this before the read
    view = selectors.map_view(response)
    assert {p["community"] for p in view["points"]} == {"Psychiatry", "Social Work"}
    assert [c["name"] for c in view["communities"]["columns"]] == ["Psychiatry", "Social Work"]
    assert all(not c["hidden"] for row in view["communities"]["rows"] for c in row["by"])
    rows = {r["community"].slug: r for r in selectors.coverage(response, with_names=True)}
    assert rows["psy"]["voted"] == 5 and rows["psy"]["not_heard"] is not None


@pytest.mark.django_db
def test_private_community_is_not_offered_in_another_communitys_response_settings(boundary):
    """A coordinator of Psychiatry does not learn the name of a private community they are not in;
    if a member of it invited it, saving the settings keeps it invited."""
    from convene.communities.models import Visibility

    b = boundary
    secret = CommunityFactory(slug="hush", name="Hush Circle", visibility=Visibility.PRIVATE)
    response = b.open_response()
    response.communities.add(secret)
    client = Client()
    client.force_login(b.coordinator)
    page = client.get(f"/responses/{response.pk}/settings/").content.decode()
    assert "Hush Circle" not in page and "Social Work" in page
    form = {"title": response.title, "what_changed": "x", "communities": [b.sw.pk]}
    assert client.post(f"/responses/{response.pk}/settings/", form).status_code == 302
    assert response.communities.filter(pk=secret.pk).exists()
