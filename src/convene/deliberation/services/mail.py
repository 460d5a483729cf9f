"""The mail a request for opinion sends (to the requester and the coordinators), sent on commit;
the delivery mail attaches the response as a PDF."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.urls import reverse

from convene.communities.models import Membership
from convene.core.text import header_safe

from .. import exports
from ..models import OpinionRequest, RequestStatus


def tracking_url(req: OpinionRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("deliberation:track", args=[req.token])


def mail_new_request(request_id: int) -> None:
    req = OpinionRequest.objects.select_related("community").get(pk=request_id)
    send_mail(
        subject=header_safe(f"[Convene] Your request for opinion to {req.community.name}"),
        message=(
            f"Thank you, {req.requester_name}. {req.community.name} received your request for opinion.\n\n"
            f"Follow its progress, and read the response when it is delivered, at this private link "
            f"(keep it to yourself):\n{tracking_url(req)}\n"
        ),
        from_email=None,
        recipient_list=[req.contact],
    )
    coordinators = list(
        Membership.objects.filter(community=req.community, role="coordinator").values_list("user__email", flat=True)
    )
    if coordinators:
        send_mail(
            subject=header_safe(f"[Convene] New request for opinion from {req.organisation}"),
            message=(
                f"{req.requester_name} ({req.organisation}) asks {req.community.name}:\n\n{req.question}\n\n"
                f"Deadline: {req.deadline:%d %B %Y}\nDecide here: {settings.SITE_URL.rstrip('/')}"
                f"{reverse('deliberation:requests', args=[req.community.slug])}\n"
            ),
            from_email=None,
            recipient_list=coordinators,
        )


def mail_requester(request_id: int) -> None:
    """The requester hears of every change of status; the delivery mail carries the document as a PDF."""
    req = OpinionRequest.objects.select_related("community", "response").get(pk=request_id)
    delivered = req.status == RequestStatus.DELIVERED and req.response is not None
    mail = EmailMessage(
        subject=header_safe(f"[Convene] {req.community.name}: {req.get_status_display()}"),
        body=(
            f"Your request for opinion to {req.community.name} is now: {req.get_status_display().lower()}.\n\n"
            + (f"Reason: {req.decline_reason}\n\n" if req.decline_reason else "")
            + ("The response is attached as a PDF; other formats are on the page below.\n\n" if delivered else "")
            + f"Details: {tracking_url(req)}\n"
        ),
        to=[req.contact],
    )
    if delivered:
        mail.attach(f"joint-response-{req.response.pk}.pdf", exports.as_pdf(req.response), "application/pdf")
    mail.send()
