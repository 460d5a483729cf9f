"""The vote lane: `POST /api/v1/deliberation/responses/<id>/votes` with an API token, in batches.

Voting is the one request that comes in bursts of thousands a second (a room of hundreds voting
at once, or a Pol.is-sized conversation). The full route costs ~20 queries, Django's request and
response objects, the middleware stack and a thread: several milliseconds of CPU a vote. The
lane is an ASGI layer in front of Django (`convene.asgi`), on the server's event loop. It answers
the plain case, in production (PostgreSQL with a map worker): a valid token of a member, voting
open, an accepted statement, a participant who has voted before. The votes that arrive while a
batch is at the database wait for the next one (a group commit, `BallotBox`): one statement,
`services.ballots_cast`, authorizes, writes and reads for the whole batch, in one commit, so a
vote is answered only once it is durable. The answer is the route's JSON with the route's
headers.

Anything else is not the lane's business: it hands the request on, body and all, to Django (in
a thread), which gives the precise answer (401, 403, 404, 409, 422...). So the lane can only ever
answer 200 (or the API's 429) where the route would too. The event loop never waits on Django's
database connections: the few reads the lane cannot answer from memory (a statement pool that
moved on, a text not yet seen) and the map request run in a thread.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import re
from dataclasses import dataclass

import psycopg
from a2wsgi.wsgi import build_environ
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.dispatch import receiver

from convene.accounts.models import ApiToken
from convene.core.errors import InvalidInput
from convene.core.middleware import API_WRITE_COUNTED, api_token_caller, api_write_over

from . import selectors, services, tasks

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
BATCH = 64  # ballots in one statement at most


class VoteLane:
    """ASGI middleware in front of Django (`app`, an ASGI application)."""

    def __init__(self, app, executor=None):
        self.app = app
        self.executor = executor  # threads for Django code (None: the event loop's default pool)
        self.box = BallotBox()
        self.conf: _Conf | None = None  # the settings the memos below were made with
        self.hosts: dict[str, bool] = {}
        self.headers: dict[bool, list[tuple[bytes, bytes]]] = {}  # by "the request is secure"
        self.cache = None
        self.loading: dict[int, tuple[tuple[str, int], asyncio.Future]] = {}  # pools being read

    def _settings(self) -> _Conf:
        """The settings, and the memos made from them forgotten when they change."""
        conf = _conf()
        if conf is not self.conf:
            self.conf, self.hosts, self.headers, self.cache = conf, {}, {}, None
        return conf

    def _cache(self):
        """The process's own backend for the default cache, kept: Django's `caches` gives every
        task on an event loop a new one, with a new connection to Redis."""
        if self.cache is None:
            from django.core.cache import caches

            self.cache = caches.create_connection("default")
        return self.cache

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] == "http" and scope["method"] == "POST":
            match = _PATH.match(scope["path"])
            if match is not None:
                body, receive = await _read_body(scope, receive)
                answer = None if body is None else await self._answer(scope, body, int(match.group(1)))
                if answer is not None:
                    status, headers, payload = answer
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": payload})
                    return
        await self.app(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.box.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _answer(self, scope, body: bytes, response_id: int) -> tuple[int, list, bytes] | None:
        conf = self._settings()
        if not conf.on:
            return None  # counters and revision kept in the vote's transaction: the route's job
        headers = _wanted_headers(scope, conf.headers)
        secure = _is_secure(scope, headers, conf)
        if (conf.ssl_redirect and not secure) or not self._host_allowed(scope, headers, conf):
            return None  # the redirect, or the 400 for a host not served here
        parsed = _ballot_request(headers, body)
        if parsed is None:
            return None
        answer = await self._vote(scope, response_id, *parsed)
        if answer is None:
            return None
        status, payload, extra = answer
        content = json.dumps(payload).encode()
        headers = [
            (b"content-type", _JSON.encode()),
            (b"content-length", str(len(content)).encode()),
            *extra,
            *self._headers_for(scope, secure),
        ]
        return status, headers, content

    async def _vote(self, scope, response_id: int, secret: str, statement_id: int, value: int) -> tuple | None:
        key_hash = ApiToken.hash(secret)
        over = api_write_over(api_token_caller(key_hash), cache=self._cache())
        scope[API_WRITE_COUNTED] = True  # counted once, whoever answers (see convene.asgi)
        if over is not None:
            payload, retry_after = over
            return 429, payload, [(b"retry-after", str(retry_after).encode())]
        rng = selectors.rng_for(None)
        pool, asked, others = selectors.draw_ahead(response_id, rng)
        ballot = services.Ballot(
            key_hash=key_hash,
            response_id=response_id,
            statement_id=statement_id,
            value=value,
            asked=tuple(asked),
            others=tuple(others),
        )
        try:
            cast = await self.box.cast(services.ballot_user_key(ballot))
            if cast is None or cast.participant_id is None:
                return None  # a first vote creates the participant: the full route does that
            if cast.written is not None and tasks.map_request_due(response_id):
                await self._map_requested(response_id)
            picked = await self._next_statement(response_id, statement_id, cast, pool, asked, rng)
        except (psycopg.OperationalError, psycopg.InterfaceError, OperationalError, InterfaceError):
            # The database restarted or is unreachable (the lane's own connection, or Django's in
            # a thread): let the route answer, and fail as it must. Safe even after the vote was
            # written: the same vote twice is a no-op.
            return None
        except (psycopg.Error, DatabaseError):
            log.exception("vote lane: handing the vote to the route")
            return None
        statement, remaining = picked
        payload = {
            "statement": statement_id,
            "value": value,
            "next": {
                "statement": {"id": statement[0], "text": statement[1]} if statement else None,
                "remaining": remaining,
            },
        }
        return 200, payload, []

    async def _next_statement(self, response_id: int, statement_id: int, cast, pool, asked, rng):
        """The next statement from memory when the pool drawn from is current, or was reloaded
        with the same statements (only their priorities moved); else read in a thread."""
        if pool is None or not pool.current(cast.secret, cast.revision):
            fresh = await self._pool(response_id, cast.secret, cast.revision)
            if pool is not None and fresh.same_statements(pool):
                pool = fresh  # the draw made from the older priorities stands
        picked = selectors.next_statement_known(statement_id, cast, pool, asked, rng=rng)
        if picked is None:
            picked = await self.in_thread(
                selectors.next_statement_after, response_id, statement_id, cast, pool, asked, rng=None
            )
        return picked

    async def _pool(self, response_id: int, response_key: str, revision: int):
        """Load the response's pool in a thread, once for all the votes that need it at the same
        time (the map worker moves the revision every few seconds under load)."""
        loading = self.loading.get(response_id)
        if loading is None or loading[0] != (response_key, revision):
            future = asyncio.ensure_future(self.in_thread(selectors.pool_for, response_id, response_key, revision))
            loading = self.loading[response_id] = ((response_key, revision), future)
            future.add_done_callback(lambda done: self._loaded(response_id, done))
        return await asyncio.shield(loading[1])

    async def in_thread(self, function, *args, **kwargs):
        """Run Django code that uses the database in one of the process's threads for Django."""
        call = functools.partial(_with_upkeep, function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.executor, call)

    async def _map_requested(self, response_id: int) -> None:
        """Ask the worker for a new map; a failure (the cache or the database away) is logged and
        the vote still answered: it is stored, and the next vote asks again."""
        try:
            await self.in_thread(tasks.request_map, response_id)
        except Exception:
            log.exception("vote lane: could not request a map recompute")

    def _loaded(self, response_id: int, future) -> None:
        if self.loading.get(response_id, (None, None))[1] is future:
            del self.loading[response_id]

    def _host_allowed(self, scope, headers: dict, conf: _Conf) -> bool:
        """Django's own `get_host()` check, once per Host value (a bounded memo: the header is the
        client's to choose). Behind USE_X_FORWARDED_HOST the host is another header: step aside."""
        if conf.forwarded_host:
            return False
        host = headers.get(b"host") or "{}:{}".format(*(scope.get("server") or ("", "")))
        allowed = self.hosts.get(host)
        if allowed is None:
            from django.core.handlers.wsgi import WSGIRequest

            try:
                WSGIRequest(build_environ(scope, io.BytesIO())).get_host()
                allowed = True
            except DisallowedHost:
                allowed = False
            if len(self.hosts) < 100:
                self.hosts[host] = allowed
        return allowed

    def _headers_for(self, scope, secure: bool) -> list[tuple[bytes, bytes]]:
        """The headers those middlewares give an answer, computed by their own code once (the
        policies are configuration, with no per-request nonce) for secure and plain requests."""
        headers = self.headers.get(secure)
        if headers is None:
            from django.core.handlers.wsgi import WSGIRequest
            from django.http import HttpResponse
            from django.utils.module_loading import import_string

            request = WSGIRequest(build_environ(scope, io.BytesIO()))
            answer = HttpResponse(content_type=_JSON)
            before = dict(answer.headers)
            for path in _HEADER_MIDDLEWARES:
                if path in settings.MIDDLEWARE:
                    answer = import_string(path)(_not_called).process_response(request, answer)
            headers = [
                (k.lower().encode("latin-1"), v.encode("latin-1"))
                for k, v in answer.headers.items()
                if before.get(k) != v
            ]
            self.headers[secure] = headers
        return headers


@dataclass(frozen=True)
class _Conf:
    """The settings the lane reads on every vote, read once (again after a setting changes)."""

    on: bool  # PostgreSQL and a map worker: the lane answers
    ssl_redirect: bool
    forwarded_host: bool
    proxy_ssl: tuple[bytes, str] | None  # SECURE_PROXY_SSL_HEADER as an ASGI header name
    headers: frozenset  # the request headers the lane reads


_CONF: _Conf | None = None


def _conf() -> _Conf:
    global _CONF
    if _CONF is None:
        proxy_ssl = None
        if settings.SECURE_PROXY_SSL_HEADER:
            name, value = settings.SECURE_PROXY_SSL_HEADER
            proxy_ssl = (name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1"), value)
        _CONF = _Conf(
            on=tasks.map_in_worker() and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
            ssl_redirect=settings.SECURE_SSL_REDIRECT,
            forwarded_host=settings.USE_X_FORWARDED_HOST,
            proxy_ssl=proxy_ssl,
            headers=frozenset({b"host", b"authorization", b"content-type", *([proxy_ssl[0]] if proxy_ssl else [])}),
        )
    return _CONF


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    global _CONF
    _CONF = None


class BallotBox:
    """A process's votes on their way to the database, in batches (a group commit).

    The first vote finds the box idle and goes at once, alone; the votes that arrive while a
    batch is at the database wait and go together in the next, up to BATCH: one statement and
    one commit (one disk flush) for all of them, and the busier the server the larger the batch.
    The box has its own connection (psycopg, async, autocommit), made from Django's settings for
    the default database, and belongs to the event loop that first used it.
    """

    def __init__(self, size: int = BATCH):
        self.size = size
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connection: psycopg.AsyncConnection | None = None
        self.waiting: list[tuple[services.Ballot, asyncio.Future]] = []
        self.drainer: asyncio.Task | None = None  # sending batches while votes wait
        self.batches = 0  # statements sent: for tests and figures

    async def cast(self, ballot: services.Ballot) -> services.BallotCast | None:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a connection belongs to one event loop (tests start several)
            self.loop, self.connection, self.waiting, self.drainer = loop, None, [], None
        future = loop.create_future()
        self.waiting.append((ballot, future))
        if self.drainer is None or self.drainer.done():
            self.drainer = loop.create_task(self._drain())  # kept: the loop holds tasks weakly
        return await future

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    async def _drain(self) -> None:
        while self.waiting:
            batch = self._next_batch()
            self.batches += 1
            try:
                connection = await self._connect()
                casts = await services.ballots_cast(ballots=[b for b, _ in batch], connection=connection)
            except Exception as error:  # each waiting request decides what to do about it
                await self._discard()
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), cast in zip(batch, casts, strict=True):
                if not future.done():
                    future.set_result(cast)

    def _next_batch(self) -> list:
        """Up to `size` waiting ballots, first come first served; a second ballot of the same
        token on the same statement waits for the next batch (one statement cannot write a row
        twice)."""
        batch, rest, seen = [], [], set()
        for item in self.waiting:
            ballot = item[0]
            key = (ballot.key_hash, ballot.response_id, ballot.statement_id)
            if len(batch) < self.size and key not in seen:
                seen.add(key)
                batch.append(item)
            else:
                rest.append(item)
        self.waiting = rest
        return batch

    async def _connect(self) -> psycopg.AsyncConnection:
        if self.connection is None or self.connection.closed:
            params = connections["default"].get_connection_params()  # settings only: no connection made
            # Server-side binding (psycopg's default), prepared at first use unless
            # DB_PREPARED_STATEMENTS=false (a pooler that cannot keep them) set no threshold.
            params.pop("cursor_factory", None)
            params.pop("context", None)
            # One prepared statement, one plan: without this PostgreSQL may plan it again for every
            # batch (a custom plan costs several milliseconds here; the generic one is as good). The
            # plan is made at the first batch, perhaps on a young table where a sequential scan looks
            # cheapest, and kept until the next ANALYZE: every row the statement reads has an index.
            options = "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off"
            params["options"] = f"{params.get('options', '')} {options}".strip()
            self.connection = await psycopg.AsyncConnection.connect(**params, autocommit=True)
        return self.connection

    async def _discard(self) -> None:
        """After an error the connection may be broken (a restarted server): the next batch
        starts on a new one."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                await connection.close()
            except psycopg.Error:
                log.debug("vote lane: closing a broken connection", exc_info=True)


def _with_upkeep(function, *args, **kwargs):
    """Django code that uses the database, outside the event loop, with Django's connection
    upkeep around it (what request_started and request_finished do for a request)."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


async def _read_body(scope, receive) -> tuple[bytes | None, object]:
    """The body of a small request with a Content-Length, and a `receive` that gives it again to
    whoever answers; (None, receive) untouched for anything else."""
    length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
    if not length.isdigit() or not 0 < int(length) <= _MAX_BODY:
        return None, receive
    chunks, messages = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":  # the client went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)

    async def replay():
        return messages.pop(0) if messages else await receive()

    return (body if messages[-1]["type"] == "http.request" else None), replay


def _not_called(request):
    raise AssertionError("only the middlewares' process_response is used")


def _wanted_headers(scope, wanted: frozenset) -> dict[bytes, str]:
    """The request headers the lane reads, as Django would see them (repeats joined by commas)."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in wanted:
            text = value.decode("latin-1")
            found[name] = f"{found[name]},{text}" if name in found else text
    return found


def _is_secure(scope, headers: dict, conf: _Conf) -> bool:
    """HttpRequest.is_secure() on the request."""
    if conf.proxy_ssl is not None:
        name, secure_value = conf.proxy_ssl
        value = headers.get(name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme", "http") == "https"


def _ballot_request(headers: dict, raw: bytes) -> tuple[str, int, int] | None:
    """(token secret, statement id, value) from a plain request, or None."""
    auth = headers.get(b"authorization", "")
    if not auth.startswith("Bearer cvn_"):
        return None  # sessions (and their CSRF check) take the full route
    if headers.get(b"content-type", "").split(";")[0].strip().lower() != "application/json":
        return None
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
