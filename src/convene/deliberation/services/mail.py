"""What a request for opinion enqueues for mail (never a send in the request): the receipt to the
requester and the note to the coordinators as outbox items, the status mail (with the PDF once
delivered) as a task that builds it in the worker (`deliberation.mailing`)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convene.accounts.languages import recipient_language
from convene.communities.models import Membership
from convene.core.text import day_text
from convene.notifications.events import notify_mailed
from convene.notifications.outbox import item, mail_later
from convene.notifications.phrases import phrase

from .. import tasks
from ..mailing import tracking_url
from ..models import OpinionRequest

__all__ = ["mail_new_request", "mail_requester", "tracking_url"]


def mail_new_request(request_id: int) -> None:
    req = OpinionRequest.objects.select_related("community").get(pk=request_id)
    items = [
        item(
            to=req.contact,
            subject=_("Your request for opinion to %(community)s") % {"community": req.community.name},
            body=_(
                "Thank you, %(name)s. %(community)s received your request for opinion.\n\n"
                "Follow its progress, and read the response when it is delivered, at this private link "
                "(keep it to yourself):\n%(url)s\n"
            )
            % {"name": req.requester_name, "community": req.community.name, "url": tracking_url(req)},
        )
    ]
    coordinators = [
        m.user
        for m in Membership.objects.filter(community=req.community, role="coordinator").select_related("user__profile")
    ]
    link = settings.SITE_URL.rstrip("/") + reverse("deliberation:requests", args=[req.community.slug])
    for coordinator in coordinators:  # each in their own language
        with translation.override(recipient_language(coordinator)):
            items.append(
                item(
                    to=coordinator.email,
                    subject=_("New request for opinion from %(organisation)s") % {"organisation": req.organisation},
                    body=_(
                        "%(name)s (%(organisation)s) asks %(community)s:\n\n%(question)s\n\n"
                        "Deadline: %(deadline)s\nDecide here: %(url)s\n"
                    )
                    % {
                        "name": req.requester_name,
                        "organisation": req.organisation,
                        "community": req.community.name,
                        "question": req.question,
                        "deadline": day_text(req.deadline),
                        "url": link,
                    },
                )
            )
    notify_mailed(  # the mail above carries the same news
        recipients=[c.pk for c in coordinators],
        kind="request.received",
        obj=req,
        text=phrase(
            gettext_lazy("%(organisation)s asks %(community)s for an opinion: “%(question)s”"),
            organisation=req.organisation,
            community=req.community.name,
            question=Truncator(req.question).chars(120),
        ),
        url=reverse("deliberation:requests", args=[req.community.slug]),
        community=req.community,
    )
    mail_later(items)


def mail_requester(request_id: int) -> None:
    """Enqueue the requester's status mail (called on commit)."""
    tasks.send_requester_mail.enqueue(request_id)
