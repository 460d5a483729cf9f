"""Phase reminders for joint responses, sent by `convene remind` (cron-safe, never twice).

A member of an invited community who has not yet taken part in the current phase gets one
notification and one mail `CONVENE_PHASE_REMINDER_HOURS` (default 24) before the phase ends (the
notification is stamped as mailed, so the mail delivery does not repeat it). The mails of a run are
outbox items: one task, sent by the worker over one SMTP connection. Taking part means: voted or
wrote a statement (gathering), commented on the draft (drafting), endorsed or objected
(endorsement).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convene.accounts.languages import recipient_language
from convene.accounts.zones import recipient_zone
from convene.communities.models import Membership
from convene.core.text import day_text
from convene.notifications.events import notify_mailed
from convene.notifications.outbox import item, mail_later

from .models import PHASE_END_FIELD, JointResponse, Participant, Phase, ReminderSent
from .permissions import invited_ids

WHAT = {
    Phase.GATHERING: gettext_lazy("add your view or vote on your colleagues' statements"),
    Phase.DRAFTING: gettext_lazy("read the draft and comment on it"),
    Phase.ENDORSEMENT: gettext_lazy("endorse the response, or record your objection"),
}


def _took_part(response: JointResponse, phase: str) -> set[str]:
    parts = Participant.objects.filter(response=response)
    if phase == Phase.GATHERING:
        parts = parts.filter(votes__isnull=False) | parts.filter(statements__isnull=False)
    elif phase == Phase.DRAFTING:
        parts = parts.filter(comments__isnull=False)
    else:
        parts = parts.filter(endorsements__isnull=False)
    return set(parts.values_list("user_key", flat=True))


def send_due_reminders(now) -> int:
    hours = getattr(settings, "CONVENE_PHASE_REMINDER_HOURS", 24)
    window = now + timedelta(hours=hours)
    sent = 0
    outbox: list[dict] = []
    for phase, field in PHASE_END_FIELD.items():
        due = JointResponse.objects.filter(state=phase, **{f"{field}__gt": now, f"{field}__lte": window})
        for response in due.select_related("community"):
            done = _took_part(response, phase)
            already = set(ReminderSent.objects.filter(response=response, phase=phase).values_list("user_id", flat=True))
            members = (
                Membership.objects.filter(community_id__in=invited_ids(response), role__in=("member", "coordinator"))
                .select_related("user")
                .order_by("user_id")
            )
            seen = set()
            for m in members:
                user = m.user
                if user.pk in seen or user.pk in already or response.user_key(user.pk) in done:
                    continue
                seen.add(user.pk)
                with translation.override(recipient_language(user)):  # their language, their zone
                    zone = recipient_zone(user)
                    with timezone.override(zone):  # the recipient's zone, named
                        when = timezone.localtime(getattr(response, field))
                        ends = _("%(day)s at %(time)s (%(zone)s)") % {
                            "day": day_text(when),
                            "time": f"{when:%H:%M}",
                            "zone": zone,
                        }
                    news = {
                        "phase": response.get_state_display(),
                        "title": response.title,
                        "ends": ends,
                        "what": WHAT[phase],
                    }
                    try:
                        with transaction.atomic():
                            ReminderSent.objects.create(response=response, user=user, phase=phase)
                            notify_mailed(  # the mail below carries the same news
                                recipients=[user.pk],
                                kind="response.deadline",
                                obj=response,
                                text=_(
                                    "%(phase)s of the joint response “%(title)s” ends on %(ends)s: "
                                    "there is still time to %(what)s."
                                )
                                % news,
                                url=reverse("deliberation:detail", args=[response.pk]),
                                community=response.community,
                            )
                    except IntegrityError:
                        continue  # another run got there first
                    link = settings.SITE_URL.rstrip("/") + reverse("deliberation:detail", args=[response.pk])
                    outbox.append(
                        item(
                            to=user.email,
                            subject=_("%(phase)s ends soon: %(title)s") % news,
                            body=_(
                                "%(phase)s of the joint response “%(title)s” ends on %(ends)s. "
                                "There is still time to %(what)s."
                            )
                            % news
                            + f"\n\n{link}\n",
                        )
                    )
                    sent += 1
    mail_later(outbox)
    return sent
