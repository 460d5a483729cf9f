"""Community pages in Simplified Chinese (issue 20): a browser asking for zh-hans gets this app's
text in Chinese, and the English originals are gone; without the header the pages stay English.

Only this app's own words are checked: the base layout is translated by another catalogue."""

import pytest
from django.utils import translation

from convene.communities.models import JoinRequest, Role

from ..support import ZH, check_words

pytestmark = pytest.mark.django_db


def page(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def test_community_home_in_chinese_and_english(world):
    client = world.client("coordinator")
    html = page(client, "/c/pub/", **ZH)
    check_words(
        html,
        [
            "概览",
            "成员",
            "术语表",
            "活动目录",
            "加入申请",
            "审计日志",
            "你与此社群",
            "协调员",
            "退出<bdi>Public Practice</bdi>",
        ],
        ["Overview", "Join requests", "Audit log", "You and this community", "Leave <bdi>"],
    )
    english = page(client, "/c/pub/")
    assert "You and this community" in english and "你与此社群" not in english


def test_community_list_and_join_form_in_chinese(world):
    html = page(world.client("outsider"), "/communities/", **ZH)
    check_words(html, ["实践社群", "按名称或领域搜索", "公开"], ["Communities of practice", "Search by name or domain"])
    html = page(world.client("outsider"), "/c/pub/", **ZH)
    check_words(html, ["申请加入", "给协调员的留言（选填）"], ["Ask to join", "Message to the coordinators"])


def test_members_and_member_pages_in_chinese(world):
    client = world.client("coordinator")
    html = page(client, "/c/pub/members/", **ZH)
    check_words(
        html,
        ["<bdi>Public Practice</bdi>的成员", "搜索成员", "专业领域", "机构", "技能", "角色", "协调员"],
        ["Members of", "Search members", "people found", ">Discipline<", ">Organisation<"],
    )
    membership = world.public.memberships.get(user=world.users["member"])
    html = page(client, f"/c/pub/members/{membership.pk}/", **ZH)
    check_words(
        html, ["资历", "可投入时间", "协调员操作", "更改角色"], ["Seniority", "Availability", "Coordinator actions"]
    )


def test_join_requests_page_in_chinese(world):
    JoinRequest.objects.create(community=world.public, user=world.users["outsider"], message="Night shifts")
    html = page(world.client("coordinator"), "/c/pub/requests/", **ZH)
    check_words(html, ["加入申请", "批准<bdi>", "拒绝", "申请于"], ["Approve <bdi>", ">Decline<", "asked "])


def test_coordinator_pages_in_chinese(world):
    client = world.client("coordinator")
    html = page(client, "/c/pub/invitations/", **ZH)
    check_words(html, ["通过电子邮件邀请", "发送邀请", "电子邮件"], ["Invite someone by email", "Send invitation"])
    membership = world.public.memberships.get(user=world.users["member"])
    client.post(f"/c/pub/members/{membership.pk}/role/", {"role": "guest"})
    html = page(client, "/c/pub/audit/", **ZH)
    check_words(html, ["审计日志", "更改了角色"], ["Audit log", "Role changed"])
    assert "Role changed" in page(client, "/c/pub/audit/")
    html = page(client, "/c/pub/edit/", **ZH)
    check_words(
        html, ["网址", "可见范围", "公开：任何人都能看到并申请加入", "导出与复制"], ["Web address", "Export and copy"]
    )
    html = page(client, "/c/pub/glossary/", **ZH)
    check_words(html, ["添加术语", "术语", "释义"], ["Add a term", "Add term"])


def test_service_errors_and_messages_follow_the_language(world):
    """A flash message and a refusal from a service come out in the reader's language."""
    client = world.client("coordinator")
    response = client.post("/c/pub/leave/", follow=True, **ZH)  # the last coordinator cannot leave
    assert "社群必须至少保留一名协调员" in response.content.decode()
    with translation.override("zh-hans"):
        assert str(Role.COORDINATOR.label) == "协调员"
    with translation.override("en"):
        assert str(Role.COORDINATOR.label) == "Coordinator"
