"""Issue 18.15: one computation of hours per month; "Publish" only when it can succeed; process steps on lines."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convene.projects import selectors, services
from convene.projects.models import hours_per_month


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("minutes", "runs", "hours"),
    [(960, 4.3, 69.0), (300, 4.3, 22.0), (25, 1, 0.4), (0, 3, 0.0), (None, 3, None), (30, None, None)],
)
def test_hours_per_month(minutes, runs, hours):
    assert hours_per_month(minutes, runs) == hours


def test_request_list_and_outcomes_show_the_same_hours(lab):
    request = lab.request(minutes_per_run=960, runs_per_month=4.3)
    coordinator = _client(lab.coordinator)
    listing = coordinator.get(reverse("projects:requests", args=[lab.community.slug])).content.decode()
    assert '<td class="num">69</td>' in listing and '<td class="num">64</td>' not in listing
    detail = coordinator.get(reverse("projects:request_detail", args=[request.pk])).content.decode()
    assert "<dd>69</dd>" in detail
    project = services.help_request_accept(help_request=request, actor=lab.coordinator)
    assert project.before_hours_per_month == request.hours_per_month == 69.0
    outcomes = coordinator.get(reverse("projects:outcomes", args=[project.pk])).content.decode()
    assert '<td class="num">69</td>' in outcomes
    api = coordinator.get(f"/api/v1/projects/requests/{request.pk}").json()
    assert api["hours_per_month"] == 69.0


def test_publish_is_offered_only_when_it_can_succeed(lab):
    project = lab.staffed_project()
    coordinator = _client(lab.coordinator)
    url = reverse("projects:case_study", args=[project.pk])
    page = coordinator.get(url).content.decode()
    assert not services.may_publish_case_study(project)
    assert "Publish to all communities" not in page and "once the project is delivered" in page
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    services.project_transition(project=project, actor=lab.coordinator, to="active")
    services.project_transition(project=project, actor=lab.coordinator, to="delivered")
    project.refresh_from_db()
    assert services.may_publish_case_study(project)
    assert "Publish to all communities" in coordinator.get(url).content.decode()
    coordinator.post(reverse("projects:case_study_publish", args=[project.pk]))
    page = coordinator.get(url).content.decode()
    assert "Publish to all communities" not in page and "Withdraw the case study" in page


def test_process_steps():
    assert selectors.process_steps("1. download\n2. copy\n\n- check") == ["download", "copy", "check"]
    assert selectors.process_steps("1. download the exports 2. copy the counts 3. email") == [
        "download the exports",
        "copy the counts",
        "email",
    ]
    assert selectors.process_steps("One paragraph, with 2 numbers.") == ["One paragraph, with 2 numbers."]
    assert selectors.process_steps("") == []


def test_case_study_lists_process_steps_on_separate_lines(lab):
    project = services.help_request_accept(
        help_request=lab.request(process="1. Download six exports.\n2. Copy the counts.\n3. Email the managers."),
        actor=lab.coordinator,
    )
    page = _client(lab.coordinator).get(reverse("projects:case_study", args=[project.pk])).content.decode()
    assert '<ol class="steps"><li><bdi>Download six exports.</bdi></li><li><bdi>Copy the counts.</bdi></li>' in page
