"""What a request for opinion enqueues for mail (never a send in the request): the receipt to the
requester and the note to the coordinators as outbox items, the status mail (with the PDF once
delivered) as a task that builds it in the worker (`deliberation.mailing`)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from convene.communities.models import Membership
from convene.notifications.outbox import item, mail_later

from .. import tasks
from ..mailing import tracking_url
from ..models import OpinionRequest

__all__ = ["mail_new_request", "mail_requester", "tracking_url"]


def mail_new_request(request_id: int) -> None:
    req = OpinionRequest.objects.select_related("community").get(pk=request_id)
    items = [
        item(
            to=req.contact,
            subject=f"Your request for opinion to {req.community.name}",
            body=(
                f"Thank you, {req.requester_name}. {req.community.name} received your request for opinion.\n\n"
                f"Follow its progress, and read the response when it is delivered, at this private link "
                f"(keep it to yourself):\n{tracking_url(req)}\n"
            ),
        )
    ]
    coordinators = Membership.objects.filter(community=req.community, role="coordinator").values_list(
        "user__email", flat=True
    )
    link = settings.SITE_URL.rstrip("/") + reverse("deliberation:requests", args=[req.community.slug])
    items += [
        item(
            to=address,
            subject=f"New request for opinion from {req.organisation}",
            body=(
                f"{req.requester_name} ({req.organisation}) asks {req.community.name}:\n\n{req.question}\n\n"
                f"Deadline: {req.deadline:%d %B %Y}\nDecide here: {link}\n"
            ),
        )
        for address in coordinators
    ]
    mail_later(items)


def mail_requester(request_id: int) -> None:
    """Enqueue the requester's status mail (called on commit)."""
    tasks.send_requester_mail.enqueue(request_id)
