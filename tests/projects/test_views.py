"""Pages: forms keep what was typed on bad input, explanations and shortfalls are shown, hooks work."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from convene.core.hooks import collect
from convene.projects import selectors, services
from convene.projects.models import HelpRequest, PlaceStatus, TeamPlace


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_help_request_form_keeps_input_on_impossible_times(lab):
    client = _client(lab.requester)
    url = reverse("projects:request_create", args=[lab.community.slug])
    data = {
        "title": "Bed-state report",
        "team_name": "Flow",
        "process": "A long description we must not lose",
        "minutes_per_run": "20000",
        "runs_per_month": "4",
        "people_involved": "2",
        "done_looks_like": "Fast",
        "contact": "me",
    }
    res = client.post(url, data)
    assert res.status_code == 200
    body = res.content.decode()
    assert "cannot be more than 10,000" in body
    assert "A long description we must not lose" in body
    assert not HelpRequest.objects.exists()
    res = client.post(url, {**data, "minutes_per_run": "240"})
    assert res.status_code == 302 and HelpRequest.objects.count() == 1


def test_triage_pages(lab):
    request = lab.request()
    coordinator = _client(lab.coordinator)
    res = coordinator.post(
        reverse("projects:request_triage", args=[request.pk]), {"action": "ask", "message": "How many wards?"}
    )
    assert res.status_code == 302
    page = _client(lab.requester).get(reverse("projects:request_detail", args=[request.pk])).content.decode()
    assert "How many wards?" in page and "Send answer" in page
    res = coordinator.post(reverse("projects:request_triage", args=[request.pk]), {"action": "decline", "message": ""})
    request.refresh_from_db()
    assert request.state == "info_requested"  # a decline without a reason is refused


def test_team_page_shows_explanations_and_shortfall(lab):
    project = lab.staffed_project(mentors_wanted=5)
    coordinator = _client(lab.coordinator)
    coordinator.post(reverse("projects:match", args=[project.pk]))
    page = coordinator.get(reverse("projects:team", args=[project.pk])).content.decode()
    assert "opportunities in the last 12 months" in page
    assert "2 mentors short" in page
    assert "Publish the team (7 proposed)" in page


def test_detail_lets_a_proposed_member_decline(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    place = TeamPlace.objects.filter(project=project, role="mentee").first()
    client = _client(place.user)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Decline this place" in page
    client.post(reverse("projects:decline", args=[place.pk]))
    place.refresh_from_db()
    assert place.status == PlaceStatus.DECLINED


def test_detail_page_query_count_is_bounded(lab, django_assert_max_num_queries):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    for i in range(3):
        services.milestone_create(project=project, actor=lab.coordinator, title=f"Step {i}", owner=lab.coordinator)
    client = _client(lab.coordinator)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200


def test_outcomes_form_rejects_negative_time_and_keeps_values(lab):
    project = lab.staffed_project()
    client = _client(lab.coordinator)
    res = client.post(
        reverse("projects:outcomes", args=[project.pk]),
        {"part": "measures", "before_minutes_per_run": "240", "after_minutes_per_run": "-5"},
    )
    assert res.status_code == 200
    body = res.content.decode()
    assert "Minutes per run cannot be negative." in body and 'value="-5' in body


def test_hooks(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    info = selectors.context_info(project.context)
    assert info["kind"] == "project" and len(info["groups"]["Mentors"]) == 2 and len(info["groups"]["Mentees"]) == 4
    assert selectors.context_info("session:1") is None and selectors.context_info("project:999999") is None
    assert selectors.contexts_for(lab.community) == [project.context]
    mentee = TeamPlace.objects.filter(project=project, role="mentee").first().user
    assert any(i.kind == "Project place" for i in selectors.home_items(mentee))
    assert any(i.kind == "Help request" for i in selectors.home_items(lab.coordinator)) is False
    lab.request()
    assert any(i.kind == "Help request" for i in selectors.home_items(lab.coordinator))
    labels = [label for label, _ in collect("community_links", lab.coordinator, lab.community)]
    assert {"Projects", "Help requests", "Mentoring offers"} <= set(labels)
    assert selectors.personal_data(mentee)["project_places"][0]["role"] == "mentee"


def test_case_study_page(lab):
    project = lab.staffed_project()
    services.team_match(project=project, actor=lab.coordinator)
    services.team_publish(project=project, actor=lab.coordinator)
    services.project_transition(project=project, actor=lab.coordinator, to="active")
    services.project_transition(project=project, actor=lab.coordinator, to="delivered")
    services.measures_record(
        project=project,
        actor=lab.coordinator,
        before_minutes_per_run=240,
        before_runs_per_month=4,
        after_minutes_per_run=8,
        after_runs_per_month=4,
    )
    client = _client(lab.coordinator)
    client.post(reverse("projects:case_study_publish", args=[project.pk]))
    page = client.get(reverse("projects:case_study", args=[project.pk])).content.decode()
    assert "185.6 hours saved per year" in page and "The problem" in page
