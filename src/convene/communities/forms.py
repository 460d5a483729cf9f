import json

from django import forms
from django.conf import settings

from .models import Community, Role, Visibility


class CommunityForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label="Web address",
        help_text="Letters, digits and hyphens; left empty, it is made from the name.",
    )
    domain = forms.CharField(max_length=200, help_text="What the practice is about, in one line.")
    description = forms.CharField(widget=forms.Textarea, max_length=5000, required=False)
    visibility = forms.ChoiceField(choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.PUBLIC)

    @classmethod
    def for_edit(cls, community: Community, data=None):
        form = cls(
            data, initial={f: getattr(community, f) for f in ("name", "slug", "domain", "description", "visibility")}
        )
        form.fields["slug"].disabled = True
        return form


class ImportForm(forms.Form):
    file = forms.FileField(label="Export file (JSON)", help_text="A file downloaded from a community's export page.")
    slug = forms.SlugField(max_length=60, label="Web address of the new community")
    name = forms.CharField(max_length=120, required=False, help_text="Left empty, the exported name is kept.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CONVENE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; an import may be at most {limit / 1_000_000:.1f} MB. "
                "Ask the site's operator to import larger communities with `convene import`."
            )
        try:
            data = json.loads(upload.read())
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise forms.ValidationError("This file is not JSON: choose a file from a community's export.") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("This is not a Convene community export.")
        return data


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        label="Message to the coordinators (optional)",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TermForm(forms.Form):
    term = forms.CharField(max_length=80)
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MappingForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, label="Their term", empty_label="Choose a term")
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda t: f"{t.term} ({t.community.name})"


class DirectorySearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Name")
    skill = forms.CharField(required=False, max_length=60)
    discipline = forms.CharField(required=False, max_length=80)
    organisation = forms.CharField(required=False, max_length=120)
