from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .models import Seniority, TokenScope
from .zones import known_zones

# settings.DIVERSITY_ATTRIBUTES' default labels, so that the catalogue carries them; the form shows
# each label translated when a translation exists (a site's own labels show as written).
DIVERSITY_LABELS = (
    gettext_noop("Gender"),
    gettext_noop("Age band"),
    gettext_noop("Background (e.g. ethnicity, migration, first in family at university)"),
    gettext_noop("Disability or long-term condition"),
    gettext_noop("Caring responsibilities"),
)


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, label=_("Display name"))
    discipline = forms.CharField(max_length=80, required=False, label=_("Practice / discipline"))
    organisation = forms.CharField(max_length=120, required=False, label=_("Organisation"))
    seniority = forms.ChoiceField(
        choices=[("", _("Prefer not to say")), *Seniority.choices], required=False, label=_("Seniority")
    )
    skills = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Skills"),
        help_text=_("Separate with commas, e.g. python, triage, facilitation."),
    )
    interests = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Interests"),
        help_text=_("What you would like to learn or explore; commas between."),
    )
    hours_per_month = forms.IntegerField(min_value=0, max_value=200, initial=0, label=_("Hours a month you can give"))
    bio = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False, label=_("Bio"))
    time_zone = forms.ChoiceField(
        choices=(),
        required=False,
        label=_("Time zone"),
        help_text=_(
            "Dates and times on pages and in e-mails are shown in this zone. "
            "Leave it on “Your browser's zone” to follow the device you use."
        ),
    )
    language = forms.ChoiceField(
        choices=(),
        required=False,
        label=_("Language"),
        help_text=_(
            "The language of pages and e-mails. Leave it on “Your browser's language” to follow the device you use."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", gettext("Your browser's language")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = [
            ("", gettext("Your browser's zone")),
            *((z, z) for z in sorted(known_zones())),
        ]


class DiversityForm(forms.Form):
    consent = forms.BooleanField(
        required=False,
        label=_(
            "I consent to Convene storing these answers and using them only in anonymous totals of 5 people or more."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for key, label in settings.DIVERSITY_ATTRIBUTES.items():
            fields[key] = forms.CharField(max_length=80, required=False, label=gettext(label))
        # Attributes first, consent last, so the form reads top to bottom.
        fields["consent"] = self.fields.pop("consent")
        self.fields = fields


class TokenForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Token name"), help_text=_("For example: “spreadsheet sync”."))
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ, label=_("What it may do"))
    expires_in_days = forms.TypedChoiceField(
        choices=[("30", _("30 days")), ("90", _("90 days")), ("365", _("1 year")), ("", _("Never (until revoked)"))],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        label=_("Expires after"),
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.CharField(
        max_length=20,
        label=_("Type DELETE to confirm"),
        help_text=_("This cannot be undone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value.upper() != "DELETE":
            raise forms.ValidationError(_("Type the word DELETE to confirm; nothing was deleted."))
        return value


class PersonalDataRemoveForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label=_("How the person asked"),
        help_text=_("For the audit log, e.g. “E-mail to the coordinator on 3 December”. Do not write why."),
    )
    confirm = forms.BooleanField(
        label=_("The person asked for their personal data to be removed, and I understand this cannot be undone.")
    )
