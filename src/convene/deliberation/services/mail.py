"""The mail a request for opinion sends (to the requester and the coordinators), sent on commit;
the delivery mail attaches the response as a PDF."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from convene.communities.models import Membership
from convene.core.text import header_safe

from .. import exports
from ..models import OpinionRequest, RequestStatus


def tracking_url(req: OpinionRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("deliberation:track", args=[req.token])


def mail_new_request(request_id: int) -> None:
    req = OpinionRequest.objects.select_related("community").get(pk=request_id)
    send_mail(
        subject=header_safe(
            _("[Convene] Your request for opinion to %(community)s") % {"community": req.community.name}
        ),
        message=_(
            "Thank you, %(name)s. %(community)s received your request for opinion.\n\n"
            "Follow its progress, and read the response when it is delivered, at this private link "
            "(keep it to yourself):\n%(url)s\n"
        )
        % {"name": req.requester_name, "community": req.community.name, "url": tracking_url(req)},
        from_email=None,
        recipient_list=[req.contact],
    )
    coordinators = list(
        Membership.objects.filter(community=req.community, role="coordinator").values_list("user__email", flat=True)
    )
    if coordinators:
        send_mail(
            subject=header_safe(
                _("[Convene] New request for opinion from %(organisation)s") % {"organisation": req.organisation}
            ),
            message=_(
                "%(name)s (%(organisation)s) asks %(community)s:\n\n%(question)s\n\n"
                "Deadline: %(deadline)s\nDecide here: %(url)s\n"
            )
            % {
                "name": req.requester_name,
                "organisation": req.organisation,
                "community": req.community.name,
                "question": req.question,
                "deadline": f"{req.deadline:%d %B %Y}",
                "url": settings.SITE_URL.rstrip("/") + reverse("deliberation:requests", args=[req.community.slug]),
            },
            from_email=None,
            recipient_list=coordinators,
        )


def mail_requester(request_id: int) -> None:
    """The requester hears of every change of status; the delivery mail carries the document as a PDF."""
    req = OpinionRequest.objects.select_related("community", "response").get(pk=request_id)
    delivered = req.status == RequestStatus.DELIVERED and req.response is not None
    mail = EmailMessage(
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
        mail.attach(f"joint-response-{req.response.pk}.pdf", exports.as_pdf(req.response), "application/pdf")
    mail.send()
