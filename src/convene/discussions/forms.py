from django import forms

from .models import BODY_LIMIT, REASON_LIMIT, TITLE_LIMIT

BODY_HELP = "Markdown works. Type @ and a name to mention a member of this community."


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=kwargs.pop("label", "Message"),
            max_length=BODY_LIMIT,
            help_text=BODY_HELP,
            widget=forms.Textarea(attrs={"rows": 6, "data-mentions": ""}),
            **kwargs,
        )


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=TITLE_LIMIT)
    body = BodyField()


class PostForm(forms.Form):
    body = BodyField(label="Your reply")


class EditForm(forms.Form):
    body = BodyField()


class HideForm(forms.Form):
    reason = forms.CharField(label="Reason for hiding", max_length=REASON_LIMIT)
