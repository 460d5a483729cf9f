"""Stored files go when their row goes (deleted directly or with its parent), after the commit."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Attachment
from .storage import attachment_storage


@receiver(post_delete, sender=Attachment)
def _remove_file(sender, instance: Attachment, **kwargs) -> None:
    name = instance.stored_name
    if name:
        transaction.on_commit(lambda: attachment_storage().delete(name))
