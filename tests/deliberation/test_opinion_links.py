"""Requests for opinion (issue 17, point 7): tracking links replaced and expiring, the real client
address behind trusted proxies, and CSV exports that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from convene.communities.models import AuditEntry
from convene.core.clients import client_address
from convene.core.spreadsheet import spreadsheet_safe
from convene.deliberation import exports, services
from convene.deliberation.models import JointResponse, OpinionRequest, Phase
from convene.deliberation.permissions import throttle
from convene.deliberation.services import RateLimited

pytestmark = pytest.mark.django_db


def _request(world, **kw):
    return OpinionRequest.objects.create(
        community=world.private,
        requester_name="Ada",
        organisation="Health Board",
        contact="ada@example.org",
        question="What do you think?",
        deadline=timezone.localdate() + timedelta(days=30),
        **kw,
    )


def test_coordinators_replace_the_tracking_link_and_the_old_one_stops_working(
    world, django_capture_on_commit_callbacks
):
    req = _request(world)
    old = req.token
    assert Client().get(f"/opinion-requests/{old}/").status_code == 200
    coordinator = world.client("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"/c/priv/opinion-requests/{req.pk}/relink/")
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.token != old and req.link_renewed_at is not None
    assert Client().get(f"/opinion-requests/{old}/").status_code == 404
    assert Client().get(f"/opinion-requests/{req.token}/").status_code == 200
    assert req.token in mail.outbox[-1].body and mail.outbox[-1].to == ["ada@example.org"]
    assert AuditEntry.objects.filter(action="tracking_link_replaced", subject=f"opinion_request:{req.pk}").exists()
    assert world.client("member").post(f"/c/priv/opinion-requests/{req.pk}/relink/").status_code == 403


def test_the_tracking_link_expires_after_delivery(world, settings):
    settings.CONVENE_OPINION_TRACKING_DAYS = 30
    response = JointResponse.objects.create(
        community=world.private, title="R", created_by=world.users["coordinator"], state=Phase.DELIVERED
    )
    req = _request(world, response=response, status="delivered")
    JointResponse.objects.filter(pk=response.pk).update(delivered_at=timezone.now() - timedelta(days=29))
    assert Client().get(f"/opinion-requests/{req.token}/").status_code == 200
    JointResponse.objects.filter(pk=response.pk).update(delivered_at=timezone.now() - timedelta(days=31))
    page = Client().get(f"/opinion-requests/{req.token}/")
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert Client().get(f"/opinion-requests/{req.token}/response.md").status_code == 410
    api = Client().get(f"/api/v1/deliberation/opinion-requests/{req.token}")
    assert api.status_code == 410 and api.json()["code"] == "link_expired"
    services.opinion_request_relink(opinion_request=req, actor=world.users["coordinator"])
    req.refresh_from_db()
    assert Client().get(f"/opinion-requests/{req.token}/").status_code == 200  # a new period from the renewal


def test_the_api_replaces_the_link(world, api):
    req = _request(world)
    answer = api("coordinator").post(f"/deliberation/communities/priv/opinion-requests/{req.pk}/relink")
    assert answer.status_code == 200
    assert OpinionRequest.objects.get(pk=req.pk).token != req.token


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("10.0.0.2", "203.0.113.9", [], "10.0.0.2"),  # no trusted proxies: the header is ignored
        ("198.51.100.7", "203.0.113.9", ["10.0.0.0/8"], "198.51.100.7"),  # not from our proxy: ignored
        ("10.0.0.2", "203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),  # client-written left part ignored
        ("10.0.0.2", "203.0.113.9, 10.0.0.5", ["10.0.0.0/8"], "203.0.113.9"),  # two trusted hops
        ("10.0.0.2", "garbage, 10.0.0.5", ["10.0.0.0/8"], "10.0.0.5"),
        ("10.0.0.2", "", ["10.0.0.2"], "10.0.0.2"),
        ("::1", "2001:db8::1", ["::1"], "2001:db8::1"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_public_form_limit_keys_on_the_client_not_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.CONVENE_OPINION_REQUESTS_PER_HOUR = 2
    cache.clear()

    def ask(client_ip, spoof=""):
        forwarded = f"{spoof}, {client_ip}" if spoof else client_ip
        throttle(RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded))

    ask("203.0.113.1")
    ask("203.0.113.1")
    with pytest.raises(RateLimited):
        ask("203.0.113.1", spoof="9.9.9.9")  # a forged left-hand entry does not reset the count
    ask("203.0.113.2")  # another client behind the same proxy is not locked out


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe_neutralises_formulas(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-1", "+3.5", "12", "plain", "", None])
def test_spreadsheet_safe_leaves_numbers_and_text(cell):
    assert spreadsheet_safe(cell) == ("" if cell is None else cell)


def test_polis_export_neutralises_formulas_in_statements(boundary):
    response = boundary.open_response()
    statement = boundary.statement(response, '=HYPERLINK("http://evil","click")')
    services.statement_moderate(statement=statement, actor=boundary.coordinator, decision="accept")
    with zipfile.ZipFile(io.BytesIO(exports.polis_zip(response))) as archive:
        name = next(n for n in archive.namelist() if n.endswith("comments.csv"))
        rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
    texts = [row[-1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil","click")' in texts
    assert not any(t[:1] in "=+-@" for t in texts if t)
