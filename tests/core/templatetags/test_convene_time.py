"""Times on pages carry their zone: the viewer's for ordinary times, the session's and the viewer's
for a session's start."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.template import engines
from django.utils import timezone

from convene.core.templatetags.convene_time import session_when

UTC = ZoneInfo("UTC")


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load convene_time %}" + source).render(context)


def test_zoned_shows_the_active_zone_and_its_name():
    moment = datetime(2030, 1, 15, 14, 0, tzinfo=UTC)
    with timezone.override("Asia/Singapore"):
        assert render('{{ t|zoned:"j M Y H:i" }}', t=moment) == "15 Jan 2030 22:00 (Asia/Singapore)"
    with timezone.override("America/Argentina/Buenos_Aires"):
        assert render("{{ t|zoned }}", t=moment) == "15 January 2030, 11:00 (America/Argentina/Buenos_Aires)"


def test_zoned_leaves_missing_values_empty():
    assert render('{{ t|zoned|default:"never" }}', t=None) == "never"


class FakeSession:
    time_zone = "Europe/London"
    starts_at = datetime(2030, 1, 15, 14, 0, tzinfo=UTC)
    ends_at = datetime(2030, 1, 15, 15, 30, tzinfo=UTC)
    local_start = starts_at.astimezone(ZoneInfo("Europe/London"))
    local_end = ends_at.astimezone(ZoneInfo("Europe/London"))


def test_session_time_in_its_own_zone_and_the_viewers():
    with timezone.override("Asia/Singapore"):
        text = session_when(FakeSession(), end=True)
    assert text == (
        "Tuesday 15 January 2030, 14:00 – 15:30 (Europe/London); "
        "your time: Tuesday 15 January 2030, 22:00 – 23:30 (Asia/Singapore)"
    )


def test_session_time_once_when_the_viewer_shares_its_zone():
    with timezone.override("Europe/London"):
        assert session_when(FakeSession()) == "Tuesday 15 January 2030, 14:00 (Europe/London)"
