"""The coordinators' message form, shared by the session, project and community pages."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .events import MESSAGE_LIMIT

AUDIENCE_LABELS = {
    "invited": _("Everyone invited"),
    "attending": _("Everyone attending (answered yes)"),
    "waitlisted": _("Everyone on the waiting list"),
    "team": _("Everyone on the team"),
    "everyone": _("Every member of the community"),
}


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label=_("Write to"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            _(
                "Up to {limit} characters. People see your name and the message, never each other's "
                "addresses; a link takes them to the page it is about."
            ),
            limit=MESSAGE_LIMIT,
        ),
    )

    def __init__(self, *args, audiences: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(a, AUDIENCE_LABELS[a]) for a in audiences]
        self.fields["audience"].initial = audiences[0]
