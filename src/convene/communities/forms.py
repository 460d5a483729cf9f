import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Community, Role, Visibility


class CommunityForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label=_("Web address"),
        help_text=_("Letters, digits and hyphens; left empty, it is made from the name."),
    )
    domain = forms.CharField(max_length=200, label=_("Domain"), help_text=_("What the practice is about, in one line."))
    description = forms.CharField(widget=forms.Textarea, max_length=5000, required=False, label=_("Description"))
    visibility = forms.ChoiceField(
        choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.PUBLIC, label=_("Visibility")
    )

    @classmethod
    def for_edit(cls, community: Community, data=None):
        form = cls(
            data, initial={f: getattr(community, f) for f in ("name", "slug", "domain", "description", "visibility")}
        )
        form.fields["slug"].disabled = True
        return form


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file (JSON)"), help_text=_("A file downloaded from a community's export page.")
    )
    slug = forms.SlugField(max_length=60, label=_("Web address of the new community"))
    name = forms.CharField(
        max_length=120, required=False, label=_("Name"), help_text=_("Left empty, the exported name is kept.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CONVENE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s MB; an import may be at most %(limit)s MB. "
                    "Ask the site's operator to import larger communities with `convene import`."
                )
                % {"size": f"{upload.size / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:.1f}"}
            )
        try:
            data = json.loads(upload.read())
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise forms.ValidationError(
                gettext("This file is not JSON: choose a file from a community's export.")
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(gettext("This is not a Convene community export."))
        return data


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        label=_("Message to the coordinators (optional)"),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("Email"))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER, label=_("Role"))


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))


class TermForm(forms.Form):
    term = forms.CharField(max_length=80, label=_("Term"))
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("Definition"))


class MappingForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, label=_("Their term"), empty_label=_("Choose a term"))
    note = forms.CharField(max_length=300, required=False, label=_("Note (optional)"))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda t: f"{t.term} ({t.community.name})"


class DirectorySearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Name"))
    skill = forms.CharField(required=False, max_length=60, label=_("Skill"))
    discipline = forms.CharField(required=False, max_length=80, label=_("Discipline"))
    organisation = forms.CharField(required=False, max_length=120, label=_("Organisation"))
