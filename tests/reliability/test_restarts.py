"""Real database restarts against a private PostgreSQL cluster (bench/_stack.py): the task worker
reconnects and runs what is enqueued afterwards; the API answers JSON 503 with Retry-After while
the database is down and recovers when it is back."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

import pytest

from .stack import STACK_MARKS

pytestmark = STACK_MARKS


@pytest.fixture(scope="module")
def stack():
    from _stack import PrivatePostgres, app_env, manage

    pg = PrivatePostgres()
    try:
        env = app_env(pg.create_db(), TASKS_BACKEND="django_tasks_db.DatabaseBackend")
        manage(env, "migrate", "--no-input", "-v", "0")
        yield pg, env
    finally:
        pg.close()


def _shell(env, code: str) -> str:
    from _stack import manage

    return manage(env, "shell", "-c", code, timeout=120).strip().splitlines()[-1]


def _status(env, task_id: str) -> str:
    return _shell(
        env, f"from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.get(id='{task_id}').status)"
    )


def test_the_worker_survives_a_database_restart(stack):
    from _stack import Worker

    pg, env = stack
    worker = Worker(env)
    try:
        # Down like a crash (-m immediate), and kept down until the worker has met it: on a busy
        # machine a quick restart can fall between two polls, and then nothing is tested.
        pg.stop("immediate")
        deadline = time.monotonic() + 60
        while b"retrying in" not in os.pread(worker.log.fileno(), 1 << 20, 0) and time.monotonic() < deadline:
            time.sleep(0.2)
        pg.start()  # the worker reconnects with backoff
        task_id = _shell(
            env, "from convene.deliberation.tasks import recompute_map; print(recompute_map.enqueue(999999).id)"
        )
        deadline = time.monotonic() + 60
        status = _status(env, task_id)
        while status != "SUCCESSFUL" and time.monotonic() < deadline:
            time.sleep(1)
            status = _status(env, task_id)
        assert status == "SUCCESSFUL", f"the task enqueued after the restart is {status}"
        assert worker.proc.poll() is None, "the worker exited instead of reconnecting"
        log = worker.log
        log.seek(0)
        assert b"retrying in" in log.read(), "the worker met the restart (and said so)"
    finally:
        worker.close()


def _get(port: int, path: str):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_api_answers_json_503_while_the_database_is_stopped(stack):
    from _stack import Web

    pg, env = stack
    web = Web(env, workers=1, threads=2)
    try:
        assert _get(web.port, "/api/v1/communities/")[0] == 200
        pg.stop("immediate")
        try:
            status, headers, body = _get(web.port, "/api/v1/communities/")
            page_status, page_headers, _ = _get(web.port, "/communities/")
        finally:
            pg.start()
        assert status == 503, body[:300]
        assert headers.get("Content-Type", "").startswith("application/json")
        assert json.loads(body)["code"] == "unavailable"
        assert int(headers["Retry-After"]) > 0
        assert page_status == 503 and int(page_headers["Retry-After"]) > 0
        deadline = time.monotonic() + 30
        while _get(web.port, "/api/v1/communities/")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _get(web.port, "/api/v1/communities/")[0] == 200, "the API recovers when the database is back"
    finally:
        web.close()
