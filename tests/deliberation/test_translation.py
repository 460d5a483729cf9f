"""The joint-response pages in Simplified Chinese (issue 20): a browser asking for zh-hans gets the
deliberation catalogue's words, not the English originals; without the header the pages stay English.

Each check names words of this app's own templates and messages (the base layout is another
catalogue's), so a string left unmarked, or marked but untranslated, fails here."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from convene.deliberation import services
from convene.deliberation.models import Phase, Stance

from .conftest import vote_pattern

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    translation.activate("en")  # LocaleMiddleware leaves the last request's language active in this thread


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _both(client, url):
    """The page in Chinese and in English (no Accept-Language header): both must answer 200."""
    zh = client.get(url, **ZH)
    en = client.get(url)
    assert zh.status_code == 200 and en.status_code == 200, url
    return html.unescape(zh.content.decode()), html.unescape(en.content.decode())


def _check(zh: str, en: str, pairs):
    """Each (Chinese, English) pair: the Chinese in the zh page and not its English; the English page as before."""
    for chinese, english in pairs:
        assert chinese in zh, chinese
        assert english not in zh, english
        assert english in en, english
        assert chinese not in en, chinese


def test_list_and_overview_in_chinese(boundary):
    b = boundary
    response = b.open_response()
    b.statement(response, "A view.")
    c = _client(b.coordinator)
    zh, en = _both(c, f"/c/{b.psy.slug}/responses/")
    _check(
        zh,
        en,
        [
            ("联合回应", "Joint responses"),
            ("提出外部动态", "Raise an external development"),
            ("向这个社群征询意见", "Ask this community for its opinion"),
            ("收集意见", "Gathering views"),
        ],
    )
    zh, en = _both(c, f"/responses/{response.pk}/")
    _check(
        zh,
        en,
        [
            ("概览", "Overview"),
            ("观点与投票", "Statements and voting"),
            ("意见地图", "Opinion map"),
            ("最终文件", "Final document"),
            ("哪些人已发声", "Who has been heard"),
            ("提出观点并投票（共1个观点）", "Add statements and vote (1 statement)"),
            ("进入下一阶段", "Move to the next phase"),
        ],
    )


def test_voting_page_in_chinese(boundary):
    b = boundary
    response = b.open_response()
    first = b.statement(response, "First view.")
    b.statement(response, "Second view.")
    c = _client(b.members[0])
    zh, en = _both(c, f"/responses/{response.pk}/vote/")
    _check(
        zh,
        en,
        [
            ("您同意吗？", "Do you agree?"),
            ("跳过／不确定", "Pass / unsure"),
            ("您还有2个观点待投票", "2 statements left for you"),
            ("提出您的观点", "Add your view"),
            ("提交观点", "Submit statement"),
            ("一个观点只写一个想法，最多280个字符。", "One idea, up to 280 characters."),
        ],
    )
    # the htmx answer to a vote carries its notice in the same language
    r = c.post(f"/responses/{response.pk}/vote/", {"statement": first.pk, "value": "1"}, HTTP_HX_REQUEST="true", **ZH)
    body = r.content.decode()
    assert r.status_code == 200 and "Vote recorded." not in body
    assert "您还有1个观点待投票" in body


def test_refusals_are_in_chinese_and_keep_their_status(boundary):
    """Messages from services reach the page translated; statuses do not depend on their words."""
    b = boundary
    response = b.open_response()
    s = b.statement(response, "A view.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    c = _client(b.members[1])
    r = c.post(f"/responses/{response.pk}/vote/", {"statement": s.pk, "value": "1"}, **ZH)
    assert r.status_code == 409
    assert "投票已结束" in r.content.decode() and "Voting has ended" not in r.content.decode()
    services.draft_save(response=response, user=b.members[0], text="Someone else's text", base_version=1)
    r = c.post(f"/responses/{response.pk}/draft/", {"text": "My careful words", "base_version": 1}, **ZH)
    assert r.status_code == 409
    assert "您的文字没有保存" in r.content.decode() and "was not saved" not in r.content.decode()


def test_opinion_map_in_chinese(boundary):
    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"View {i}") for i in range(4)]
    vote_pattern(response, b, statements)
    zh, en = _both(_client(b.members[0]), f"/responses/{response.pk}/map/")
    _check(
        zh,
        en,
        [
            ("参与者与群体", "Participants and groups"),
            ("A组", "Group A"),
            ("各群体的立场", "What each group stands for"),
            ("共同立场", "Common ground"),
            ("分歧所在", "Where groups split"),
            ("每个观点的投票", "Votes per statement"),
            ("以Pol.is格式下载（CSV）", "Download in Pol.is format (CSV)"),
        ],
    )
    # the bubbles' descriptions (aria-label) come from the selector, in the page's language
    assert "人" in zh and " people here" not in zh and " person here" not in zh


def test_drafting_pages_in_chinese(boundary):
    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"View {i}") for i in range(4)]
    vote_pattern(response, b, statements)
    with translation.override("zh-hans"):  # the coordinator who opens drafting reads Chinese
        services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    assert "## 我们的共识" in response.draft_text and "What we agree on" not in response.draft_text
    c = _client(b.members[0])
    zh, en = _both(c, f"/responses/{response.pk}/draft/")
    _check(
        zh,
        en,
        [
            ("回应草稿", "Draft response"),
            ("正文（逐段）", "The text, paragraph by paragraph"),
            ("编辑草稿", "Edit the draft"),
            ("保存为新版本", "Save a new version"),
            ("项目符号列表", "Bulleted list"),
        ],
    )
    zh, en = _both(c, f"/responses/{response.pk}/draft/versions/")
    _check(zh, en, [("草稿的各个版本", "Versions of the draft"), ("第一版。", "First version.")])
    # the delivery checklist finds the placeholder whichever language seeded the draft
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    checklist = _client(b.coordinator).get(f"/responses/{response.pk}/phase/delivered/")
    assert checklist.status_code == 200 and b"still holds the placeholder" in checklist.content


def test_endorsement_and_delivery_tracking_in_chinese(boundary):
    b = boundary
    req = services.opinion_request_submit(
        community=b.psy,
        requester_name="Ada Lovelace",
        organisation="Regional Board",
        contact="ada@board.example",
        question="How should the rule work?",
        deadline=date.today() + timedelta(days=40),
    )
    zh, en = _both(_client(), f"/opinion-requests/{req.token}/")
    _check(
        zh,
        en,
        [
            ("已收到，等待社群协调员处理", "Received, waiting for the community's coordinators"),
            ("征询人", "Asked by"),
            ("此页面是私密的", "This page is private"),
        ],
    )
    now = timezone.now()
    response = services.opinion_request_accept(
        opinion_request=req,
        actor=b.coordinator,
        gathering_ends=now + timedelta(days=7),
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    services.response_update(response=response, actor=b.coordinator, communities=[b.sw])
    services.response_transition(response=response, actor=b.coordinator, to=Phase.GATHERING)
    statements = [b.statement(response, f"View {i}") for i in range(4)]
    vote_pattern(response, b, statements)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    for user in b.members[:6]:
        services.endorsement_cast(response=response, user=user, stance=Stance.ENDORSE)
    zh, en = _both(_client(b.members[7]), f"/responses/{response.pk}/endorse/")
    _check(
        zh,
        en,
        [
            ("各社群的支持情况", "Support by community"),
            ("有保留地联署", "Endorse with reservations"),
            ("记录我的立场", "Record my position"),
            ("异议与保留意见", "Objections and reservations"),
        ],
    )
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DELIVERED)
    zh, en = _both(_client(), f"/opinion-requests/{req.token}/")
    _check(
        zh,
        en,
        [
            ("回应已提交", "Response delivered"),
            ("社群的回应", "The community's response"),
            ("少数意见", "Minority views"),
            ("各社群的立场", "Positions by community"),
        ],
    )
    md = _client().get(f"/opinion-requests/{req.token}/response.md", **ZH).content.decode()
    assert "## 少数意见" in md and "## 联署" in md and "## Minority views" not in md


def test_polis_upload_refusal_is_worded_by_deliberation(boundary):
    """The engine stays free of Django: its refusal's pattern is translated here, its pieces kept."""
    from convene.deliberation.engine_text import POLIS_ERRORS, polis_error_text
    from convene.engines.polis_io import PolisFormatError, read_polis_files

    with pytest.raises(PolisFormatError) as caught:
        read_polis_files({"comments.csv": b"comment-id,comment-body\n", "votes.csv": b"voter-id\n1\n"})
    assert caught.value.template in POLIS_ERRORS
    with translation.override("zh-hans"):
        text = polis_error_text(caught.value)
    assert "votes.csv" in text and "missing column" not in text and "缺少列" in text
    with translation.override("en"):
        assert polis_error_text(caught.value) == str(caught.value)  # English as the engine wrote it
