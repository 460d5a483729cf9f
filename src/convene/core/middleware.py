"""Guards for API requests before any parsing: size (413), content type (415), unstorable text (400), rate (429)."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import JsonResponse

from convene.core.clients import client_address

_BODY_METHODS = {"POST", "PUT", "PATCH"}
# A JSON body can only carry a forbidden character as a raw byte or as a \\u escape.
_SUSPECT = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\\u(?:00[01][0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _bad_text(body: bytes) -> str | None:
    """A message naming the first string (by its key) that `text_problem` refuses, or None."""
    import json

    from convene.core.text import text_problem

    if b"\x00" in body:
        return "Text may not contain NUL (\\u0000) characters."
    try:
        data = json.loads(body)
    except ValueError:
        return None  # not JSON: the API answers 400 for the syntax
    stack = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((str(k), v) for k, v in value.items())
            stack.extend(("a key", k) for k in value)
        elif isinstance(value, list):
            stack.extend((where, v) for v in value)
        elif isinstance(value, str):
            problem = text_problem(value)
            if problem:
                field = f"“{where}”" if where else "the body"
                return f"Text in {field} {problem}."
    return None


class ApiBodyGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and request.method in _BODY_METHODS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return JsonResponse(
                    {
                        "detail": f"Request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
                        "code": "too_large",
                    },
                    status=413,
                )
            # Text that cannot be stored or exported (NUL: PostgreSQL; other C0 controls: XML/DOCX; lone
            # surrogates: not Unicode) is refused up front, naming the field (NUL found by fuzzing).
            if length and _SUSPECT.search(request.body):
                refusal = _bad_text(request.body)
                if refusal is not None:
                    return JsonResponse({"detail": refusal, "code": "invalid"}, status=400)
            content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if length and content_type not in {"application/json", ""} and not content_type.endswith("+json"):
                return JsonResponse(
                    {"detail": "Send the request body as application/json.", "code": "unsupported_media_type"},
                    status=415,
                )
        return self.get_response(request)


_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _api_caller(request) -> str:
    """Who a write is counted against: the bearer token, else the session's user, else the address."""
    import hashlib

    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + client_address(request)


class ApiRateLimitMiddleware:
    """At most `CONVENE_API_WRITES_PER_MINUTE` API writes per caller per minute (0 turns it off).

    A fixed one-minute window counted in Django's cache (`add` then `incr`), so with `REDIS_URL`
    every process shares the count. Over the limit the API answers 429 with `Retry-After`
    (seconds to the next window). Reads are not counted. Runs after authentication so a
    session's user is known; a token is counted by its hash without a database lookup.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in _WRITE_METHODS and request.path.startswith("/api/"):
            refusal = api_write_refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


def api_write_refusal(request) -> JsonResponse | None:
    """Count one API write for this caller; the 429 answer when it is over the limit, else None."""
    over = api_write_over(_api_caller(request))
    if over is None:
        return None
    payload, retry_after = over
    response = JsonResponse(payload, status=429)
    response["Retry-After"] = str(retry_after)
    return response


WINDOW_TTL = 120  # seconds a counter lives in the cache (the key names its minute)


def api_write_over(caller: str) -> tuple[dict, int] | None:
    """Count one API write for `caller`; (429 payload, Retry-After seconds) when over the limit."""
    limit = settings.CONVENE_API_WRITES_PER_MINUTE
    if limit <= 0:
        return None
    import time

    from django.core.cache import cache

    now = time.time()
    window = int(now // 60)
    key = f"api-writes:{caller}:{window}"
    cache.add(key, 0, timeout=WINDOW_TTL)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted in between
        cache.set(key, 1, timeout=WINDOW_TTL)
        count = 1
    if count <= limit:
        return None
    retry_after = max(1, int((window + 1) * 60 - now + 0.999))
    detail = f"Too many changes: at most {limit} a minute. Try again in {retry_after} s."
    payload = {"detail": detail, "code": "rate_limited"}
    return payload, retry_after
