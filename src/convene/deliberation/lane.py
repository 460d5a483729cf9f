"""The vote lane: `POST /api/v1/deliberation/responses/<id>/votes` with an API token, in a few queries.

Voting is the one request that comes in bursts of thousands a second (a room of hundreds
voting at once, or a Pol.is-sized conversation). The full API route costs ~20 queries and the
whole middleware stack; the lane answers the plain case (a valid token of a member, voting
open, an accepted statement, a participant who has voted before) with one fetch-and-authorize
query (`permissions.ballot_for`), the same write (`services.vote_record`) and the same next
statement (`selectors.next_statement_for`), and the same JSON as the route.

Anything else is not the lane's business: it hands the request on, unchanged, to the full
stack, which gives the precise answer (401, 403, 404, 409, 422...). So the lane can only ever
answer 200 to a request the route would also have answered 200.
"""

from __future__ import annotations

import json
import re

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse

from convene.accounts.services import api_token_touch
from convene.core.errors import InvalidInput
from convene.core.middleware import api_write_refusal

from . import permissions, selectors, services

_PATH = re.compile(r"^/api/v1/deliberation/responses/([1-9][0-9]{0,17})/votes$")
_MAX_BODY = 1024


class VoteLaneMiddleware:
    """Sits right after SecurityMiddleware; its answers get the headers the middleware it skips
    would have added (frame options, content security policy) from those middlewares' own code."""

    def __init__(self, get_response):
        from csp.middleware import CSPMiddleware
        from django.middleware.clickjacking import XFrameOptionsMiddleware

        self.get_response = get_response
        self.hooks = [m(get_response).process_response for m in (XFrameOptionsMiddleware, CSPMiddleware)]
        self.headers: dict[str, str] | None = None

    def __call__(self, request):
        if request.method == "POST":
            match = _PATH.match(request.path_info)
            if match is not None:
                answer = _vote(request, int(match.group(1)))
                if answer is not None:
                    return self._with_headers(request, answer)
        return self.get_response(request)

    def _with_headers(self, request, answer: HttpResponse) -> HttpResponse:
        """The first answer goes through the skipped middlewares' hooks; later ones copy the
        headers they added (the policy is configuration, with no per-request nonce)."""
        if self.headers is None:
            before = dict(answer.headers)
            for hook in self.hooks:
                answer = hook(request, answer)
            self.headers = {k: v for k, v in answer.headers.items() if before.get(k) != v}
            return answer
        for name, value in self.headers.items():
            answer[name] = value
        return answer


def _ballot_request(request) -> tuple[str, int, int] | None:
    """(token secret, statement id, value) from a plain request, or None."""
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("Bearer cvn_"):
        return None  # sessions (and their CSRF check) take the full route
    if request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != "application/json":
        return None
    try:
        if not 0 < int(request.META.get("CONTENT_LENGTH") or 0) <= _MAX_BODY:
            return None
        body = json.loads(request.body)
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


def _vote(request, response_id: int) -> HttpResponse | None:
    parsed = _ballot_request(request)
    if parsed is None:
        return None
    try:
        return _cast(request, response_id, *parsed)
    except (OperationalError, InterfaceError):
        # A connection broken since the last request (the database restarted): drop it and let
        # the full stack reconnect and answer. Safe even after the vote was written: the same
        # vote twice is a no-op.
        connection.close()
        return None


def _cast(request, response_id: int, secret: str, statement_id: int, value: int) -> HttpResponse | None:
    ballot = permissions.ballot_for(secret, response_id, statement_id)
    if ballot is None:
        return None
    participant_id = ballot.participant_id
    if participant_id is None and ballot.anonymous:
        participant_id = selectors.anonymous_participant_id(ballot)
    if participant_id is None:
        return None  # a first vote creates the participant: the full route does that
    refusal = api_write_refusal(request)  # counted here only when the lane answers, so once
    if refusal is not None:
        return refusal
    if ballot.token_stale:
        api_token_touch(token_id=ballot.token_id)
    services.vote_record(
        response_id=response_id,
        participant_id=participant_id,
        community_id=ballot.community_id,
        user_id=None if ballot.anonymous else ballot.user_id,
        statement_id=statement_id,
        value=value,
    )
    picked, remaining = selectors.next_statement_drawn(
        response_id, participant_id, response_key=ballot.secret, revision=ballot.revision
    )
    payload = {
        "statement": statement_id,
        "value": value,
        "next": {
            "statement": {"id": picked[0], "text": picked[1]} if picked else None,
            "remaining": remaining,
        },
    }
    answer = HttpResponse(json.dumps(payload), content_type="application/json; charset=utf-8")
    answer["Content-Length"] = str(len(answer.content))  # CommonMiddleware would; the lane runs before it
    return answer
