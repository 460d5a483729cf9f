"""/api/v1/attachments: list, upload (multipart), download, delete; errors as JSON with their status."""

from __future__ import annotations

import pytest

from convene.attachments.services import attachment_add

from ..conftest import ApiClient
from .files import PDF, pdf, png, png_bytes, upload

pytestmark = pytest.mark.django_db


def _upload(client: ApiClient, kind, pk, **data):
    return client.client.post(f"/api/v1/attachments/on/{kind}/{pk}", data, **client.headers)


def test_upload_list_download_delete(world, parents, media):
    coordinator = ApiClient(world.users["coordinator"])
    session = parents["session"]
    made = _upload(coordinator, "session", session.pk, file=pdf("Slides.pdf"))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["filename"] == "Slides.pdf" and body["content_type"] == "application/pdf"
    assert body["uploaded_by"] == world.users["coordinator"].display_name
    assert "stored_name" not in body and body["parent"] == {"kind": "session", "id": session.pk}
    assert [p.read_bytes() for p in (media / "attachments").iterdir()] == [PDF]

    member = ApiClient(world.users["member"])
    listed = member.get(f"/attachments/on/session/{session.pk}")
    assert listed.status_code == 200 and [a["key"] for a in listed.json()] == [body["key"]]
    download = member.get(f"/attachments/files/{body['key']}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"

    assert member.call("DELETE", f"/attachments/files/{body['key']}").status_code == 403
    assert coordinator.call("DELETE", f"/attachments/files/{body['key']}").status_code == 204
    assert member.get(f"/attachments/files/{body['key']}").status_code == 404


def test_oversize_is_413_json(world, parents, media, settings):
    settings.CONVENE_ATTACHMENT_MAX_BYTES = 1000
    client = ApiClient(world.users["coordinator"])
    response = _upload(client, "session", parents["session"].pk, file=upload("big.pdf", PDF + b"0" * 5000))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "big.pdf" in response.json()["detail"]


def test_far_oversize_is_refused_before_reading(world, parents, media, settings):
    settings.CONVENE_ATTACHMENT_MAX_BYTES = 1000
    client = ApiClient(world.users["coordinator"])
    response = _upload(client, "session", parents["session"].pk, file=upload("huge.pdf", PDF + b"0" * 200_000))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not (media / "attachments").exists()


def test_larger_than_the_json_limit_but_within_the_file_limit(world, parents, media, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # JSON bodies: 1000 bytes; files follow their own limit
    client = ApiClient(world.users["coordinator"])
    response = _upload(client, "session", parents["session"].pk, file=upload("long.pdf", PDF + b"0" * 20_000))
    assert response.status_code == 201


def test_wrong_type_is_415_json(world, parents, media):
    client = ApiClient(world.users["coordinator"])
    response = _upload(client, "session", parents["session"].pk, file=upload("agenda.pdf", png_bytes()))
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type" and "PNG" in response.json()["detail"]


def test_image_without_alt_text_is_422_json(world, parents, media):
    client = ApiClient(world.users["coordinator"])
    response = _upload(client, "project", parents["project"].pk, file=png())
    assert response.status_code == 422 and "alt text" in response.json()["detail"]
    response = _upload(client, "project", parents["project"].pk, file=png(), alt_text="Ward map")
    assert response.status_code == 201 and response.json()["image"] is True


def test_missing_file_and_unknown_kind_are_422(world, parents, media):
    client = ApiClient(world.users["coordinator"])
    assert _upload(client, "session", parents["session"].pk, alt_text="x").status_code == 422
    assert client.get("/attachments/on/community/1").status_code == 422


def test_json_bodies_are_still_refused_on_uploads(world, parents, media):
    client = ApiClient(world.users["coordinator"])
    response = client.post(f"/attachments/on/session/{parents['session'].pk}", {"file": "x"})
    assert response.status_code == 422 and set(response.json()) == {"detail", "code"}


def test_anonymous_response_lists_no_uploader(world, parents, media):
    attachment_add(parent=parents["anonymous"], uploader=world.users["coordinator"], file=pdf())
    listed = ApiClient(world.users["member"]).get(f"/attachments/on/response/{parents['anonymous'].pk}")
    assert listed.status_code == 200 and listed.json()[0]["uploaded_by"] is None


def test_a_guessed_key_is_404_json(world, parents, media):
    response = ApiClient(world.users["member"]).get("/attachments/files/" + "A" * 32)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("alt", "status"),
    [
        ("Plan du service — 病房平面图 👩‍⚕️", 201),
        ("bell\x07 and escape\x1b", 400),
        ("a\x00b", 400),
        ("y" * 300, 201),
        ("y" * 301, 400),
    ],
)
def test_alt_text_takes_unicode_and_refuses_bad_text_clearly(world, parents, media, alt, status):
    client = ApiClient(world.users["coordinator"])
    response = _upload(client, "project", parents["project"].pk, file=png(), alt_text=alt)
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["alt_text"] == alt.strip()
    else:
        assert set(response.json()) == {"detail", "code"} and "Alt text" in response.json()["detail"]
