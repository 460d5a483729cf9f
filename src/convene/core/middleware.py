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
