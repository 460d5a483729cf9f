"""Where attachment files are kept: Django's storage API only (docs/attachments.md).

`STORAGES["attachments"]` when the settings name it (the default: the file system under
MEDIA_ROOT; an S3-compatible bucket through django-storages by configuration), else the
default storage. Code here never builds a path or URL itself.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages

ALIAS = "attachments"


def attachment_storage() -> Storage:
    if ALIAS in settings.STORAGES:
        return storages[ALIAS]
    return default_storage
