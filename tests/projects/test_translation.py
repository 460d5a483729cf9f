"""Issue 20: the projects pages read in Simplified Chinese when the browser asks for it, and stay English otherwise."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convene.projects import services

from ..support import ZH, check_words


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client, url, **headers) -> str:
    res = client.get(url, **headers)
    assert res.status_code == 200, url
    return res.content.decode()


@pytest.fixture
def staffed(lab):
    """A project from a help request, matched and waiting in staffing."""
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    return project


def test_lists_and_help_requests_in_chinese(lab, staffed):
    coordinator = _client(lab.coordinator)
    slug = lab.community.slug
    html = _page(coordinator, reverse("projects:mine"), **ZH)
    check_words(
        html,
        ["项目与指导", "我的指导意愿", "案例研究", "我发出的求助"],
        ["Projects and mentoring", "My mentoring offer"],
    )
    html = _page(coordinator, reverse("projects:community", args=[slug]), **ZH)
    check_words(
        html,
        ["参与的项目", "团队构成", "组建团队中", "2 名导师、4 名学员"],
        ["Team shape", "Staffing", "2 mentors, 4 mentees", "takes part in"],
    )
    html = _page(coordinator, reverse("projects:requests", args=[slug]), **ZH)
    check_words(
        html,
        ["求助", "目前每月时数", "已接受为项目"],
        ["Hours per month today", "Accepted as a project", "newest first"],
    )
    html = _page(coordinator, reverse("projects:request_detail", args=[staffed.help_request.pk]), **ZH)
    check_words(
        html,
        ["目前的流程", "每次执行", "240 分钟", "怎样才算“完成”", "这个求助已成为项目"],
        ["The process today", "240 minutes", "People involved", "This request became the project"],
    )
    html = _page(coordinator, reverse("projects:offers", args=[slug]), **ZH)
    check_words(
        html, ["指导意愿", "可传授", "指导他人", "接受指导"], ["Wants to learn", "Mentor others", "Be mentored"]
    )
    html = _page(_client(lab.mentors[0]), reverse("projects:offer"), **ZH)
    check_words(html, ["您可以传授的技能", "保存我的指导意愿"], ["Skills you could teach", "Save my mentoring offer"])


def test_project_and_team_pages_in_chinese(lab, staffed):
    coordinator = _client(lab.coordinator)
    html = _page(coordinator, reverse("projects:detail", args=[staffed.pk]), **ZH)
    check_words(
        html,
        [
            "团队匹配",
            "给团队发消息",
            "所需技能",
            "里程碑",
            "添加里程碑",
            "已提名和已公布的席位",
            "2 名导师和 4 名学员。",
        ],
        ["Team matching", "Required skills", "Milestones", "Add a milestone", "Proposed and published places"],
    )
    html = _page(coordinator, reverse("projects:team", args=[staffed.pk]), **ZH)
    check_words(
        html,
        [
            "需要 2 名导师和 4 名学员",
            "导师：已提名和已公布",
            "学员：已提名和已公布",
            "已提名",
            "公布团队",
            "手动添加人员",
        ],
        ["Mentors: proposed and published", "Publish the team", "Add a person by hand", "wanted"],
    )
    mentor = staffed.places.filter(role="mentor").first().user
    html = _page(_client(mentor), reverse("projects:detail", args=[staffed.pk]), **ZH)
    check_words(
        html,
        ["您的席位", "<strong>被提名</strong>担任<strong>导师</strong>", "婉拒这个席位"],
        ["Your place", "Decline this place"],
    )


def test_outcomes_and_case_study_in_chinese(lab, staffed):
    services.team_publish(project=staffed, actor=lab.coordinator)
    services.project_transition(project=staffed, actor=lab.coordinator, to="active")
    services.measures_record(
        project=staffed,
        actor=lab.coordinator,
        before_minutes_per_run=240,
        before_runs_per_month=4,
        after_minutes_per_run=30,
        after_runs_per_month=4,
    )
    services.project_transition(project=staffed, actor=lab.coordinator, to="delivered")
    coordinator = _client(lab.coordinator)
    html = _page(coordinator, reverse("projects:outcomes", args=[staffed.pk]), **ZH)
    check_words(
        html,
        [
            "成果",
            "节省的时间",
            "每年节省 168 小时",
            "之前",
            "之后",
            "每月时数",
            "学员的技能",
            "导师心得",
            "保存测量数据",
        ],
        ["Time saved", "hours saved per year", "Minutes per run", "Save measures", "Mentors' reflections"],
    )
    html = _page(coordinator, reverse("projects:case_study", args=[staffed.pk]), **ZH)
    check_words(
        html,
        ["案例研究：", "向所有社群发布", "提出了求助。", "各方收获", "流程所需时间", "，导师"],
        ["Case study:", "Publish to all communities", "asked for help", "What each role gained", ", mentor"],
    )
    services.case_study_publish(project=staffed, actor=lab.coordinator)
    html = _page(_client(lab.requester), reverse("projects:case_studies"), **ZH)
    check_words(html, ["案例研究", "社群已交付并选择分享的项目", "每年节省 168 小时"], ["hours saved per year"])


def test_errors_and_flash_messages_in_chinese(lab):
    client = _client(lab.requester)
    url = reverse("projects:request_create", args=[lab.community.slug])
    data = {
        "title": "Bed-state report",
        "team_name": "Flow",
        "process": "Copy, paste",
        "minutes_per_run": "-5",
        "runs_per_month": "4",
        "people_involved": "2",
        "done_looks_like": "Fast",
        "contact": "me",
    }
    html = client.post(url, data, **ZH).content.decode()
    check_words(
        html, ["每次执行分钟数不能为负数。", "向 <bdi>Ignite Lab</bdi> 求助"], ["cannot be negative", "for help"]
    )
    res = client.post(url, {**data, "minutes_per_run": "30"}, follow=True, **ZH)
    check_words(
        res.content.decode(), ["您的求助已发送给 Ignite Lab 的协调员。", "等待协调员处理"], ["Your request was sent"]
    )


def test_english_without_the_header(lab, staffed):
    coordinator = _client(lab.coordinator)
    html = _page(coordinator, reverse("projects:team", args=[staffed.pk]))
    check_words(
        html, ["Team matching", "2 mentors and 4 mentees wanted", "Mentors: proposed and published"], ["团队匹配"]
    )
    html = _page(coordinator, reverse("projects:community", args=[lab.community.slug]))
    check_words(html, ["2 mentors, 4 mentees", "Staffing"], ["组建团队中"])
