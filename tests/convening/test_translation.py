"""Convening pages in Simplified Chinese (issue 20): a browser asking for zh-hans gets this app's
text (and the shipped activity catalogue) in Chinese, and the English originals are gone; without
the header the pages stay English. Only this app's own words are checked: the base layout and the
time formats belong to other catalogues."""

import importlib

import pytest
from django.urls import reverse
from django.utils import translation

from convene.convening.models import ActivityType
from convene.convening.shipped_text import SHIPPED, shipped_field

from ..support import ZH, check_words

pytestmark = pytest.mark.django_db


def page(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def test_session_list_and_form_in_chinese(world, sent):
    client = world.client("coordinator")
    html = page(client, reverse("convening:community_sessions", args=["pub"]), **ZH)
    check_words(
        html,
        ["<bdi>Public Practice</bdi>的会议", "策划会议", "浏览活动目录", "主持社群", "已发出邀请", "跨界交流"],
        ["Sessions of", "Plan a session", "Browse the activity catalogue", "Invitations sent", "Boundary engagement"],
    )
    html = page(client, reverse("convening:session_create", args=["pub"]), **ZH)
    check_words(
        html,
        ["为<bdi>Public Practice</bdi>策划会议", "开始时间（当地时间）", "时区", "名额", "共享目录", "创建会议"],
        ["Plan a session for", "Starts at (local time)", "Shared catalogue", "Create session"],
    )


def test_session_detail_in_chinese_and_english(world, sent):
    client = world.client("coordinator")
    url = reverse("convening:session", args=[sent.pk])
    html = page(client, url, **ZH)
    check_words(
        html,
        [
            "关于本次会议",
            "边界问题：",
            "你与本次会议",
            "会议状态",
            "概览",
            "议程",
            "与会人员预览",
            "发言队列",
            "开始会议",
        ],
        ["About this session", "Boundary concern:", "You and this session", "Session state", "Start the session"],
    )
    english = page(client, url)
    assert "About this session" in english and "关于本次会议" not in english


def test_attendance_invitations_and_record_in_chinese(world, sent):
    client = world.client("coordinator")
    html = page(client, reverse("convening:attendance", args=[sent.pk]), **ZH)
    check_words(
        html, ["出席", "回复", "到场", "自助签到码", "签到"], ["Attendance", "said yes", ">Present<", ">Check in "]
    )
    html = page(client, reverse("convening:invitations", args=[sent.pk]), **ZH)
    check_words(html, ["邀请名单", "加入名单", "整个社群", "撤回"], ["Invitation list", "Add to the list", "Withdraw"])
    html = page(client, reverse("convening:record", args=[sent.pk]), **ZH)
    check_words(
        html, ["笔记与成果", "后续行动", "还没有笔记。"], ["Notes and outcomes", "Follow-up actions", "No notes yet."]
    )


def test_preview_picker_groups_and_queue_in_chinese(world, sent):
    client = world.client("coordinator")
    html = page(client, reverse("convening:preview", args=[sent.pk]), **ZH)
    check_words(
        html, ["会有哪些人参加", "自述属性", "专业领域"], ["Who would be in the room", "Self-described attributes"]
    )
    html = page(client, reverse("convening:picker", args=[sent.pk]), **ZH)
    check_words(html, ["破冰活动选择器", "提出候选活动"], ["Breakthrough picker", "Propose a candidate"])
    html = page(client, reverse("convening:groups", args=[sent.pk]), **ZH)
    check_words(html, ["分组数", "分开安排", "安排在一起"], ["Number of groups", "Keep apart", "Form groups"])
    html = page(client, reverse("convening:queue", args=[sent.pk]), **ZH)
    check_words(html, ["安排发言", "各社群的发言占比"], ["Give the floor", "Share of turns by community"])


def test_shipped_catalogue_is_translated_at_display_time(world):
    client = world.client("coordinator")
    html = page(client, reverse("convening:catalogue"), **ZH)
    check_words(
        html,
        ["活动目录", "跨界交流", "破冰活动", "展示与分享"],
        ["Activity catalogue", "Boundary engagement", "Show and tell"],
    )
    html = page(client, reverse("convening:activity", args=["boundary-engagement"]), **ZH)
    check_words(
        html,
        ["是什么", "为什么", "怎么做", "常见问题", "建议议程", "欢迎，并用一句话说明边界问题"],
        ["Pitfalls", "Suggested agenda"],
    )
    html = page(client, reverse("convening:community_catalogue", args=["pub"]), **ZH)
    check_words(
        html, ["<bdi>Public Practice</bdi>的活动目录", "改编", "添加自创活动"], ["Activity catalogue of", "Adapt"]
    )
    english = page(client, reverse("convening:catalogue"))
    assert "Boundary engagement" in english and "跨界交流" not in english


def test_an_edited_catalogue_entry_is_shown_as_written(world):
    """Rows are content: once staff edit a shipped text, the edit shows as written in every language."""
    activity = ActivityType.objects.get(slug="show-and-tell")
    activity.summary = "Our own words for it"
    activity.save(update_fields=["summary"])
    with translation.override("zh-hans"):
        assert shipped_field(activity, "summary") == "Our own words for it"
        assert shipped_field(activity, "name") == "展示与分享"


def test_shipped_text_matches_the_migration():
    """The marked strings are the migration's text, word for word, for every shipped activity."""
    migration = importlib.import_module("convene.convening.migrations.0002_activity_catalogue")
    for entry in migration.CATALOGUE:
        marked = SHIPPED[entry["slug"]]
        for field in ("name", "summary", "what", "why", "how", "pitfalls"):
            assert marked[field] == entry[field], (entry["slug"], field)
        assert marked["agenda"] == [item["title"] for item in entry["agenda"]], entry["slug"]
    assert set(SHIPPED) == {entry["slug"] for entry in migration.CATALOGUE}


def test_messages_and_errors_follow_the_language(world, sent):
    client = world.client("member")
    response = client.post(reverse("convening:rsvp", args=[sent.pk]), {"answer": "yes"}, follow=True, **ZH)
    html = response.content.decode()
    assert "谢谢！你的回复是“" in html and "Thank you" not in html
    response = client.post(reverse("convening:checkin", args=[sent.pk]), {"code": "WRONG1"}, **ZH)
    html = response.content.decode()
    assert "只有会议处于“进行中”状态时才能签到；会议当前为“已发出邀请”。" in html
    assert "is only possible while" not in html
