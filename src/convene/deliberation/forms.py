from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import STATEMENT_LIMIT, Phase, Stance

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DevelopmentForm(forms.Form):
    title = forms.CharField(
        max_length=200, label=_("Title"), help_text=_("A short name for the development, e.g. the policy's title.")
    )
    what_changed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label=_("What changed"),
        help_text=_("In your own words: what is new, and since when."),
    )
    source_url = forms.URLField(
        max_length=500, required=False, label=_("Source link (optional)"), assume_scheme="https"
    )
    why_it_matters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        label=_("Why it matters to our practice"),
    )


class OpinionRequestForm(forms.Form):
    requester_name = forms.CharField(max_length=120, label=_("Your name"))
    organisation = forms.CharField(max_length=200, label=_("Organisation"))
    contact = forms.EmailField(
        max_length=254, label=_("Your email"), help_text=_("We send the private tracking link here.")
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        label=_("What would you like the community's opinion on?"),
    )
    context = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False, label=_("Background (optional)")
    )
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Response needed by"))


class PhaseDatesForm(forms.Form):
    gathering_ends = forms.DateTimeField(widget=DATETIME, label=_("Gathering views ends"))
    drafting_ends = forms.DateTimeField(widget=DATETIME, label=_("Drafting ends"), required=False)
    endorsement_ends = forms.DateTimeField(widget=DATETIME, label=_("Endorsement ends"), required=False)


class AcceptForm(PhaseDatesForm):
    title = forms.CharField(max_length=200, required=False, label=_("Title for members (optional)"))


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("Reason (the requester sees it)")
    )


class SettingsForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    what_changed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False, label=_("What changed / background")
    )
    anonymous = forms.BooleanField(
        required=False,
        label=_("Anonymous: nobody, coordinators included, can see who said or voted what"),
        help_text=_("Can only be chosen before gathering starts."),
    )
    hide_results = forms.BooleanField(required=False, label=_("Hide the opinion map until gathering ends"))
    perception_step = forms.BooleanField(
        required=False, label=_("Perception-gap step: members guess how the other community votes on key statements")
    )
    guests_can_read = forms.BooleanField(
        required=False,
        label=_("Guests of the invited communities can read this response"),
        help_text=_("Off: guests see only responses they took part in."),
    )
    communities = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Other communities taking part"),
    )
    gathering_ends = forms.DateTimeField(widget=DATETIME, label=_("Gathering views ends"), required=False)
    drafting_ends = forms.DateTimeField(widget=DATETIME, label=_("Drafting ends"), required=False)
    endorsement_ends = forms.DateTimeField(widget=DATETIME, label=_("Endorsement ends"), required=False)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Phase.choices)


class StatementForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": STATEMENT_LIMIT}),
        max_length=2000,
        label=_("Your statement"),
        help_text=format_lazy(
            _("One idea, up to {limit} characters. A coordinator reviews it before others vote."), limit=STATEMENT_LIMIT
        ),
    )


class VoteForm(forms.Form):
    statement = forms.IntegerField()
    value = forms.IntegerField(min_value=-1, max_value=1)


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("accept", _("Accept")),
            ("reject", _("Reject")),
            ("meta", _("Meta")),
            ("key", _("Mark as key")),
            ("unkey", _("Unmark key")),
        ]
    )
    reason = forms.CharField(max_length=500, required=False, label=_("Reason (the author sees it)"))


class PredictionForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    target = forms.IntegerField(widget=forms.HiddenInput)
    share = forms.IntegerField(min_value=0, max_value=100, label=_("Share who agree (%)"))


class DraftForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "aria-describedby": "id_text_helptext"}),
        max_length=50_000,
        label=_("Draft (Markdown)"),
        strip=False,
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput)


class CommentForm(forms.Form):
    paragraph = forms.CharField(max_length=16, widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Comment"))


class MinorityForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label=_("Minority view"))
    held_by = forms.CharField(max_length=200, required=False, label=_("Held by (optional)"))


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, label=_("Answer"))


class EndorseForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect, label=_("Your position"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label=_("Reason (optional; listed with objections and reservations)"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more uploaded files (a list)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not isinstance(data, list | tuple):
            data = [data] if data else []
        files = [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class PolisImportForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        label=_("Title"),
        help_text=_("The name the new joint response takes, e.g. the conversation's topic."),
    )
    export = MultipleFileField(
        label=_("Pol.is export"),
        help_text=_(
            "The export's zip file, or its CSV files chosen together: comments.csv with votes.csv "
            "or participants-votes.csv (or both)."
        ),
        widget=MultipleFileInput(attrs={"accept": ".zip,.csv,application/zip,text/csv"}),
    )


class SeedForm(forms.Form):
    file = forms.FileField(
        label=_("Statements (CSV)"),
        help_text=_(
            "One statement per row: a column headed “statement”, “text” or “comment-body” (a Pol.is "
            "comments.csv), or else the first column. Each up to 280 characters."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
