from django import forms
from django.conf import settings

from .models import Seniority, TokenScope
from .zones import known_zones


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, label="Display name")
    discipline = forms.CharField(max_length=80, required=False, label="Practice / discipline")
    organisation = forms.CharField(max_length=120, required=False)
    seniority = forms.ChoiceField(choices=[("", "Prefer not to say"), *Seniority.choices], required=False)
    skills = forms.CharField(
        max_length=1000, required=False, help_text="Separate with commas, e.g. python, triage, facilitation."
    )
    interests = forms.CharField(
        max_length=1000, required=False, help_text="What you would like to learn or explore; commas between."
    )
    hours_per_month = forms.IntegerField(min_value=0, max_value=200, initial=0, label="Hours a month you can give")
    bio = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False)
    time_zone = forms.ChoiceField(
        choices=(),
        required=False,
        label="Time zone",
        help_text="Dates and times on pages and in e-mails are shown in this zone. "
        "Leave it on “Your browser's zone” to follow the device you use.",
    )

    language = forms.ChoiceField(
        choices=(),
        required=False,
        label="Language",
        help_text="The language of pages and e-mails. "
        "Leave it on “Your browser's language” to follow the device you use.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "Your browser's language"), *settings.LANGUAGES]
        self.fields["time_zone"].choices = [("", "Your browser's zone"), *((z, z) for z in sorted(known_zones()))]


class DiversityForm(forms.Form):
    consent = forms.BooleanField(
        required=False,
        label="I consent to Convene storing these answers and using them only in anonymous totals of 5 people or more.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for key, label in settings.DIVERSITY_ATTRIBUTES.items():
            fields[key] = forms.CharField(max_length=80, required=False, label=label)
        # Attributes first, consent last, so the form reads top to bottom.
        fields["consent"] = self.fields.pop("consent")
        self.fields = fields


class TokenForm(forms.Form):
    name = forms.CharField(max_length=60, label="Token name", help_text="For example: “spreadsheet sync”.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ, label="What it may do")
    expires_in_days = forms.TypedChoiceField(
        choices=[("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never (until revoked)")],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        label="Expires after",
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.CharField(
        max_length=20,
        label="Type DELETE to confirm",
        help_text="This cannot be undone.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value.upper() != "DELETE":
            raise forms.ValidationError("Type the word DELETE to confirm; nothing was deleted.")
        return value


class PersonalDataRemoveForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label="How the person asked",
        help_text="For the audit log, e.g. “E-mail to the coordinator on 3 December”. Do not write why.",
    )
    confirm = forms.BooleanField(
        label="The person asked for their personal data to be removed, and I understand this cannot be undone."
    )
