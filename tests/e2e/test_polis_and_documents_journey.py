"""A coordinator imports a Pol.is conversation from the web page (and seeds statements from a CSV);
a requester downloads the delivered response as a PDF from the tracking page. Axe after every page,
at desktop and phone width."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.deliberation import services
from convene.deliberation.models import JointResponse, Phase

from ..factories import CommunityFactory, MembershipFactory, UserFactory

SEATTLE = Path(__file__).resolve().parents[2].parent / "shared/data/polis/15-per-hour-seattle"
SMALL = {
    "comments.csv": "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    + "".join(f"17000000000{i:02d},x,{i},{i},0,0,1,View number {i}\n" for i in range(8)),
    "votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n"
    + "".join(
        f"17000001{p:02d}{s:03d},x,{s},{p},{1 if (s < 4) == (p < 6) else -1}\n" for p in range(12) for s in range(8)
    ),
}


def _export_files(tmp_path: Path) -> list[str]:
    if SEATTLE.is_dir():
        return [str(SEATTLE / n) for n in ("comments.csv", "votes.csv", "participants-votes.csv")]
    paths = []
    for name, text in SMALL.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    return paths


def _narrow(j):
    j.page.set_viewport_size({"width": 390, "height": 844})
    j.check()
    assert j.page.evaluate("document.scrollingElement.scrollWidth") <= 390, j.page.url
    j.page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_coordinator_imports_a_polis_conversation_and_seeds_statements(journey, tmp_path):
    j = journey
    psy = CommunityFactory(slug="psy", name="Psychiatry Network")
    coordinator = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    j.login(coordinator)

    j.go("/c/psy/responses/")
    j.click(j.page.get_by_role("link", name="Import a Pol.is conversation"))
    j.expect_text("Pol.is participants are numbers, not people")
    _narrow(j)
    # a file that is not an export: a plain message on the form, nothing created
    bad = tmp_path / "notes.zip"
    bad.write_bytes(b"these are not the files you are looking for")
    j.page.get_by_label("Title").fill("Minimum wage conversation")
    j.page.get_by_label("Pol.is export").set_input_files(str(bad))
    j.submit("Import")
    j.expect_text("not a readable zip file")
    assert not JointResponse.objects.filter(title="Minimum wage conversation").exists()
    # the export's CSV files chosen together
    j.page.get_by_label("Title").fill("Minimum wage conversation")
    j.page.get_by_label("Pol.is export").set_input_files(_export_files(tmp_path))
    j.submit("Import")
    j.expect_text("Imported from a Pol.is export")
    response = JointResponse.objects.get(title="Minimum wage conversation")
    assert j.page.url.endswith(f"/responses/{response.pk}/map/")
    assert response.anonymous and response.statements.count() > 5
    j.expect_text("Group")

    # seed more statements from a CSV
    j.go(f"/responses/{response.pk}/moderation/")
    j.click(j.page.get_by_role("link", name="Seed statements from a CSV file"))
    seed = tmp_path / "seed.csv"
    seed.write_text("statement\nSmall shops need a slower phase-in\nTips should not count towards the wage\n")
    j.page.get_by_label("Statements (CSV)").set_input_files(str(seed))
    _narrow(j)
    j.submit("Add the statements")
    j.expect_text("2 statements added")
    assert response.statements.filter(text="Small shops need a slower phase-in", state="accepted").exists()


def _deliver(psy, sw, coordinator, members) -> str:
    request = services.opinion_request_submit(
        community=psy,
        requester_name="Ada Requester",
        organisation="Health Board",
        contact="ada@board.example",
        question="How should discharge letters work?",
        deadline=date.today() + timedelta(days=60),
    )
    now = timezone.now()
    response = services.opinion_request_accept(
        opinion_request=request, actor=coordinator, title="Discharge letters", gathering_ends=now + timedelta(days=7)
    )
    services.response_update(
        response=response,
        actor=coordinator,
        communities=[sw],
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    services.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    statements = [
        services.statement_submit(response=response, user=coordinator, text=f"Discharge view {i}") for i in range(4)
    ]
    for i, user in enumerate(members):
        for k, s in enumerate(statements):
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=1 if (k < 2) == (i < 5) else -1)
    services.response_transition(response=response, actor=coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    services.draft_save(
        response=response,
        user=coordinator,
        text="# Discharge letters\n\n1. **Send** the letter within a day\n2. Call the [community team](https://example.org)\n",
        base_version=response.draft_version,
    )
    services.response_transition(response=response, actor=coordinator, to=Phase.ENDORSEMENT)
    services.endorsement_cast(response=response, user=members[0], stance="endorse")
    services.response_transition(response=response, actor=coordinator, to=Phase.DELIVERED)
    return request.token


@pytest.mark.django_db(transaction=True)
def test_requester_downloads_the_delivered_pdf(journey):
    j = journey
    psy = CommunityFactory(slug="psy", name="Psychiatry Network")
    sw = CommunityFactory(slug="sw", name="Social Work Circle")
    coordinator = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    members = []
    for i in range(10):
        user = UserFactory(email=f"member{i}@example.com", name=f"Member {i}")
        MembershipFactory(community=psy if i < 5 else sw, user=user, role=Role.MEMBER)
        members.append(user)
    token = _deliver(psy, sw, coordinator, members)

    j.go(f"/opinion-requests/{token}/")
    j.expect_text("The community's response")
    _narrow(j)
    with j.page.expect_download() as info:
        j.page.get_by_role("link", name="PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    # members find the same PDF beside the other formats on the final document page
    j.login(members[0])
    j.go("/c/psy/responses/")
    response = JointResponse.objects.get(title="Discharge letters")
    j.go(f"/responses/{response.pk}/final/")
    link = j.page.get_by_role("link", name="PDF")
    assert link.get_attribute("href") == f"/responses/{response.pk}/final.pdf"
