"""Facilitators tell namesakes apart on the speaking queue and the attendance page, with the
labels used wherever people are picked or listed (issue 18.4)."""

from __future__ import annotations

from django.urls import reverse

from convene.convening import selectors, services

from ..conftest import person


def _namesakes(world, engagement):
    a = person("sam.a@example.com", world.public, name="Sam Okafor", discipline="Nurse")
    b = person("sam.b@example.com", world.private, name="Sam Okafor", discipline="Social worker")
    coordinator = world.users["coordinator"]
    for user in (a, b):
        services.invitation_add(session=engagement, actor=coordinator, user=user)
    services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")
    session = services.session_transition(session=engagement, actor=coordinator, to="in_progress")
    for user in (a, b):
        services.attendance_mark(session=session, actor=coordinator, user=user, present=True)
    return a, b, session


def test_the_queue_labels_namesakes(world, engagement):
    a, b, engagement = _namesakes(world, engagement)
    q = selectors.queue_state(engagement)
    labels = {p["user"].pk: p["label"] for p in q["people"]}
    assert labels[a.pk] == f"Sam Okafor ({world.public.name} · Nurse)"
    assert labels[b.pk] == f"Sam Okafor ({world.private.name} · Social worker)"
    services.turn_give(session=engagement, actor=world.users["coordinator"], user=b)
    q = selectors.queue_state(engagement)
    assert q["last_label"] == labels[b.pk]
    panel = world.client("coordinator").get(reverse("convening:queue_panel", args=[engagement.pk])).content.decode()
    assert f"Speaking now: <strong><bdi>{labels[b.pk]}</bdi>" in panel
    assert panel.count(f"<bdi>{labels[a.pk]}</bdi>") == 2  # to give the floor, and not heard yet


def test_attendance_labels_namesakes(world, engagement):
    a, b, engagement = _namesakes(world, engagement)
    page = world.client("coordinator").get(reverse("convening:attendance", args=[engagement.pk])).content.decode()
    assert f'<th scope="row"><bdi>Sam Okafor ({world.public.name} · Nurse)</bdi></th>' in page
    assert f'<th scope="row"><bdi>Sam Okafor ({world.private.name} · Social worker)</bdi></th>' in page
