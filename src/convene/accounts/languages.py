"""Interface languages: which language a viewer or a recipient reads Convene in.

A page: the signed-in person's profile language, else what Django's LocaleMiddleware found (the
language cookie set by the switcher in the header, then the browser's Accept-Language), else
settings.LANGUAGE_CODE. An e-mail: the recipient's profile language, else settings.LANGUAGE_CODE
(nobody's browser is asking). Only codes from settings.LANGUAGES are ever activated.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def is_language(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def profile_language(user) -> str:
    """The language the person chose in their profile, or "" (never set, or not signed in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    profile = getattr(user, "profile", None)  # the related profile may not exist yet
    code = getattr(profile, "language", "") if profile is not None else ""
    return code if is_language(code) else ""


def recipient_language(user) -> str:
    """The language to write an e-mail in for `user` (a person not looking at a page)."""
    return profile_language(user) or settings.LANGUAGE_CODE


class ProfileLanguageMiddleware:
    """After LocaleMiddleware and authentication: a signed-in person's saved language wins over the
    cookie and Accept-Language, so they read Convene in it on every device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = profile_language(getattr(request, "user", None))
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
