"""Anonymous mode end to end: after a full journey to delivery, no page, API answer, export or
error message names or identifies anyone who took part (names, e-mail addresses, user ids)."""

from __future__ import annotations

import io
import zipfile

from django.test import Client

from convene.deliberation import services
from convene.deliberation.models import Phase

from ..conftest import ApiClient
from ..worlds import gathering_from_request
from .conftest import vote_pattern

D = "/deliberation"  # ApiClient adds /api/v1
PAGES = ["detail", "vote", "moderation", "map", "perception", "draft", "draft/versions", "endorse", "final", "settings"]
API_GETS = [
    "",
    "/statements",
    "/statements/mine",
    "/map",
    "/coverage",
    "/perception",
    "/draft",
    "/draft/versions",
    "/draft/comments",
    "/endorsements",
    "/document",
]


def _journey(b):
    """Statements, votes, rejection, draft edit, comment, minority view, endorsements with reasons, delivery."""
    request, response, statements = gathering_from_request(b)
    rejected = b.statement(response, "Off topic here", by=b.members[5])
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic")
    vote_pattern(response, b, statements)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    services.draft_save(
        response=response, user=b.members[1], text="First.\n\nSecond.", base_version=response.draft_version
    )
    response.refresh_from_db()
    services.comment_add(
        response=response, user=b.members[2], paragraph=services.paragraph_key("First."), text="Needs work"
    )
    view = services.minority_view_add(response=response, actor=b.members[3], text="Keep the old rule")
    services.minority_view_answer(view=view, user=b.members[4], answer="Heard")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    services.endorsement_cast(response=response, user=b.members[6], stance="endorse", reason="Fine by us")
    services.endorsement_cast(response=response, user=b.members[7], stance="object", reason="We object")
    return response, request


def _identities(people):
    out = []
    for user in people:
        out += [user.profile.display_name, user.email, f'"user": {user.pk},', f'"user_id": {user.pk}']
    return out


def _leaks(text: str, identities) -> list[str]:
    return [who for who in identities if who in text]


def _download_text(content: bytes) -> str:
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as files:
            return "\n".join(files.read(n).decode("utf-8", "replace") for n in files.namelist())
    return content.decode("utf-8", "replace")


def test_anonymous_response_leaks_no_identity_anywhere(boundary):
    b = boundary
    response, request = _journey(b)
    pk = response.pk
    problems = []
    viewers = {"coordinator": b.coordinator, "member": b.members[0]}
    for stage in ("endorsement", "delivered"):
        if stage == "delivered":
            services.response_transition(response=response, actor=b.coordinator, to=Phase.DELIVERED)
        for role, viewer in viewers.items():
            others = _identities([m for m in b.members if m != viewer])
            client = Client()
            client.force_login(viewer)
            api = ApiClient(viewer)
            urls = [f"/responses/{pk}/{name}/".replace("/detail/", "/") for name in PAGES]
            urls += [f"/responses/{pk}/final.{fmt}" for fmt in ("md", "docx", "json")] + [f"/responses/{pk}/polis.zip"]
            seen = 0
            for url in urls:
                r = client.get(url)
                seen += r.status_code == 200
                if r.status_code >= 500:
                    problems.append(f"{stage} {role} {url}: {r.status_code}")
                problems += [f"{stage} {role} {url}: {who}" for who in _leaks(_download_text(r.content), others)]
            for path in [*API_GETS, "/polis-export"]:
                r = api.get(f"{D}/responses/{pk}{path}")
                seen += r.status_code == 200
                if r.status_code >= 500:
                    problems.append(f"{stage} {role} API {path}: {r.status_code}")
                problems += [f"{stage} {role} API {path}: {who}" for who in _leaks(_download_text(r.content), others)]
            assert seen >= 15, (stage, role, seen)
    # the requester's tracking page and downloads after delivery
    anonymous_client = Client()
    everyone = _identities(b.members)
    for url in [f"/opinion-requests/{request.token}/"] + [
        f"/opinion-requests/{request.token}/response.{fmt}" for fmt in ("md", "docx", "json")
    ]:
        r = anonymous_client.get(url)
        assert r.status_code == 200, url
        problems += [f"requester {url}: {who}" for who in _leaks(_download_text(r.content), everyone)]
    assert not problems, "\n".join(problems)


def test_anonymous_response_errors_name_nobody(boundary):
    """Refusals in anonymous mode (stale draft, second minority answer, wrong phase) name no other person."""
    b = boundary
    response = b.open_response(anonymous=True)
    s = b.statement(response, "A view", by=b.members[0])
    services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    services.vote_cast(response=response, user=b.members[1], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    first = ApiClient(b.members[2]).put(
        f"{D}/responses/{response.pk}/draft", {"text": "Mine", "base_version": response.draft_version}
    )
    assert first.status_code == 200
    stale = ApiClient(b.members[3]).put(
        f"{D}/responses/{response.pk}/draft", {"text": "Theirs", "base_version": response.draft_version}
    )
    late_vote = ApiClient(b.members[4]).post(f"{D}/responses/{response.pk}/votes", {"statement": s.pk, "value": 1})
    early_endorse = ApiClient(b.members[5]).post(f"{D}/responses/{response.pk}/endorsements", {"stance": "endorse"})
    stale_page = Client()
    stale_page.force_login(b.members[3])
    form = stale_page.post(
        f"/responses/{response.pk}/draft/", {"text": "Theirs again", "base_version": response.draft_version}
    )
    others = _identities(b.members[:3])
    assert stale.status_code == 409 and late_vote.status_code == 409 and early_endorse.status_code == 409
    for r in (stale, late_vote, early_endorse, form):
        assert _leaks(r.content.decode(), others) == [], r.content[:300]
