"""Issue 18.16: a warning when required skills are not covered; a coordinator adds, swaps or removes
a named person by hand (service, page and API)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convene.communities.models import OpportunityEntry, Role
from convene.core.errors import Conflict, InvalidInput
from convene.projects import selectors, services
from convene.projects.models import PlaceStatus, TeamPlace

from ..factories import MembershipFactory, UserFactory


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staffing(lab):
    project = lab.staffed_project()
    return services.project_update(project=project, actor=lab.coordinator, required_skills=["python", "sql"])


def test_uncovered_skills(lab, staffing):
    assert selectors.uncovered_skills(staffing) == ["python", "sql"]  # nobody on the team yet
    services.team_match(project=staffing, actor=lab.coordinator)
    assert selectors.uncovered_skills(staffing) == ["sql"]  # the mentors teach python and pandas
    page = _client(lab.coordinator).get(reverse("projects:team", args=[staffing.pk])).content.decode()
    assert 'id="uncovered-skills"' in page and "No mentor on this team teaches <bdi>sql</bdi>." in page


def test_add_a_named_person(lab, staffing):
    sql_teacher = UserFactory(email="sql@example.com", name="Sam Query")
    MembershipFactory(community=lab.community, user=sql_teacher, role=Role.MEMBER)
    services.mentoring_offer_save(user=sql_teacher, role="mentor", teaches=["sql"], hours_per_month=5, max_projects=1)
    services.team_match(project=staffing, actor=lab.coordinator)
    place = services.place_add(project=staffing, actor=lab.coordinator, user=sql_teacher, role="mentor")
    assert place.status == PlaceStatus.PROPOSED and "by hand" in place.explanation
    assert selectors.uncovered_skills(staffing) == []
    with pytest.raises(Conflict, match="already has a place"):
        services.place_add(project=staffing, actor=lab.coordinator, user=sql_teacher, role="mentee")


def test_guests_outsiders_and_conflicts_are_refused(lab, staffing):
    guest = UserFactory(email="g@example.com", name="Gail Guest")
    MembershipFactory(community=lab.community, user=guest, role=Role.GUEST)
    with pytest.raises(InvalidInput, match="Only members"):
        services.place_add(project=staffing, actor=lab.coordinator, user=guest, role="mentee")
    with pytest.raises(InvalidInput, match="Only members"):
        services.place_add(project=staffing, actor=lab.coordinator, user=lab.requester, role="mentee")
    services.conflict_declare(project=staffing, user=lab.mentees[0])
    with pytest.raises(Conflict, match="conflict of interest"):
        services.place_add(project=staffing, actor=lab.coordinator, user=lab.mentees[0], role="mentee")
    with pytest.raises(InvalidInput, match="mentor or mentee"):
        services.place_add(project=staffing, actor=lab.coordinator, user=lab.mentees[1], role="boss")


def test_swap_and_remove_keep_the_ledger_right(lab, staffing):
    services.team_match(project=staffing, actor=lab.coordinator)
    services.team_publish(project=staffing, actor=lab.coordinator)
    place = staffing.places.filter(role="mentee", status=PlaceStatus.PUBLISHED).first()
    outgoing = place.user
    newcomer = next(u for u in lab.mentees if not staffing.places.filter(user=u).exists())
    assert OpportunityEntry.objects.filter(user=outgoing, source=staffing.context).exists()
    swapped = services.place_swap(project=staffing, actor=lab.coordinator, place_id=place.pk, user=newcomer)
    assert swapped.role == "mentee" and swapped.status == PlaceStatus.PROPOSED
    assert not TeamPlace.objects.filter(pk=place.pk).exists()
    assert not OpportunityEntry.objects.filter(user=outgoing, source=staffing.context).exists()
    services.place_remove(project=staffing, actor=lab.coordinator, place_id=swapped.pk)
    assert not staffing.places.filter(user=newcomer).exists()
    with pytest.raises(InvalidInput, match="no place"):
        services.place_remove(project=staffing, actor=lab.coordinator, place_id=swapped.pk)


def test_only_while_staffing(lab):
    project = services.help_request_accept(help_request=lab.request(), actor=lab.coordinator)
    with pytest.raises(Conflict, match="staffing"):
        services.place_add(project=project, actor=lab.coordinator, user=lab.mentees[0], role="mentee")


def test_team_page_add_swap_remove(lab, staffing):
    client = _client(lab.coordinator)
    url = reverse("projects:team", args=[staffing.pk])
    page = client.get(url).content.decode()
    assert "Add a person by hand" in page and "Mentee 0" in page
    res = client.post(reverse("projects:place_add", args=[staffing.pk]), {"user": lab.mentees[0].pk, "role": "mentee"})
    assert res.status_code == 302
    place = staffing.places.get(user=lab.mentees[0])
    page = client.get(url).content.decode()
    assert "Mentee 0 is proposed as mentee" in page and f'id="swap-{place.pk}"' in page
    client.post(reverse("projects:place_swap", args=[staffing.pk, place.pk]), {"user": lab.mentees[1].pk})
    assert staffing.places.filter(user=lab.mentees[1], role="mentee").exists()
    place = staffing.places.get(user=lab.mentees[1])
    client.post(reverse("projects:place_remove", args=[staffing.pk, place.pk]))
    assert not staffing.places.exists()
    res = client.post(reverse("projects:place_add", args=[staffing.pk]), {"user": lab.requester.pk, "role": "mentee"})
    assert "Choose a person and a role." in client.get(url).content.decode()


def test_namesakes_are_told_apart_in_the_picker(lab, staffing):
    for org in ("City General", "St Mary's"):
        twin = UserFactory(email=f"alex.{org[:3].lower()}@example.com", name="Alex Kim")
        twin.profile.organisation = org
        twin.profile.save()
        MembershipFactory(community=lab.community, user=twin, role=Role.MEMBER)
    page = _client(lab.coordinator).get(reverse("projects:team", args=[staffing.pk])).content.decode()
    assert "Alex Kim (City General)" in page and "Alex Kim (St Mary&#x27;s)" in page


def test_api_add_swap_remove(lab, staffing):
    client = _client(lab.coordinator)
    base = f"/api/v1/projects/{staffing.pk}/team/places"
    res = client.post(base, {"user_id": lab.mentees[0].pk, "role": "mentee"}, content_type="application/json")
    assert res.status_code == 201, res.content
    body = res.json()
    assert [p["user_id"] for p in body["places"]] == [lab.mentees[0].pk]
    assert body["uncovered_skills"] == ["python", "sql"]
    place_id = body["places"][0]["id"]
    res = client.post(f"{base}/{place_id}/swap", {"user_id": lab.mentees[1].pk}, content_type="application/json")
    assert res.status_code == 200 and res.json()["places"][0]["user_id"] == lab.mentees[1].pk
    place_id = res.json()["places"][0]["id"]
    assert client.delete(f"{base}/{place_id}").json()["places"] == []
    res = client.post(base, {"user_id": 999999, "role": "mentee"}, content_type="application/json")
    assert res.status_code == 400 and res.json()["code"] == "invalid"
    res = client.post(base, {"user_id": lab.mentees[0].pk, "role": "x"}, content_type="application/json")
    assert res.status_code == 400
