"""The requester's status mail, built in the worker (`tasks.send_requester_mail`): the delivery
mail carries the response as a PDF, which is too slow to render in the request that delivers it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _

from convene.core.text import header_safe

from . import exports
from .models import OpinionRequest, RequestStatus


def tracking_url(req: OpinionRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("deliberation:track", args=[req.token])


def requester_message(req: OpinionRequest) -> EmailMessage:
    """The requester hears of every change of status; the delivery mail carries the document as a PDF."""
    delivered = req.status == RequestStatus.DELIVERED and req.response is not None
    message = EmailMessage(
        subject=header_safe(
            _("[Convene] %(community)s: %(status)s")
            % {"community": req.community.name, "status": req.get_status_display()}
        ),
        body=(
            _("Your request for opinion to %(community)s is now: %(status)s.")
            % {"community": req.community.name, "status": req.get_status_display().lower()}
            + "\n\n"
            + (_("Reason: %(reason)s") % {"reason": req.decline_reason} + "\n\n" if req.decline_reason else "")
            + (
                _("The response is attached as a PDF; other formats are on the page below.") + "\n\n"
                if delivered
                else ""
            )
            + _("Details: %(url)s") % {"url": tracking_url(req)}
            + "\n"
        ),
        to=[req.contact],
    )
    if delivered:
        message.attach(f"joint-response-{req.response.pk}.pdf", exports.as_pdf(req.response), "application/pdf")
    return message
