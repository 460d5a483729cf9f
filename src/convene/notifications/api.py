"""/api/v1/notifications: the person's own notifications (list, unread count, mark read) and mail
preferences. Token or session, like the rest of the API; nobody sees anyone else's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.http import Http404
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from convene.core.api import ERRORS, Pagination
from convene.core.errors import ServiceError, Unprocessable

from . import selectors, services
from .inbound import ReplyRefused, inbound_receive
from .kinds import KINDS, Delivery

router = Router(tags=["notifications"])
# POST /api/v1/mail/inbound: replies by e-mail handed over by a mail provider (docs/notifications.md).
mail_router = Router(tags=["mail"])
INBOUND_LIMIT = 10 * 1024 * 1024


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="a code such as session.invited (GET /notifications/preferences lists them)")
    kind_label: str
    text: str
    url: str = Field(description="the page it is about, a path on this site (may be empty)")
    community: str | None = Field(None, description="the community's slug, when it belongs to one")
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return selectors.kind_label(obj.kind)

    @staticmethod
    def resolve_community(obj) -> str | None:
        return obj.community.slug if obj.community_id else None


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int = Field(description="how many notifications were unread and are now read")
    unread: int


# The kinds as a closed set, so the schema says which keys `choices` may hold (an unknown one is 422).
KindCode = StrEnum("KindCode", {code: code for code in KINDS})


class PreferenceOut(Schema):
    kind: str
    label: str
    delivery: Delivery
    default: Delivery
    urgent: bool = Field(description="mailed at once even when a digest is chosen (unless never)")


class PreferencesIn(Schema):
    choices: dict[KindCode, Delivery] = Field(
        description="kind → immediate, daily, weekly or never; kinds left out keep their choice"
    )


@router.get("", response={200: list[NotificationOut], **ERRORS}, summary="Your notifications, newest first")
@paginate(Pagination)
def list_notifications(request, unread: bool = Query(False, description="only unread notifications")):
    return selectors.inbox(request.user, unread_only=unread)


@router.get("/unread-count", response={200: UnreadOut, **ERRORS}, summary="How many are unread (one COUNT)")
def unread_count(request):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/read-all", response={200: MarkedOut, **ERRORS}, summary="Mark all your notifications read")
def read_all(request):
    marked = services.notifications_mark_read(user=request.user)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}


@router.post("/{notification_id}/read", response={200: MarkedOut, **ERRORS}, summary="Mark one notification read")
def read_one(request, notification_id: int):
    if selectors.notification_of(request.user, notification_id) is None:
        raise Http404("No such notification.")
    marked = services.notifications_mark_read(user=request.user, ids=[notification_id])
    return {"marked": marked, "unread": selectors.unread_count(request.user)}


@router.get("/preferences", response={200: list[PreferenceOut], **ERRORS}, summary="How each kind is mailed to you")
def get_preferences(request):
    return selectors.preferences_for(request.user)


@router.put("/preferences", response={200: list[PreferenceOut], **ERRORS}, summary="Change how kinds are mailed")
def put_preferences(request, payload: PreferencesIn):
    services.preferences_set(user=request.user, choices={str(k): str(v) for k, v in payload.choices.items()})
    return selectors.preferences_for(request.user)


# ----------------------------------------------------------------------------- inbound mail webhook


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class InboundMailIn(Schema):
    sender: str = Field("", max_length=500, description="The envelope sender (MAIL FROM); empty for a bounce")
    recipients: list[str] = Field(..., min_length=1, max_length=20, description="The envelope recipients")
    message: str = Field(..., max_length=INBOUND_LIMIT, description="The whole message as received (RFC 5322)")


class InboundMailOut(Schema):
    posts: list[int] = Field(description="The posts made (empty when the mail was automatic)")
    ignored: str = Field("", description="Why nothing was posted: automatic mail (a bounce, an auto-reply)")


def _check_secret(request) -> None:
    secret = settings.CONVENE_INBOUND_SECRET
    if not secret:
        raise Http404(_("Replies by e-mail through a provider are not set up on this site."))
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not constant_time_compare(given.strip(), secret):
        raise Unauthenticated(_("Send the shared secret (CONVENE_INBOUND_SECRET) as a Bearer token."))


@mail_router.post(
    "/inbound",
    auth=None,
    response={200: InboundMailOut, **ERRORS},
    summary="A reply by e-mail from a mail provider (Authorization: Bearer <CONVENE_INBOUND_SECRET>)",
)
def inbound_mail(request, payload: InboundMailIn):
    _check_secret(request)
    try:
        received = inbound_receive(content=payload.message, mail_from=payload.sender, recipients=payload.recipients)
    except ReplyRefused as exc:
        raise Unprocessable(exc.message, code="reply_refused") from None
    return {"posts": [p.pk for p in received.posts], "ignored": received.ignored}
