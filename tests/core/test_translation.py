"""The project's own pages and core's in Simplified Chinese: chrome, headings, dates; English by default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_home_and_header_in_chinese(world):
    page = world.client("member").get("/", **ZH).content.decode()
    for chinese in ("跳到正文", "社群", "活动", "项目", "通知", "我的个人资料", "退出登录", "我的社群", "切换语言"):
        assert chinese in page
    for english in ("Skip to content", "My profile", "Log out", "My communities", "Waiting for you"):
        assert english not in page
    assert '<html lang="zh-hans">' in page


def test_landing_error_pages_and_accessibility_in_chinese(client, world):
    landing = client.get("/", **ZH).content.decode()
    assert "您可以加入的社群" in landing and "Communities you can join" not in landing
    missing = world.client("member").get("/no/such/page/", **ZH)
    assert missing.status_code == 404 and "我们找不到这个页面" in missing.content.decode()
    statement = client.get("/accessibility/", **ZH).content.decode()
    assert "无障碍声明" in statement and "Known limitations" not in statement


def test_english_is_the_default(world):
    page = world.client("member").get("/").content.decode()
    assert '<html lang="en">' in page and "My communities" in page and "我的社群" not in page


def test_dates_follow_the_language():
    moment = timezone.make_aware(dt.datetime(2026, 12, 5, 14, 30), dt.UTC)
    template = Template('{% load convene_time %}{{ moment|zoned }} · {{ moment|zoned:_("j M Y H:i") }}')
    with timezone.override("UTC"):
        with translation.override("en"):
            assert (
                template.render(Context({"moment": moment})) == "5 December 2026, 14:30 (UTC) · 5 Dec 2026 14:30 (UTC)"
            )
        with translation.override("zh-hans"):
            assert (
                template.render(Context({"moment": moment})) == "2026年12月5日 14:30 (UTC) · 2026年12月5日 14:30 (UTC)"
            )


def test_api_errors_follow_the_language(client):
    answer = client.get("/api/v1/me/profile", **ZH)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "需要身份验证：请登录或提供有效的 API 令牌。"
    assert answer.json()["code"] == "unauthenticated"  # machine values stay as they are
