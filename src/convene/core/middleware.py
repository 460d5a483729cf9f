"""Guards for API request bodies: size (413) and content type (415), before any parsing."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse

_BODY_METHODS = {"POST", "PUT", "PATCH"}


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
            # PostgreSQL cannot store NUL characters in text or JSON: refuse them up front (found by fuzzing).
            if length and (b"\\u0000" in request.body or b"\x00" in request.body):
                return JsonResponse(
                    {"detail": "Text may not contain NUL (\\u0000) characters.", "code": "invalid"}, status=400
                )
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
    return "ip:" + request.META.get("REMOTE_ADDR", "unknown")


class ApiRateLimitMiddleware:
    """At most `CONVENE_API_WRITES_PER_MINUTE` API writes per caller per minute (0 turns it off).

    A fixed one-minute window counted in Django's cache, so with `REDIS_URL` every process shares
    the count. Over the limit the API answers 429 with `Retry-After` (seconds to the next window).
    Reads are not counted. Runs after authentication so a session's user is known; a token is
    counted by its hash without a database lookup.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.CONVENE_API_WRITES_PER_MINUTE
        if limit > 0 and request.method in _WRITE_METHODS and request.path.startswith("/api/"):
            import time

            from django.core.cache import cache

            now = time.time()
            window = int(now // 60)
            key = f"api-writes:{_api_caller(request)}:{window}"
            cache.add(key, 0, timeout=120)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=120)
                count = 1
            if count > limit:
                retry_after = max(1, int((window + 1) * 60 - now + 0.999))
                response = JsonResponse(
                    {
                        "detail": f"Too many changes: at most {limit} a minute. Try again in {retry_after} s.",
                        "code": "rate_limited",
                    },
                    status=429,
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
