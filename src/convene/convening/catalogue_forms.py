from django import forms


class CatalogueEntryForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    summary = forms.CharField(max_length=300, required=False, label="In one sentence")
    how = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, required=False, label="How to run it"
    )
    agenda = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        required=False,
        label="Agenda",
        help_text="One item per line: title | minutes, for example “Welcome and purpose | 10”.",
    )
