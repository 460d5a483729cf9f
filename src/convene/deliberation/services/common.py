"""What the sub-domain services share: who takes part (participants), phase guards, the voice ledger."""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from convene.communities.ledgers import contribution_record
from convene.communities.models import Membership, Role
from convene.communities.permissions import Need
from convene.core.db import unique_or_none
from convene.core.errors import Conflict

from ..models import JointResponse, Participant, Phase
from ..permissions import can_act, home_community, invited_ids
from ..shared_cache import participant_key


def record_voice(response: JointResponse, participant: Participant, kind: str) -> None:
    """Voice ledger; anonymous responses never write it."""
    if response.anonymous or participant.user_id is None:
        return
    contribution_record(community=participant.community, user=participant.user, kind=kind, context=response.context)


# Who takes part changes once per person and response (the row is created, then only deleted with
# the response or the person's community), so a found participant is kept in the shared cache:
# an API vote then reads no participant row. Cached only once committed; dropped when deleted
# (`participant_forget`, connected in apps.py). The key is `shared_cache.participant_key`.
PARTICIPANT_SECONDS = 600


def participant_for(
    response: JointResponse, user, *, create: bool, cached: Participant | None = None
) -> Participant | None:
    """This person's participant in the response (created if `create`), or None.

    `cached` is what the caller already read from the cache under `shared_cache.participant_key`,
    if anything."""
    if isinstance(cached, Participant) and cached.response_id == response.pk:
        return cached
    key = response.user_key(user.pk)
    cache_key = participant_key(response.pk, key)
    participant = cache.get(cache_key)
    if participant is not None:
        return participant
    participant = unique_or_none(Participant.objects.filter(response_id=response.pk, user_key=key))
    if participant is None and create:
        participant = _participant_create(response, user, key)
    if participant is not None:
        found = participant
        transaction.on_commit(lambda: cache.set(cache_key, found, timeout=PARTICIPANT_SECONDS))
    return participant


def _participant_create(response: JointResponse, user, key: str) -> Participant:
    community = home_community(user, response)
    if community is None:
        raise Conflict(_("Only members of the invited communities take part in this response."), code="not_invited")
    try:
        with transaction.atomic():
            return Participant.objects.create(
                response=response,
                user_key=key,
                user=None if response.anonymous else user,
                community=community,
            )
    except IntegrityError:
        return Participant.objects.get(response=response, user_key=key)


def participant_forget(participant: Participant) -> None:
    cache_key = participant_key(participant.response_id, participant.user_key)
    cache.delete(cache_key)
    transaction.on_commit(lambda: cache.delete(cache_key))


def require_phase(response: JointResponse, *phases: str, doing: str) -> None:
    response.refresh_from_db(fields=["state"])  # the phase may have moved since the caller loaded it
    if response.state not in phases:
        names = _(" or ").join(str(Phase(p).label).lower() for p in phases)
        raise Conflict(
            _("You can %(doing)s only while the response is %(phases)s; it is %(state)s.")
            % {"doing": doing, "phases": names, "state": response.get_state_display().lower()},
            code="wrong_phase",
        )


def is_coordinator(user, response: JointResponse) -> bool:
    return can_act(user, response, Need.COORDINATOR)


def refuse_if_delivered(response: JointResponse) -> None:
    response.refresh_from_db(fields=["state"])
    if response.state in (Phase.DELIVERED, Phase.CLOSED):
        raise Conflict(_("This response was delivered: it can no longer be edited."), code="delivered")
    if response.state == Phase.WITHDRAWN:
        raise Conflict(_("This response was withdrawn: it can no longer be edited."), code="withdrawn")


def people_taking_part(response: JointResponse) -> list[int]:
    """Who a response concerns: the members and coordinators of the communities invited to it
    (the people the phase reminders go to). Their ids only; never tied to what they wrote."""
    return sorted(
        set(
            Membership.objects.filter(
                community_id__in=invited_ids(response), role__in=(Role.MEMBER, Role.COORDINATOR)
            ).values_list("user_id", flat=True)
        )
    )
