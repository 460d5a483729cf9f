"""The pages: download after authorizing the parent, the upload form, removal; the parent pages' panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convene.attachments.services import attachment_add

from .files import PDF, pdf, png, png_bytes, upload

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_a_member_downloads_a_pdf_as_an_attachment(world, parents, media):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf("Agenda.pdf"))
    response, body = _get(world.client("member"), reverse("attachments:download", args=[added.key]))
    assert response.status_code == 200 and body == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "Agenda.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_an_image_is_inline_with_its_own_type(world, parents, media):
    added = attachment_add(
        parent=parents["project"], uploader=world.users["coordinator"], file=png("chart.png"), alt_text="Bed chart"
    )
    response, body = _get(world.client("guest"), reverse("attachments:download", args=[added.key]))
    assert response.status_code == 200 and body == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_text_is_never_served_as_html(world, parents, media):
    added = attachment_add(
        parent=parents["thread"], uploader=world.users["member"], file=upload("notes.md", b"# Notes\n<b>hi</b>\n")
    )
    response, _ = _get(world.client("member"), reverse("attachments:download", args=[added.key]))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")


def test_outsiders_and_guessers_get_nothing(world, parents, media):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf())
    url = reverse("attachments:download", args=[added.key])
    assert world.client("outsider").get(url).status_code == 404
    assert world.client("guest").get(url).status_code == 404  # guests do not see this session
    assert world.client("anonymous").get(url).status_code == 302  # to the login page
    guessed = added.key[:-1] + ("A" if added.key[-1] != "A" else "B")
    assert world.client("member").get(reverse("attachments:download", args=[guessed])).status_code == 404
    thread_file = attachment_add(parent=parents["thread"], uploader=world.users["member"], file=pdf())
    thread_url = reverse("attachments:download", args=[thread_file.key])
    assert world.client("guest").get(thread_url).status_code == 403  # as the thread itself


def test_the_media_folder_is_not_served(world, parents, media, client):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf())
    client.force_login(world.users["member"])
    for guess in (f"/media/{added.stored_name}", f"/{added.stored_name}", f"/static/{added.stored_name}"):
        assert client.get(guess).status_code == 404


def test_a_missing_stored_file_is_404_not_500(world, parents, media):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf())
    (media / added.stored_name).unlink()
    assert world.client("member").get(reverse("attachments:download", args=[added.key])).status_code == 404


def test_the_session_page_shows_files_and_the_form_to_coordinators(world, parents, media):
    attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf("Agenda.pdf"))
    attachment_add(
        parent=parents["session"], uploader=world.users["coordinator"], file=png("room.png"), alt_text="The room plan"
    )
    url = reverse("convening:session", args=[parents["session"].pk])
    page = world.client("member").get(url).content.decode()
    assert "Agenda.pdf" in page and 'alt="The room plan"' in page
    assert 'enctype="multipart/form-data"' not in page  # members do not add to sessions
    page = world.client("coordinator").get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page


def test_parent_pages_carry_the_panel(world, parents, media):
    client = world.client("coordinator")
    for name, kind in (
        ("deliberation:detail", "response"),
        ("projects:detail", "project"),
        ("discussions:thread", "thread"),
    ):
        attachment_add(parent=parents[kind], uploader=world.users["coordinator"], file=pdf(f"{kind}.pdf"))
        page = client.get(reverse(name, args=[parents[kind].pk])).content.decode()
        assert f"{kind}.pdf" in page and 'id="attachments"' in page


def test_anonymous_response_page_names_no_uploader(world, parents, media):
    attachment_add(parent=parents["anonymous"], uploader=world.users["coordinator"], file=pdf("paper.pdf"))
    page = world.client("member").get(reverse("deliberation:detail", args=[parents["anonymous"].pk])).content.decode()
    assert "paper.pdf" in page and "added by" not in page


def test_upload_through_the_page_writes_the_file(world, parents, media):
    url = reverse("attachments:add", args=["session", parents["session"].pk])
    response = world.client("coordinator").post(url, {"file": pdf("Minutes.pdf"), "alt_text": ""})
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    assert [p.read_bytes() for p in (media / "attachments").iterdir()] == [PDF]


def test_wrong_type_keeps_the_form_with_a_clear_message(world, parents, media):
    url = reverse("attachments:add", args=["project", parents["project"].pk])
    response = world.client("coordinator").post(url, {"file": upload("chart.pdf", png_bytes()), "alt_text": "Kept"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "its contents are a PNG image" in page and 'value="Kept"' in page
    assert not (media / "attachments").exists()


def test_image_without_alt_text_is_refused_on_the_page(world, parents, media):
    url = reverse("attachments:add", args=["project", parents["project"].pk])
    response = world.client("coordinator").post(url, {"file": png(), "alt_text": ""})
    assert response.status_code == 400 and "alt text" in response.content.decode()


def test_oversize_on_the_page(world, parents, media, settings):
    settings.CONVENE_ATTACHMENT_MAX_BYTES = 100
    url = reverse("attachments:add", args=["project", parents["project"].pk])
    response = world.client("coordinator").post(url, {"file": upload("big.pdf", PDF + b"0" * 500), "alt_text": ""})
    assert response.status_code == 400 and "at most 100" in response.content.decode().replace("\xa0", " ")


def test_remove_by_the_page(world, parents, media, django_capture_on_commit_callbacks):
    added = attachment_add(parent=parents["thread"], uploader=world.users["member"], file=pdf())
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("member").post(reverse("attachments:remove", args=[added.key]))
    assert response.status_code == 302
    assert list((media / "attachments").iterdir()) == []
