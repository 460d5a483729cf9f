"""Discussion pages in Simplified Chinese; posts stay as their authors wrote them."""

from __future__ import annotations

import pytest

from convene.discussions import services

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_list_and_thread_in_chinese(world):
    member = world.users["member"]
    thread = services.thread_create(community=world.public, author=member, title="Night rota", body="Who can swap?")
    client = world.client("member")
    listing = client.get(f"/c/{world.public.slug}/discussions/", **ZH).content.decode()
    assert "讨论" in listing and "发起话题" in listing and "Night rota" in listing
    assert "Start a thread" not in listing
    page = client.get(f"/discussions/{thread.pk}/", **ZH).content.decode()
    for chinese in ("发表回复", "取消关注", "支持 Markdown", "年"):
        assert chinese in page
    assert "Who can swap?" in page
    assert "Post the reply" not in page and "Stop following" not in page


def test_english_by_default(world):
    member = world.users["member"]
    thread = services.thread_create(community=world.public, author=member, title="Rota", body="Hi")
    page = world.client("member").get(f"/discussions/{thread.pk}/").content.decode()
    assert "Post the reply" in page and "发表回复" not in page
