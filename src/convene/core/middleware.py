"""Guards for API requests before any parsing: size (413), content type (415), unstorable text (400),
nesting too deep for a parser (400), a body that is not a JSON object (422), rate (429); chunked
bodies read (WSGI); unknown API paths, unhandled errors and an unreachable database as JSON."""

from __future__ import annotations

import hashlib
import io
import json
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from convene.core.cache import cache_unavailable
from convene.core.clients import client_address
from convene.core.text import text_problem

_BODY_METHODS = {"POST", "PUT", "PATCH"}
# A JSON body can only carry a forbidden character as a raw byte or as a \\u escape.
_SUSPECT = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\\u(?:00[01][0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _bad_text(body: bytes) -> str | None:
    """A message naming the first string (by its key) that `text_problem` refuses, or None."""
    if b"\x00" in body:
        return "Text may not contain NUL (\\u0000) characters."
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON (the API answers 400 for the syntax) or too deep (_shape_refusal)
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
        if request.method == "POST" and request.path.startswith(UPLOAD_PREFIX) and _multipart(request):
            return self._upload(request)
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
            if length:
                refusal = _shape_refusal(request.body)
                if refusal is not None:
                    return refusal
        return self.get_response(request)

    def _upload(self, request):
        """A file upload (multipart/form-data, attachment routes only): bounded by the attachment
        limit instead of the JSON body limit; the file's contents are judged by the service."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.CONVENE_ATTACHMENT_MAX_BYTES
        if length > limit + UPLOAD_OVERHEAD:
            detail = _("The file is too large: a file can be at most %(limit)s.") % {"limit": filesizeformat(limit)}
            return JsonResponse({"detail": detail, "code": "too_large"}, status=413)
        return self.get_response(request)


# Uploads: multipart/form-data is taken on these API paths only, bounded by the attachment limit
# plus room for the form's other fields and the multipart framing.
UPLOAD_PREFIX = "/api/v1/attachments/on/"
UPLOAD_OVERHEAD = 64 * 1024


def _multipart(request) -> bool:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == "multipart/form-data"


# More brackets than this and the body is parsed here once to see whether a parser can bear it.
_BRACKETS_CHECKED = 256


def _shape_refusal(body: bytes) -> JsonResponse | None:
    """400 for JSON nested too deep to parse (RecursionError, found by an attack: 2,000 levels in
    4 KB); 422 for a JSON body that is not an object (`[null,null]`, `"x"`, `true`): every API
    body is an object, and a non-object would be read attribute by attribute into defaults."""
    stripped = body.lstrip()
    deep = body.count(b"[") + body.count(b"{") > _BRACKETS_CHECKED
    if not deep and stripped[:1] == b"{":
        return None
    try:
        data = json.loads(body)
    except RecursionError:
        return JsonResponse({"detail": "The request body is nested too deeply.", "code": "bad_request"}, status=400)
    except ValueError:
        return None  # not JSON: the API answers 400 for the syntax
    if isinstance(data, dict):
        return None
    error = {"loc": ["body"], "msg": "The request body must be a JSON object.", "type": "object_type"}
    return JsonResponse({"detail": [error], "code": "validation_error"}, status=422)


_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _api_caller(request) -> str:
    """Who a write is counted against: the bearer token, else the session's user, else the address."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + client_address(request)


class ApiRateLimitMiddleware:
    """At most `CONVENE_API_WRITES_PER_MINUTE` API writes per caller per minute (0 turns it off).

    A fixed one-minute window counted in Django's cache (`incr`; `add` for the minute's first
    write), so with `REDIS_URL` every process shares the count. Over the limit the API answers 429 with `Retry-After`
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
    now = time.time()
    window = int(now // 60)
    key = f"api-writes:{caller}:{window}"
    try:
        try:
            count = cache.incr(key)  # one round trip for every write but the minute's first
        except ValueError:  # the minute's first write (or the counter was evicted)
            count = 1 if cache.add(key, 1, timeout=WINDOW_TTL) else cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - whatever the cache's failure, the write goes ahead
        cache_unavailable(exc)  # fail open, with a (rate-limited) warning in the log
        return None
    if count <= limit:
        return None
    retry_after = max(1, int((window + 1) * 60 - now + 0.999))
    detail = f"Too many changes: at most {limit} a minute. Try again in {retry_after} s."
    payload = {"detail": detail, "code": "rate_limited"}
    return payload, retry_after


class ApiJsonMiddleware:
    """Every answer under /api/ is JSON: Django's own 404 (unknown path, a non-integer id that no
    route matches) and ninja's bare 405 get the API's error format."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return JsonResponse({"detail": "No such API endpoint.", "code": "not_found"}, status=404)
        allowed = response.get("Allow", "")
        answer = JsonResponse(
            {
                "detail": f"Method {request.method} is not allowed here (allowed: {allowed}).",
                "code": "method_not_allowed",
            },
            status=405,
        )
        answer["Allow"] = allowed
        return answer


def read_chunked_bodies(application):
    """WSGI wrapper: a body sent with `Transfer-Encoding: chunked` has no Content-Length, and
    Django then reads it as empty. Servers that de-chunk (gunicorn sets `wsgi.input_terminated`)
    let us read it to the end here, bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond it)."""

    def wrapped(environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                start_response("413 Content Too Large", [("Content-Type", "application/json")])
                detail = {"detail": f"Request body is larger than {limit} bytes.", "code": "too_large"}
                return [json.dumps(detail).encode()]
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return application(environ, start_response)

    return wrapped
