"""Background recompute of opinion maps (django-tasks).

With `CONVENE_MAP_IN_WORKER` on (the production default), votes ask for a recompute and a
worker (`convene db_worker`) recounts the statements, bumps the revision, computes the map and
stores it keyed by that revision; pages serve the latest stored map. Off (development, tests),
a page computes a stale map when it is read.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from convene.notifications.mail import send_batch
from convene.notifications.tasks import retry_later

from . import mailing, opinion_map
from .models import JointResponse, OpinionRequest

PENDING = "deliberation:map-pending:{}"
COMPUTED = "deliberation:map-computed:{}"  # (start, seconds) of the worker's last recompute


def map_in_worker() -> bool:
    return bool(getattr(settings, "CONVENE_MAP_IN_WORKER", False))


# A process that has just asked for a recompute does not ask the shared cache again for SEEN_FOR
# seconds (one cache round trip per burst, not per vote: a per-process debounce, not a cache of
# data). The task waits as long after clearing the flag before it reads the votes, so a vote
# skipped that way is still in its read.
SEEN_FOR = 0.1
_seen: dict[int, float] = {}


def request_map(response_id: int) -> None:
    """Enqueue one recompute per response at a time; the task clears the flag before computing,
    so votes arriving during a computation enqueue the next one."""
    if not map_in_worker():
        return
    task = recompute_map
    queued = task.get_backend().supports_defer  # a real queue, not the immediate backend of tests
    now = time.monotonic()
    if queued and now - _seen.get(response_id, -SEEN_FOR) < SEEN_FOR:
        return
    _seen[response_id] = now
    if cache.add(PENDING.format(response_id), 1, timeout=300):
        wait = _since_last(response_id)
        if wait > 0 and queued:
            # A busy conversation recomputes at most every CONVENE_MAP_MIN_INTERVAL seconds, so
            # the worker never eats the CPU the votes need; the last vote is still always mapped.
            task = task.using(run_after=timezone.now() + dt.timedelta(seconds=wait))
        task.enqueue(response_id)


def _since_last(response_id: int) -> float:
    """Seconds to wait before the next recompute: at least CONVENE_MAP_MIN_INTERVAL after the last
    one started, and three times as long as it took, so the worker uses at most a third of a core
    on one conversation however large it grows."""
    last = cache.get(COMPUTED.format(response_id))
    if last is None:
        return 0.0
    started, took = last
    interval = max(float(getattr(settings, "CONVENE_MAP_MIN_INTERVAL", 0)), 3 * took)
    return interval - (time.time() - started)


@task()
def recompute_map(response_id: int) -> int:
    """The worker's recompute: recount, then compute and store the map (`opinion_map`)."""
    cache.delete(PENDING.format(response_id))
    time.sleep(SEEN_FOR)  # see request_map: votes whose processes skipped the flag are committed by now
    started = time.time()
    response = JointResponse.objects.filter(pk=response_id).first()
    if response is None:
        return -1
    # Votes do not touch shared rows (see services.votes.vote_record): the counters and the
    # revision are brought up to date first, then the map is computed for that revision.
    opinion_map.statement_counts_refresh(response_id=response_id)
    opinion_map.map_recompute(response)
    cache.set(COMPUTED.format(response_id), (started, time.time() - started), timeout=3600)
    return JointResponse.objects.values_list("revision", flat=True).get(pk=response_id)


@task()
def send_requester_mail(request_id: int, attempt: int = 1) -> dict:
    """The requester's mail about the request's status (with the PDF once delivered), from the worker;
    a passing SMTP failure is retried with the notifications' backoff."""
    req = OpinionRequest.objects.select_related("community", "response").filter(pk=request_id).first()
    if req is None or not req.contact:
        return {"sent": 0, "retried": False}
    [problem] = send_batch([mailing.requester_message(req)])
    passing = bool(problem) and problem.startswith("retry")
    retried = passing and retry_later(send_requester_mail, request_id, attempt=attempt)
    return {"sent": int(problem is None), "retried": retried}
