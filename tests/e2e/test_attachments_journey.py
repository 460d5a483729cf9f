"""A coordinator attaches an agenda PDF and an image (with alt text) to a session; a member sees the
image inline with its alt text and downloads the PDF; an outsider cannot; a file of the wrong kind
and one over the limit are refused with a clear message and the form kept. axe-core runs on every
page, at desktop and 390 px; the upload form is used from the keyboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from convene.attachments.models import Attachment
from convene.communities.models import Role
from convene.convening.models import ActivityType
from convene.convening.services import invitation_add, session_create, session_transition

from ..attachments.files import PDF, png_bytes
from ..factories import CommunityFactory, MembershipFactory, UserFactory


def _file(name: str, content: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


@pytest.mark.django_db(transaction=True)
def test_session_files_from_upload_to_download(journey, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    j = journey
    community = CommunityFactory(slug="psy", name="Psychiatry network")
    cora = UserFactory(email="cora@example.com", name="Cora Okafor")
    mia = UserFactory(email="mia@example.com", name="Mia Member")
    olive = UserFactory(email="olive@example.com", name="Olive Outsider")
    MembershipFactory(community=community, user=cora, role=Role.COORDINATOR)
    MembershipFactory(community=community, user=mia, role=Role.MEMBER)
    session = session_create(
        host=community,
        actor=cora,
        activity=ActivityType.objects.get(slug="open-discussion"),
        title="Crisis line review",
        starts_at=timezone.now() + timedelta(days=3),
    )
    invitation_add(session=session, actor=cora, user=mia)
    session_transition(session=session, actor=cora, to="invitations_sent")
    page_path = f"/sessions/{session.pk}/"

    # 1. Cora attaches the agenda, by keyboard after choosing the file
    j.login(cora)
    j.go(page_path)
    j.expect_text("No files yet")
    j.page.set_input_files("#attach-session-file", _file("Agenda.pdf", PDF, "application/pdf"))
    j.page.focus("#attach-session-alt_text")
    j.page.keyboard.press("Tab")
    assert j.page.evaluate("document.activeElement.textContent").strip() == "Add the file"
    j.page.keyboard.press("Enter")
    j.page.wait_for_url(lambda url: url.endswith("#attachments"))
    j.check()
    j.expect_text("“Agenda.pdf” is attached.")

    # 2. An image without alt text: refused, said clearly, the form kept on its own page
    j.page.set_input_files("#attach-session-file", _file("room.png", png_bytes(), "image/png"))
    j.submit("Add the file")
    j.expect_text("Describe the image in a few words (alt text)")
    j.page.set_input_files("#attach-file", _file("room.png", png_bytes(), "image/png"))
    j.page.fill("#attach-alt_text", "Floor plan of the seminar room")
    j.submit("Add the file")
    j.expect_text("“room.png” is attached.")

    # 3. A PNG named .pdf, then a file over the limit: clear messages, the alt text typed is kept
    j.page.set_input_files("#attach-session-file", _file("minutes.pdf", png_bytes(), "application/pdf"))
    j.submit("Add the file")
    j.expect_text("its contents are a PNG image")
    settings.CONVENE_ATTACHMENT_MAX_BYTES = 200
    j.page.set_input_files("#attach-file", _file("slides.pdf", PDF + b"0" * 1000, "application/pdf"))
    j.page.fill("#attach-alt_text", "kept")
    j.submit("Add the file")
    j.expect_text("a file can be at most 200")
    assert j.page.input_value("#attach-alt_text") == "kept"
    settings.CONVENE_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    assert Attachment.objects.filter(session=session).count() == 2

    # 4. Mia sees the image inline with its alt text and downloads the agenda
    j.login(mia)
    j.go(page_path)
    image = j.page.get_by_role("img", name="Floor plan of the seminar room")
    image.wait_for()
    assert j.page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    assert j.page.locator("#attach-session-file").count() == 0  # members do not add to sessions
    with j.page.expect_download() as download_info:
        j.page.get_by_role("link", name="Agenda.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Agenda.pdf"
    assert Path(download.path()).read_bytes() == PDF

    # 5. At 390 px the files fit and pass axe
    j.page.set_viewport_size({"width": 390, "height": 844})
    j.go(page_path)
    assert j.page.evaluate("document.scrollingElement.scrollWidth") <= 390
    j.login(cora)
    j.go(page_path)
    assert j.page.evaluate("document.scrollingElement.scrollWidth") <= 390

    # 6. Olive, outside the community, gets nothing from the file's address
    agenda = Attachment.objects.get(session=session, kind="pdf")
    j.login(olive)
    response = j.page.request.get(j.base_url + f"/files/{agenda.key}/")
    assert response.status == 404
    assert PDF not in response.body()
