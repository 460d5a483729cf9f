"""Pol.is import and statement seeding through the pages and the API: coordinators only, hostile
uploads refused with a clear 400 (422 for a malformed API body), never a 500; the API answers JSON."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from convene.deliberation.models import JointResponse, Statement

from ..conftest import ApiClient

COMMENTS = (
    b"timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    b"1700000000000,x,0,1,2,0,1,Buses should run later\n"
    b"1700000000001,x,1,2,0,1,0,Fares should fall\n"
    b"1700000000002,x,2,2,0,0,-1,Spam\n"
)
VOTES = (
    b"timestamp,datetime,comment-id,voter-id,vote\n"
    b"1700000001000,x,0,1,1\n1700000001001,x,0,2,1\n1700000001002,x,1,2,-1\n1700000001003,x,1,3,0\n"
)
PV = b"participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n1,a,,1,1,1,0,1,,\n2,b,,2,2,1,1,1,-1,\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _upload(name: str, data: bytes, kind: str = "application/zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


def test_coordinator_imports_a_zip_from_the_page(boundary):
    b = boundary
    c = _client(b.coordinator)
    listing = c.get("/c/psy/responses/")
    assert b'href="/c/psy/responses/import/"' in listing.content
    page = c.get("/c/psy/responses/import/")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content
    archive = _zip({"export/comments.csv": COMMENTS, "export/votes.csv": VOTES, "export/participants-votes.csv": PV})
    r = c.post("/c/psy/responses/import/", {"title": "Buses", "export": _upload("polis.zip", archive)})
    response = JointResponse.objects.get(title="Buses")
    assert r.status_code == 302 and r["Location"] == f"/responses/{response.pk}/map/"
    assert response.anonymous and Statement.objects.filter(response=response).count() == 3
    assert c.get(r["Location"]).status_code == 200


def test_the_csv_files_can_be_uploaded_together(boundary):
    c = _client(boundary.coordinator)
    files = [_upload("comments.csv", COMMENTS, "text/csv"), _upload("participants-votes.csv", PV, "text/csv")]
    r = c.post("/c/psy/responses/import/", {"title": "From CSVs", "export": files})
    assert r.status_code == 302
    response = JointResponse.objects.get(title="From CSVs")
    assert response.votes.count() == 3


def _bomb() -> bytes:
    return _zip({"votes.csv": b"0" * 20_000_000, "comments.csv": COMMENTS})


@pytest.mark.parametrize(
    "files, message",
    [
        ([_upload("polis.zip", b"not a zip")], "not a readable zip"),
        ([_upload("polis.zip", _bomb())], "zip bomb"),
        ([_upload("comments.csv", COMMENTS, "text/csv")], "needs votes.csv or participants-votes.csv"),
        (
            [_upload("comments.csv", COMMENTS, "text/csv"), _upload("votes.csv", b"comment-id,voter-id,vote\n0,1,7\n")],
            "unknown vote value",
        ),
        ([_upload("comments.csv", b"\xff\xfe\xfa\x00", "text/csv"), _upload("votes.csv", VOTES)], "not UTF-8"),
        ([_upload("a.csv", COMMENTS, "text/csv"), _upload("A.CSV", VOTES, "text/csv")], "same name"),
    ],
)
def test_hostile_uploads_get_a_clear_400(boundary, files, message):
    c = _client(boundary.coordinator)
    r = c.post("/c/psy/responses/import/", {"title": "Hostile", "export": files})
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not JointResponse.objects.filter(title="Hostile").exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(boundary, settings):
    settings.CONVENE_POLIS_UPLOAD_MAX_BYTES = 1000
    c = _client(boundary.coordinator)
    r = c.post("/c/psy/responses/import/", {"title": "Big", "export": _upload("polis.zip", b"x" * 5000)})
    assert r.status_code == 400 and "too large" in r.content.decode()


def test_members_cannot_import(boundary):
    c = _client(boundary.members[0])
    assert c.get("/c/psy/responses/import/").status_code == 403
    assert b"import/" not in c.get("/c/psy/responses/").content


def test_api_imports_base64_zip_or_csv_texts(boundary):
    api = ApiClient(boundary.coordinator)
    archive = base64.b64encode(_zip({"comments.csv": COMMENTS, "votes.csv": VOTES})).decode()
    r = api.call("POST", "/deliberation/communities/psy/responses/import-polis", {"title": "Z", "zip_base64": archive})
    assert r.status_code == 201, r.content
    assert r.json()["anonymous"] is True and r.json()["state"] == "draft"
    files = {"comments.csv": COMMENTS.decode(), "participants-votes.csv": PV.decode()}
    r = api.call("POST", "/deliberation/communities/psy/responses/import-polis", {"title": "F", "files": files})
    assert r.status_code == 201, r.content


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"title": "X", "zip_base64": "@@not base64@@"}, 400, "not valid base64"),
        ({"title": "X", "zip_base64": base64.b64encode(b"nope").decode()}, 400, "not a readable zip"),
        ({"title": "X"}, 400, "either as zip_base64 or as files"),
        ({"title": "X", "files": {"votes.csv": "comment-id,voter-id,vote\n"}}, 400, "comments.csv is missing"),
        ({"title": "X", "files": "comments.csv"}, 422, ""),
        ({"zip_base64": "AAAA"}, 422, ""),
    ],
)
def test_api_refuses_bad_imports_in_json(boundary, body, status, message):
    r = ApiClient(boundary.coordinator).call("POST", "/deliberation/communities/psy/responses/import-polis", body)
    assert r.status_code == status and r["Content-Type"].startswith("application/json")
    assert message in str(r.json()["detail"])


def test_api_import_is_for_coordinators(boundary):
    body = {"title": "X", "files": {"comments.csv": COMMENTS.decode(), "votes.csv": VOTES.decode()}}
    r = ApiClient(boundary.members[0]).call("POST", "/deliberation/communities/psy/responses/import-polis", body)
    assert r.status_code == 403 and r.json()["detail"]


def test_seed_page_and_api(boundary):
    b = boundary
    response = b.open_response()
    c = _client(b.coordinator)
    assert (
        f'href="/responses/{response.pk}/statements/seed/"'.encode()
        in c.get(f"/responses/{response.pk}/moderation/").content
    )
    r = c.post(
        f"/responses/{response.pk}/statements/seed/",
        {"file": _upload("s.csv", b"statement\nOne\nTwo\n", "text/csv")},
    )
    assert r.status_code == 302 and Statement.objects.filter(response=response, state="accepted").count() == 2
    bad = c.post(f"/responses/{response.pk}/statements/seed/", {"file": _upload("s.csv", b"x" * 300, "text/csv")})
    assert bad.status_code == 400 and "line(s) 1" in bad.content.decode()
    api = ApiClient(b.coordinator)
    r = api.call("POST", f"/deliberation/responses/{response.pk}/statements/seed", {"csv": "Three\nFour\n"})
    assert r.status_code == 201 and r.json()["added"] == 2 and len(r.json()["statement_ids"]) == 2
    r = api.call("POST", f"/deliberation/responses/{response.pk}/statements/seed", {"csv": "Three\n"})
    assert r.status_code == 409 and r["Content-Type"].startswith("application/json")
    r = ApiClient(b.members[0]).call("POST", f"/deliberation/responses/{response.pk}/statements/seed", {"csv": "Y\n"})
    assert r.status_code == 403
