from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ALT_LIMIT


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    alt_text = forms.CharField(
        label=_("Alt text (for images)"),
        max_length=ALT_LIMIT,
        required=False,
        help_text=_("Required for images: say what the image shows, for people who cannot see it."),
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"{prefix_id}-%s"
