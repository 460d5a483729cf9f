"""Forms for the insight pages (all read-only: they filter what is shown)."""

from __future__ import annotations

from django import forms

from convene.communities.models import OpportunityKind


class RotationForm(forms.Form):
    kind = forms.ChoiceField(
        label="Role to fill",
        choices=[("", "Any opportunity"), *OpportunityKind.choices],
        required=False,
    )
    skill = forms.CharField(
        label="Needs the skill (optional)",
        max_length=60,
        required=False,
        help_text="Only people whose profile lists a skill containing this text.",
    )
    limit = forms.IntegerField(label="How many suggestions", min_value=1, max_value=20, initial=5, required=False)
