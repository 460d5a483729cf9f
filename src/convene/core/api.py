"""The NinjaAPI instance: authentication, one error format, pagination helpers."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.pagination import LimitOffsetPagination
from ninja.security import APIKeyHeader, HttpBearer
from pydantic import BeforeValidator, StrictInt

from convene.accounts.services import token_for_secret
from convene.core.errors import ServiceError
from convene.core.health import RETRY_AFTER_SECONDS

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cvn_...` with a personal API token.

    A request that sends an `Authorization` header is judged by it alone: an unknown, revoked or
    expired token (or another scheme) is a 401, also on routes that are public without one, and a
    read-only token is a 403 on any write.
    """

    def __call__(self, request):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise AuthenticationError()
        return self.authenticate(request, secret.strip())

    def authenticate(self, request, token):
        found = token_for_secret(token)
        if found is None:
            raise AuthenticationError()
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied(_("This token is read-only: create a read-and-write token to make changes."))
        request.user = found.user
        request.api_token = found
        return found.user


class SessionAuth(APIKeyHeader):
    """The browser session, with Django's CSRF check on unsafe methods."""

    param_name = "X-CSRFToken"
    openapi_type = "apiKey"

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if reason is not None:
                raise PermissionDenied("CSRF check failed: send the X-CSRFToken header.")
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


class SessionOnlyAuth(SessionAuth):
    """A logged-in browser session and nothing else: a token cannot create or revoke tokens."""

    def __call__(self, request):
        if request.headers.get("Authorization"):
            raise PermissionDenied(_("Tokens cannot create or revoke tokens: do it from your profile page."))
        return super().__call__(request)


def anonymous(request):
    """Lets a route run without credentials; the route then sees an anonymous user."""
    request.user = getattr(request, "user", None) or AnonymousUser()
    return request.user if request.user.is_authenticated else _Anonymous()


class _Anonymous:
    is_authenticated = False


token_auth = TokenAuth()
session_auth = SessionAuth()


def _whole_number(value):
    """A float without a fraction (30.0) is the integer JSON Schema says it is: take it as one."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The integer of JSON request bodies: `{"type": "integer"}` in the schema, so a whole-number float
# (30.0) is accepted as well; booleans, strings and fractions are refused (as with StrictInt).
WholeInt = Annotated[StrictInt, BeforeValidator(_whole_number)]


SESSION_ONLY = [SessionOnlyAuth()]
REQUIRED = [token_auth, session_auth]
OPTIONAL = [token_auth, session_auth, anonymous]


class Pagination(LimitOffsetPagination):
    """limit/offset pagination with a bounded offset (an unbounded one overflows SQLite's integers)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=1_000_000_000)


class Error(Schema):
    detail: str | list
    code: str


_ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Answers the middleware gives before a route runs (core/middleware.py, core/views.server_error):
# every operation may meet an unreachable database (503); a write may be over the rate limit (429),
# too large (413) or not JSON (415).
_EVERY_OPERATION = {
    "503": "The database is briefly unavailable (Retry-After says when to try again).",
}
# Every operation that takes parameters or a body refuses ones that do not validate.
_WITH_INPUT = {"422": "A parameter or the body does not validate (`detail` lists each error)."}
_EVERY_WRITE = {
    "413": "The request body is too large.",
    "415": "The request body is not application/json.",
    "429": "Too many changes this minute (Retry-After says when to try again).",
}


# Text in a request body may not hold C0 control characters other than tab, line feed and carriage
# return (the body guard refuses them with 400, core/middleware.py), in values or in keys.
STORABLE_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$"
# The same rule, and at least one visible character: what a required name or tag needs (whitespace,
# zero-width and bidi controls alone are nothing to the services, core/text.py normalise_name).
_CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f"
_INVISIBLE = "\\s\\u0085\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\ufeff"
VISIBLE_TEXT = f"^[^{_CONTROL}]*[^{_CONTROL}{_INVISIBLE}][^{_CONTROL}]*$"


_STORABLE_JSON_REF = "#/components/schemas/StorableJSON"
# Any JSON value whose texts (strings and keys, at any depth) keep the rule: what an extra property
# of a request body may hold (the routes ignore extra properties; the body guard still reads them).
STORABLE_JSON = {
    "anyOf": [
        {"type": "string", "pattern": STORABLE_TEXT},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": {"$ref": _STORABLE_JSON_REF}},
        {
            "type": "object",
            "propertyNames": {"pattern": STORABLE_TEXT},
            "additionalProperties": {"$ref": _STORABLE_JSON_REF},
        },
    ],
}


_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _storable_text_only(node, components: dict, seen: set) -> None:
    """Document the body guard's text rule on every string and object key of a request body."""
    if isinstance(node, list):
        for item in node:
            _storable_text_only(item, components, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen and name in components:
            seen.add(name)
            _storable_text_only(components[name], components, seen)
        return
    if node.get("type") == "string" and "enum" not in node and "format" not in node:
        node.setdefault("pattern", STORABLE_TEXT)
    for short, keyword in _BOUNDS.items():  # pydantic leaves Field(ge=..) raw on `WholeInt | None`
        if short in node and node.get("type") in ("integer", "number"):
            node[keyword] = node.pop(short)
    if node.get("type") == "object" or "properties" in node or "additionalProperties" in node:
        node.setdefault("propertyNames", {"pattern": STORABLE_TEXT})
        if "properties" in node:  # a schema's own fields; anything else sent beside them is ignored
            node.setdefault("additionalProperties", {"$ref": _STORABLE_JSON_REF})
        if node.get("additionalProperties", True) is True:  # a free-form object (`dict`): any storable JSON
            node["additionalProperties"] = {"$ref": _STORABLE_JSON_REF}
    for value in node.values():
        _storable_text_only(value, components, seen)


class _Schema(OpenAPISchema):
    """Ninja's schema, where a route that also lets `anonymous` in says so: an empty security
    requirement (`{}`) beside the token and the session, i.e. credentials are optional there."""

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security and anonymous in (operation.auth_callbacks or []):
            security.append({})
        return security


class ConveneAPI(NinjaAPI):
    """NinjaAPI whose schema also documents the answers the middleware gives (see _EVERY_*) and
    its rule for text in request bodies (STORABLE_TEXT)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = _Schema(self, path_prefix)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["StorableJSON"] = STORABLE_JSON
        seen: set[str] = set()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _storable_text_only(operation.get("requestBody", {}), components, seen)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                extra = dict(_EVERY_OPERATION)
                if operation.get("parameters") or operation.get("requestBody"):
                    extra |= _WITH_INPUT
                if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
                    extra |= _EVERY_WRITE
                responses = operation.setdefault("responses", {})
                for status, description in extra.items():
                    responses.setdefault(
                        status,
                        {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}},
                    )
        return schema


api = ConveneAPI(
    title="Convene API",
    version="1",
    description=(
        "JSON API for Convene. Authenticate with a personal token (`Authorization: Bearer cvn_…`, "
        "created on your profile page) or a browser session with the `X-CSRFToken` header. "
        'Every error is `{"detail": …, "code": …}`.'
    ),
    urls_namespace="api",
    auth=REQUIRED,
)


def _error(request, status: int, detail, code: str):
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    response = _error(request, exc.status, exc.message, exc.code)
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, str(exc) or _("Not found."), "not_found")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or _("You are not allowed to do that."), "forbidden")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, _("Authentication required: log in or send a valid API token."), "unauthenticated")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors
    ]
    return _error(request, 422, errors, "validation_error")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_down(request, exc):
    """PostgreSQL restarting or failing over, SQLite's write lock held too long: try again shortly."""
    response = _error(
        request, 503, _("The database is briefly unavailable. Try again in a few seconds."), "unavailable"
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    return _error(request, exc.status_code, message, codes.get(exc.status_code, "error"))


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 410: Error, 422: Error}
