"""Issue 20: the insight pages read in Simplified Chinese when the browser asks for it; the CSV stays a
machine format (English keys and words in every language); English pages are unchanged."""

from __future__ import annotations

import csv
import io
import re

from django.test import Client
from django.utils import translation

from convene.insights.selectors.common import profile_categories
from convene.insights.templatetags.insights_tags import band_meaning, figure, gini_meaning, idx, label
from convene.privacy.disclosure import hidden

from ..support import ZH, check_words

URL = "/c/equity/insights/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client, url, status=200, **params) -> str:
    res = client.get(url, params, **ZH)
    assert res.status_code == status, url
    return res.content.decode()


def test_dashboard_in_chinese(eq):
    html = _page(_client(eq.coordinator), URL)
    check_words(
        html,
        [
            "包容与公平",
            "社群里有哪些人",
            "这意味着什么：",
            "专业领域",
            "多样性（标准化布劳指数）",
            "每个人的声音都被听到了吗？",
            "发言基尼系数",
            "机会分配公平吗？",
            "过去 12 个月的趋势",
            "按个人资料的多样性（逐月）",
            "以 CSV 格式下载这些洞察",
            "尚未发声",
            "机会台账",
        ],
        [
            "What this means:",
            "Who is in the community",
            "Is everyone heard?",
            "Are opportunities shared fairly?",
            "Trend over the last 12 months",
            "Download these insights as CSV",
            "Diversity (normalised Blau)",
            "not shown",
            "line chart over the last 12 months",
            "people per category",
        ],
    )


def test_member_dashboard_and_coordinator_pages_in_chinese(eq):
    html = _page(_client(eq.people[5]), URL)
    check_words(html, ["社群里有哪些人", "协调员还可以看到"], ["Coordinators also see", "Who is in the community"])
    c = _client(eq.coordinator)
    html = _page(c, URL + "not-heard/")
    check_words(
        html,
        ["尚未发声", "名成员", "专业领域", "加入时间", "统计期间", "显示这段期间"],
        ["Member since", "Show this period"],
    )
    html = _page(c, URL + "opportunities/", order="most")
    assert re.search(r"每位成员的机会，\d{4}年\d{1,2}月\d{1,2}日 – \d{4}年\d{1,2}月\d{1,2}日", html)
    check_words(
        html,
        ["机会台账", "机会最多的在前", "每位成员的机会", "合计", "在本社群累计"],
        ["Most opportunities first", "Ever here"],
    )
    html = _page(c, URL + "rotation/")
    check_words(
        html,
        ["下一个轮到谁？", "要安排的角色", "任何机会", "建议人选", "推荐人选"],
        ["Whose turn next?", "Role to fill", "Suggest"],
    )
    html = _page(c, URL + "contexts/")
    check_words(
        html, ["会议、联合回应和项目", "场合", "已发声占比", "会议 900"], ["Occasion", "Share heard", "Session 900"]
    )


def test_context_page_in_chinese(eq, fake_contexts):
    p = eq.people
    fake_contexts["session:900"] = {
        "title": "Discharge planning",
        "kind": "session",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in p[:6]],
        "anonymous": False,
        "groups": {"Table 1": [u.pk for u in p[:3]], "Table 2": [u.pk for u in p[3:6]]},
    }
    html = _page(_client(eq.coordinator), URL + "contexts/session:900/")
    check_words(
        html,
        [
            "Discharge planning · 洞察",
            "会议",
            "受邀或参与的人共",
            "以 CSV 格式下载",
            "在场的有哪些人",
            "分组和团队",
            "与全体的最大偏离",
        ],
        ["people invited or taking part", "Who was in the room", "Largest drift from the room", "Download as CSV"],
    )


def test_bad_dates_are_explained_in_chinese(eq):
    html = _page(_client(eq.coordinator), URL, status=400, **{"from": "2026-02-31"})
    check_words(
        html, ["“2026-02-31”不是日期：请按 YYYY-MM-DD 格式填写。", "现改为显示过去 12 个月。"], ["is not a date"]
    )


def test_csv_stays_english_in_every_language(eq):
    c = _client(eq.coordinator)
    english = c.get(URL + "export.csv").content.decode()
    chinese = c.get(URL + "export.csv", **ZH).content.decode()
    assert chinese == english
    rows = list(csv.reader(io.StringIO(chinese)))
    assert rows[0] == ["section", "measure", "dimension", "category", "period", "value"]
    assert any(r[2] == "Discipline" for r in rows)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_english_without_the_header(eq):
    html = _client(eq.coordinator).get(URL).content.decode()
    check_words(
        html, ["What this means:", "Who is in the community", "Trend over the last 12 months"], ["这意味着什么"]
    )


def test_words_follow_the_active_language():
    with translation.override("zh-hans"):
        assert band_meaning("varied") == "人员分布在多个群体中；没有哪个群体占主导。"
        assert gini_meaning(0.6, "opportunities") == "大部分机会集中在少数几个人身上。"
        assert idx(None) == "不显示"
        assert label("Not answered") == "未回答" and label("Ward 3") == "Ward 3"
        assert figure(hidden()) == "少于 5" and figure(hidden(unit="%")) == "已隐藏"
    assert gini_meaning(0.6, "opportunities") == "A few people have most of the opportunities."
    assert label("Not answered") == "Not answered"
    assert figure(hidden(unit="%")) == "hidden"


def test_category_names_behind_the_noise_stay_english(db):
    """A cell's noise is drawn from its name: a name that changed with the language would give each
    language its own noise, and comparing the two pages would narrow the true count down."""
    english = profile_categories()["seniority"]
    with translation.override("zh-hans"):
        assert profile_categories()["seniority"] == english
        assert label(english["early"]) == "职业初期（0–5 年）"
    assert english["early"] == "Early career (0–5 years)"
