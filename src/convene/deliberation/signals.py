"""What drops the vote path's cached facts when what they were read from changes.

The rank of a person on a response (`permissions.response_rank`) and a participant
(`services.common.participant_for`) are kept in the shared cache; these receivers drop them when
a membership is saved or deleted, a response's invited communities change, or a participant is
deleted. Connected when the app is ready (apps.py).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from convene.communities.models import Membership

from .models import JointResponse, Participant
from .permissions import ranks_forget
from .services.common import participant_forget


@receiver(post_save, sender=Membership, dispatch_uid="deliberation.membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="deliberation.membership_deleted")
def membership_changed(sender, instance, **kwargs):
    ranks_forget(user_ids=[instance.user_id], community_ids=[instance.community_id])


@receiver(m2m_changed, sender=JointResponse.communities.through, dispatch_uid="deliberation.invited_changed")
def invited_changed(sender, instance, action, pk_set, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # from the community's side: `instance` is a community, `pk_set` responses
        ranks_forget(community_ids=[instance.pk], response_ids=pk_set)
    else:
        communities = pk_set if pk_set is not None else instance.communities.values_list("pk", flat=True)
        ranks_forget(community_ids=list(communities), response_ids=[instance.pk])


@receiver(post_delete, sender=Participant, dispatch_uid="deliberation.participant_deleted")
def participant_deleted(sender, instance, **kwargs):
    participant_forget(instance)
