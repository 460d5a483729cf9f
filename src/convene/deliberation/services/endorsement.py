"""Endorsement: endorse, endorse with reservations, object or abstain."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.core.errors import InvalidInput
from convene.core.text import clean_text

from ..models import Endorsement, JointResponse, Phase, Stance
from .common import participant_for, refuse_if_delivered, require_phase


@transaction.atomic
def endorsement_cast(*, response: JointResponse, user, stance: str, reason: str = "") -> Endorsement:
    refuse_if_delivered(response)
    require_phase(response, Phase.ENDORSEMENT, doing=_("endorse"))
    if stance not in Stance.values:
        raise InvalidInput(_("Choose endorse, endorse with reservations, object or abstain."), field="stance")
    reason = clean_text(reason, field="reason", label=_("The reason"), limit=2000)
    participant = participant_for(response, user, create=True)
    endorsement, _created = Endorsement.objects.update_or_create(
        response=response,
        participant=participant,
        defaults={"stance": stance, "reason": reason, "updated_at": timezone.now()},
    )
    return endorsement
