"""Errors that services raise; views and the API map them to status codes in one place."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out as asked. `code` is machine-readable."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidInput(ServiceError):
    status = 400
    code = "invalid"


class Unprocessable(InvalidInput):
    """Well-formed input that cannot be used as it is (a line break in a one-line field)."""

    status = 422
    code = "unprocessable"


class Conflict(ServiceError):
    """The request clashes with the current state (duplicate, wrong phase, last coordinator)."""

    status = 409
    code = "conflict"


class Gone(ServiceError):
    """Something that existed but no longer works (an expired invitation)."""

    status = 410
    code = "gone"


class RateLimited(ServiceError):
    """Too many requests of one kind from one client in a window (a request for opinion per hour)."""

    status = 429
    code = "rate_limited"


class TooLarge(ServiceError):
    """An upload over its size limit."""

    status = 413
    code = "too_large"


class UnsupportedType(ServiceError):
    """An upload whose contents are not a kind of file that is accepted."""

    status = 415
    code = "unsupported_media_type"
