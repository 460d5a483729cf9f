"""Quick versions of the crash and scale-out runs (bench/load.py has the full ones).

Real processes: a private PostgreSQL cluster, gunicorn web processes, a django-tasks worker, and
concurrent voters over HTTP on 127.0.0.1. No timing assertions: only that nothing acknowledged is
lost and that every process serves the same map.
"""

from __future__ import annotations

from .stack import STACK_MARKS

pytestmark = STACK_MARKS


def test_acknowledged_votes_survive_web_kill_and_database_restart():
    from _scenarios import run

    outcome, extra = run(voters=8, statements=1000, seconds=10, kill_web_at=2.5, restart_db_at=6.0)
    assert outcome.votes > 0
    assert outcome.lost == 0, f"{outcome.lost} acknowledged votes are missing"
    assert outcome.wrong == 0, f"{outcome.wrong} acknowledged votes were stored with another value"
    assert outcome.errors == 0, "a vote got a 4xx answer"
    assert outcome.retries > 0, "the faults were injected, so some requests must have been retried"
    assert outcome.map_ok


def test_two_web_processes_and_a_worker_agree_on_the_map():
    from _scenarios import run

    outcome, extra = run(voters=6, statements=1000, seconds=6, web_processes=2, workers=1, redis_db=15)
    assert outcome.votes > 0 and outcome.lost == 0 and outcome.errors == 0
    assert extra["worker_map"]["groups"] >= 1
    assert extra["worker_map"]["cached_revision"] == extra["worker_map"]["revision"], "worker caught up"
    assert extra["worker_map"]["equal"], "the worker's map equals a single-process computation"
    assert extra["maps"][0] == extra["maps"][1], "both web processes serve the same map"
