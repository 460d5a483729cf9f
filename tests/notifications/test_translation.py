"""Notifications' pages in Simplified Chinese: the centre, mail preferences (kind labels), unsubscribe."""

from __future__ import annotations

import pytest

from convene.notifications import services

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_centre_and_preferences_in_chinese(world):
    member = world.users["member"]
    services.notify(recipients=[member], kind="community.message", text="Rota posted", url="/")
    client = world.client("member")
    centre = client.get("/notifications/", **ZH).content.decode()
    assert "1 条未读通知。" in centre and "全部标记为已读" in centre and "发给全体社群成员的消息" in centre
    assert "Rota posted" in centre  # what people write is never translated
    assert "Mark all as read" not in centre and "unread notification" not in centre
    prefs = client.get("/me/notifications/", **ZH).content.decode()
    assert "邮件偏好设置" in prefs and "会议邀请" in prefs and "每日摘要" in prefs
    assert "Invitations to sessions" not in prefs and "Daily digest" not in prefs


def test_english_by_default(world):
    page = world.client("member").get("/notifications/").content.decode()
    assert "Notifications" in page and "通知" not in page
