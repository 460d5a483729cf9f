"""The ASGI application production serves: gunicorn with uvicorn's worker (docs/deploy.md).

Token votes that are the plain case are answered on the event loop, in batches (the vote lane,
deliberation/lane.py); every other request goes to Django's WSGI handler in a thread pool, so
the rest of Convene runs exactly as under a threaded WSGI server (`convene.wsgi`).
"""

import os

from a2wsgi import WSGIMiddleware

from convene.wsgi import application as django_application

# Threads for Django's requests in each worker process: a page mostly waits on the database.
THREADS = int(os.environ.get("WEB_THREADS", "16"))

from convene.core.middleware import API_WRITE_COUNTED  # noqa: E402 - needs Django set up (convene.wsgi)
from convene.deliberation.lane import VoteLane  # noqa: E402


def _behind_the_lane(handler):
    """Django's handler, told when the lane has counted a request as an API write already (a mark
    in the ASGI scope, which a client cannot set)."""

    def django(environ, start_response):
        if environ["asgi.scope"].get(API_WRITE_COUNTED):
            environ[API_WRITE_COUNTED] = True
        return handler(environ, start_response)

    return django


def build(threads: int = THREADS, handler=django_application) -> VoteLane:
    """The vote lane in front of Django's WSGI `handler`, which runs in a pool of `threads`
    threads; the lane's own reads through Django run in the same pool."""
    pool = WSGIMiddleware(_behind_the_lane(handler), workers=threads)
    return VoteLane(pool, executor=pool.executor)


application = build()
