"""The perception-gap step: predictions of how another community votes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from convene.communities.models import Community
from convene.core.errors import Conflict, InvalidInput

from ..models import JointResponse, Phase, Prediction, Statement
from ..permissions import invited_ids
from .common import participant_for, require_phase


@transaction.atomic
def prediction_save(*, response: JointResponse, user, statement: Statement, target: Community, share) -> Prediction:
    if not response.perception_step:
        raise Conflict(_("This response has no perception-gap step."))
    require_phase(response, Phase.GATHERING, Phase.DRAFTING, doing=_("make predictions"))
    if statement.response_id != response.pk or not statement.is_key:
        raise InvalidInput(_("Predictions are made on the key statements only."), field="statement")
    try:
        share = float(share)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give a percentage between 0 and 100."), field="share") from None
    if not 0 <= share <= 100:
        raise InvalidInput(_("Give a percentage between 0 and 100."), field="share")
    participant = participant_for(response, user, create=True)
    if target.pk not in invited_ids(response) or target.pk == participant.community_id:
        raise InvalidInput(_("Predict for another invited community, not your own."), field="target")
    prediction, _created = Prediction.objects.update_or_create(
        participant=participant,
        statement=statement,
        target=target,
        defaults={"response": response, "share": share / 100.0},
    )
    return prediction
