"""The coordinators' message form, shared by the session, project and community pages."""

from __future__ import annotations

from django import forms

from .events import MESSAGE_LIMIT

AUDIENCE_LABELS = {
    "invited": "Everyone invited",
    "attending": "Everyone attending (answered yes)",
    "waitlisted": "Everyone on the waiting list",
    "team": "Everyone on the team",
    "everyone": "Every member of the community",
}


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label="Write to", widget=forms.RadioSelect)
    text = forms.CharField(
        label="Message",
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Up to {MESSAGE_LIMIT} characters. People see your name and the message, never each other's "
        "addresses; a link takes them to the page it is about.",
    )

    def __init__(self, *args, audiences: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(a, AUDIENCE_LABELS[a]) for a in audiences]
        self.fields["audience"].initial = audiences[0]
