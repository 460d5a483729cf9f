"""The search page in Simplified Chinese."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_search_page_in_chinese(world):
    client = world.client("member")
    page = client.get("/search/?q=Public", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "搜索" in page and "条结果" in page
    assert "result for" not in page and "results for" not in page
    short = client.get("/search/?q=a", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "请至少输入" in short
