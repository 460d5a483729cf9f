"""The vote lane: `POST /api/v1/deliberation/responses/<id>/votes` with an API token, in one statement.

Voting is the one request that comes in bursts of thousands a second (a room of hundreds voting
at once, or a Pol.is-sized conversation). The full route costs ~20 queries, Django's request
and response objects and the whole middleware stack: several milliseconds of CPU a vote. The
lane is a WSGI layer in front of Django (`convene.wsgi`). It answers the plain case, in
production (PostgreSQL with a map worker): a valid token of a member, voting open, an accepted
statement, a participant who has voted before. It sends one statement, `services.ballot_cast`,
which authorizes, writes and reads which of the drawn next statements were voted on, and it
answers the same JSON, with the same headers, as the route.

Anything else is not the lane's business: it hands the request on, body and all, to Django,
which gives the precise answer (401, 403, 404, 409, 422...). So the lane can only ever answer
200 (or the API's 429) where the route would too.
"""

from __future__ import annotations

import io
import json
import logging
import re

import psycopg
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from convene.accounts.models import ApiToken
from convene.core.errors import InvalidInput
from convene.core.middleware import API_WRITE_COUNTED, api_token_caller, api_write_over

from . import selectors, services
from .tasks import map_in_worker

log = logging.getLogger(__name__)

_PATH = re.compile(r"^/api/v1/deliberation/responses/([1-9][0-9]{0,17})/votes$")
_MAX_BODY = 1024
_JSON = "application/json; charset=utf-8"
# Middlewares whose only effect on an API answer is headers; the lane's answers get theirs.
_HEADER_MIDDLEWARES = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
)


class VoteLane:
    """WSGI middleware around Django's handler."""

    def __init__(self, app):
        self.app = app
        self.hosts: dict[str, bool] = {}
        self.headers: dict[bool, list[tuple[str, str]]] = {}  # by "the request is secure"

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            match = _PATH.match(environ.get("PATH_INFO", ""))
            if match is not None:
                answer = self._answer(environ, int(match.group(1)))
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]
        return self.app(environ, start_response)

    def _answer(self, environ, response_id: int) -> tuple[str, list, bytes] | None:
        db = connections["default"]
        if not (map_in_worker() and db.vendor == "postgresql"):
            return None  # counters and revision kept in the vote's transaction: the route's job
        secure = _is_secure(environ)
        if (settings.SECURE_SSL_REDIRECT and not secure) or not self._host_allowed(environ):
            return None  # the redirect, or the 400 for a host not served here
        parsed = _ballot_request(environ)
        if parsed is None:
            return None
        if not db.in_atomic_block:  # (only a test runs the lane inside a transaction)
            db.close_if_unusable_or_obsolete()  # Django's upkeep at each request: errors, CONN_MAX_AGE
        try:
            answer = _vote(environ, db, response_id, *parsed)
        except (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError):
            # A connection broken since the last request (the database restarted): drop it and let
            # Django reconnect and answer. Safe even after the vote was written: the same vote
            # twice is a no-op.
            db.close()
            answer = None
        except (DatabaseError, psycopg.Error):
            log.exception("vote lane: handing the vote to the route")
            db.close()
            answer = None
        if answer is None:
            return None
        status, payload, extra = answer
        body = json.dumps(payload).encode()
        headers = [
            ("Content-Type", _JSON),
            ("Content-Length", str(len(body))),
            *extra,
            *self._headers_for(environ, secure),
        ]
        return status, headers, body

    def _host_allowed(self, environ) -> bool:
        """Django's own `get_host()` check, once per Host value (a bounded memo: the header is the
        client's to choose). Behind USE_X_FORWARDED_HOST the host is another header: step aside."""
        if settings.USE_X_FORWARDED_HOST:
            return False
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        allowed = self.hosts.get(host)
        if allowed is None:
            from django.core.handlers.wsgi import WSGIRequest

            try:
                WSGIRequest(environ).get_host()
                allowed = True
            except DisallowedHost:
                allowed = False
            if len(self.hosts) < 100:
                self.hosts[host] = allowed
        return allowed

    def _headers_for(self, environ, secure: bool) -> list[tuple[str, str]]:
        """The headers those middlewares give an answer, computed by their own code once (the
        policies are configuration, with no per-request nonce) for secure and plain requests."""
        headers = self.headers.get(secure)
        if headers is None:
            from django.core.handlers.wsgi import WSGIRequest
            from django.http import HttpResponse
            from django.utils.module_loading import import_string

            request = WSGIRequest(environ)
            answer = HttpResponse(content_type=_JSON)
            before = dict(answer.headers)
            for path in _HEADER_MIDDLEWARES:
                if path in settings.MIDDLEWARE:
                    answer = import_string(path)(_not_called).process_response(request, answer)
            headers = [(k, v) for k, v in answer.headers.items() if before.get(k) != v]
            self.headers[secure] = headers
        return headers


def _not_called(request):
    raise AssertionError("only the middlewares' process_response is used")


def _is_secure(environ) -> bool:
    """HttpRequest.is_secure() on the environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _ballot_request(environ) -> tuple[str, int, int] | None:
    """(token secret, statement id, value) from a plain request, or None. The body goes back into
    the environ, so a request handed on reaches Django whole."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("Bearer cvn_"):
        return None  # sessions (and their CSRF check) take the full route
    if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != "application/json":
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= _MAX_BODY:
        return None
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict) or set(body) != {"statement", "value"}:
        return None
    statement = body["statement"]
    if type(statement) is not int or not 0 < statement < 2**62:
        return None
    try:
        value = services.vote_value(body["value"])  # the route's own reading of a vote
    except InvalidInput:
        return None
    return auth[len("Bearer ") :].strip(), statement, value


def _vote(environ, db, response_id: int, secret: str, statement_id: int, value: int) -> tuple | None:
    key_hash = ApiToken.hash(secret)
    over = api_write_over(api_token_caller(key_hash))
    environ[API_WRITE_COUNTED] = True  # counted once, whoever answers
    if over is not None:
        payload, retry_after = over
        return "429 Too Many Requests", payload, [("Retry-After", str(retry_after))]
    rng = selectors.rng_for(None)
    pool, asked, others = selectors.draw_ahead(response_id, rng)
    cast = services.ballot_cast(
        key_hash=key_hash,
        response_id=response_id,
        statement_id=statement_id,
        value=value,
        asked=asked,
        others=others,
        db=db,
    )
    if cast is None or cast.participant_id is None:
        return None  # a first vote creates the participant: the full route does that
    picked, remaining = selectors.next_statement_after(response_id, statement_id, cast, pool, asked, rng=rng)
    payload = {
        "statement": statement_id,
        "value": value,
        "next": {
            "statement": {"id": picked[0], "text": picked[1]} if picked else None,
            "remaining": remaining,
        },
    }
    return "200 OK", payload, []
