"""Forms for the insight pages (all read-only: they filter what is shown)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from convene.communities.models import OpportunityKind


class RotationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Role to fill"),
        choices=[("", _("Any opportunity")), *OpportunityKind.choices],
        required=False,
    )
    skill = forms.CharField(
        label=_("Needs the skill (optional)"),
        max_length=60,
        required=False,
        help_text=_("Only people whose profile lists a skill containing this text."),
    )
    limit = forms.IntegerField(label=_("How many suggestions"), min_value=1, max_value=20, initial=5, required=False)
