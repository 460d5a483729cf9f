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

import hashlib
import io
import json
import logging
import re

import psycopg
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http.request import split_domain_port, validate_host

from convene.core.errors import InvalidInput
from convene.core.middleware import API_WRITE_COUNTED, api_token_caller, api_write_over

from . import selectors, services
from .models import JointResponse
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
# In an anonymous response the participant is found by a keyed hash of the user id, which only
# the response's secret gives: learnt from the first vote of a token (per process), then passed in.
_USER_KEYS: dict[tuple[str, int], str] = {}


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
        if not (map_in_worker() and connections["default"].vendor == "postgresql"):
            return None  # counters and revision kept in the vote's transaction: the route's job
        secure = _is_secure(environ)
        if (settings.SECURE_SSL_REDIRECT and not secure) or not self._host_allowed(environ):
            return None  # the redirect, or the 400 for a host not served here
        parsed = _ballot_request(environ)
        if parsed is None:
            return None
        db = connections["default"]
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
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        allowed = self.hosts.get(host)
        if allowed is None:
            domain, _port = split_domain_port(host)
            hosts = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
            allowed = bool(domain) and validate_host(domain, hosts) and not settings.USE_X_FORWARDED_HOST
            if len(self.hosts) < 100:  # a bounded memo: the Host header is the client's to choose
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
    over = api_write_over(api_token_caller(secret))
    environ[API_WRITE_COUNTED] = True  # counted once, whoever answers
    if over is not None:
        payload, retry_after = over
        return "429 Too Many Requests", payload, [("Retry-After", str(retry_after))]
    key_hash = hashlib.sha256(secret.encode()).hexdigest()
    pool = selectors.pool_latest(response_id)
    rng = selectors.rng_for(None)
    asked = pool.asked(rng) if pool is not None and pool.drawable() else []
    others = pool.others if pool is not None else []
    cast = _cast(db, key_hash, response_id, statement_id, value, asked, others)
    if cast is None or cast.participant_id is None:
        return None  # a first vote creates the participant: the full route does that
    if pool is not None and pool.current(cast.secret, cast.revision) and asked:
        voted = set(cast.voted_among)
        voted_in_pool = cast.voted - cast.voted_elsewhere + (1 if cast.written else 0)
        voted.add(statement_id)  # the read saw the votes before this one
        picked, remaining = selectors.next_statement_among(
            response_id, cast.participant_id, pool, asked, voted_in_pool, voted, rng=rng
        )
    else:  # no pool yet in this process, or one of an older revision: load it, then draw
        picked, remaining = selectors.next_statement_drawn(
            response_id, cast.participant_id, response_key=cast.secret, revision=cast.revision, rng=rng
        )
    payload = {
        "statement": statement_id,
        "value": value,
        "next": {
            "statement": {"id": picked[0], "text": picked[1]} if picked else None,
            "remaining": remaining,
        },
    }
    return "200 OK", payload, []


def _cast(db, key_hash: str, response_id: int, statement_id: int, value: int, asked, others):
    key = (key_hash, response_id)
    arguments = {"key_hash": key_hash, "response_id": response_id, "statement_id": statement_id, "value": value}
    arguments["db"] = db
    cast = services.ballot_cast(**arguments, user_key=_USER_KEYS.get(key), asked=asked, others=others)
    if cast is not None and cast.anonymous and cast.participant_id is None and key not in _USER_KEYS:
        if len(_USER_KEYS) > 100_000:
            _USER_KEYS.clear()
        _USER_KEYS[key] = JointResponse(secret=cast.secret).user_key(cast.user_id)
        cast = services.ballot_cast(**arguments, user_key=_USER_KEYS[key], asked=asked, others=others)
    return cast
