from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_LIMIT, REASON_LIMIT, TITLE_LIMIT

BODY_HELP = _("Markdown works. Type @ and a name to mention a member of this community.")


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=kwargs.pop("label", _("Message")),
            max_length=BODY_LIMIT,
            help_text=BODY_HELP,
            widget=forms.Textarea(attrs={"rows": 6, "data-mentions": ""}),
            **kwargs,
        )


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=TITLE_LIMIT, label=_("Title"))
    body = BodyField()


class PostForm(forms.Form):
    body = BodyField(label=_("Your reply"))


class EditForm(forms.Form):
    body = BodyField()


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=REASON_LIMIT)
