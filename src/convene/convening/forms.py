"""Forms for convening pages. They validate shape only; the services decide what is allowed."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from convene.communities.models import Community, Role

from . import selectors
from .models import ActionStatus, Commitment, Rsvp, SessionRoleKind, SessionState

COMMON_ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
]


def _zone_choices():
    others = sorted(available_timezones() - set(COMMON_ZONES))
    return [(z, z) for z in COMMON_ZONES] + [(z, z) for z in others]


class SessionForm(forms.Form):
    title = forms.CharField(max_length=160, label=_("Title"))
    activity = forms.ChoiceField(
        choices=(),
        label=_("Activity"),
        help_text=_(
            "Your community's own activities first, then the shared catalogue (under your community's "
            "name for an activity it adapted). The session starts with the activity's agenda."
        ),
    )
    invited_communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Invite other communities"),
        help_text=_(
            "Their members and coordinators are put on the invitation list now (mailed when you send the "
            "invitations); their coordinators can co-host: invite, see the room preview, give roles, run the queue."
        ),
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False, label=_("Purpose")
    )
    boundary_concern = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        label=_("Boundary concern"),
        help_text=_("For boundary engagements: the friction between the practices, in one or two sentences."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at (local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.ChoiceField(
        choices=(), initial="UTC", label=_("Time zone"), help_text=_("The time zone of the start time above.")
    )
    duration_minutes = forms.IntegerField(min_value=5, max_value=1440, initial=90, label=_("Duration (minutes)"))
    place = forms.CharField(max_length=300, required=False, label=_("Place"))
    online_link = forms.URLField(max_length=500, required=False, assume_scheme="https", label=_("Online link"))
    capacity = forms.IntegerField(
        min_value=1, required=False, label=_("Capacity"), help_text=_("Leave empty for no limit.")
    )
    past_ok = forms.BooleanField(
        required=False,
        label=_("Yes, keep this start in the past"),
        help_text=_(
            "Tick only if the past start is intended (the session stays a draft until it has a start to come)."
        ),
    )

    def __init__(self, *args, host=None, communities=None, edit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host
        if host is not None:
            self.fields["activity"].choices = [("", _("Choose an activity")), *selectors.activity_choices(host)]
        self.fields["time_zone"].choices = _zone_choices()
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        qs = communities if communities is not None else Community.objects.none()
        if host is not None:
            qs = qs.exclude(pk=host.pk)
        self.fields["invited_communities"].queryset = qs
        self.fields["past_ok"].widget = forms.HiddenInput()  # shown only once a past start is given
        if edit:
            del self.fields["activity"]

    def clean_starts_at(self):
        # the browser sends wall-clock time; the service attaches the chosen time zone
        value = self.cleaned_data["starts_at"]
        return timezone.make_naive(value) if value is not None and timezone.is_aware(value) else value

    def clean_activity(self):
        """The chosen activity as the service takes it: a shipped one, or an entry of the host's catalogue."""
        activity, entry = selectors.activity_choice(self.host, self.cleaned_data["activity"])
        if activity is None and entry is None:
            raise forms.ValidationError(_("Choose an activity from the list."))
        self.cleaned_data["catalogue_entry"] = entry
        return activity

    def clean(self):
        data = super().clean()
        start, zone_name = data.get("starts_at"), data.get("time_zone")
        if start is not None and zone_name and not data.get("past_ok") and self.start_changed(start, zone_name):
            local = start.replace(tzinfo=ZoneInfo(zone_name))
            if local <= timezone.now():
                self.fields["past_ok"].widget = forms.CheckboxInput()
                self.add_error(
                    "starts_at",
                    _(
                        "This start (%(start)s %(zone)s) is in the past. "
                        "Change it, or tick “Yes, keep this start in the past” below."
                    )
                    % {"start": date_format(local, "l d F Y, H:i"), "zone": zone_name},
                )
        return data

    def start_changed(self, start, zone_name) -> bool:
        return self.initial.get("starts_at") != start or self.initial.get("time_zone") != zone_name


class InviteForm(forms.Form):
    how = forms.ChoiceField(
        choices=[
            ("community", _("A whole community")),
            ("role", _("Everyone with a role")),
            ("person", _("One person by name")),
            ("email", _("Anyone by e-mail")),
        ],
        widget=forms.RadioSelect,
        initial="community",
        label=_("Invite"),
    )
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), required=False, empty_label=_("Choose"), label=_("Community")
    )
    role = forms.ChoiceField(choices=[("", _("Any")), *Role.choices], required=False, label=_("Role in that community"))
    person = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("Choose"),
        label=_("Person"),
        help_text=_("Members of the host community and of the communities taking part that you belong to."),
    )
    email = forms.EmailField(
        required=False,
        label=_("E-mail address"),
        help_text=_(
            "They get a link to accept (signing in, or signing up first). They are not on the list, "
            "and count in no figure, until they accept."
        ),
    )

    def __init__(self, *args, communities=None, people=None, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities if communities is not None else Community.objects.none()
        if people is not None:
            _people_field(self.fields["person"], people, labels)

    def clean(self):
        data = super().clean()
        how = data.get("how")
        if how in ("community", "role") and not data.get("community"):
            self.add_error("community", _("Choose the community."))
        if how == "role" and not data.get("role"):
            self.add_error("role", _("Choose the role."))
        if how == "person" and not data.get("person"):
            self.add_error("person", _("Choose the person."))
        if how == "email" and not data.get("email"):
            self.add_error("email", _("Give the e-mail address."))
        return data


class AcceptInvitationForm(forms.Form):
    share_answers = forms.BooleanField(
        required=False,
        label=_("Count my private diversity answers in this session's room preview"),
        help_text=_("The coordinator only ever sees rounded figures about the whole room, never your answers."),
    )


def _people_field(field, people, labels=None) -> None:
    """A person picker: labels that tell namesakes apart, and a text filter (convening.js)."""
    labels = labels or {}
    field.queryset = people
    field.label_from_instance = lambda u: labels.get(u.pk, u.display_name)
    field.widget.attrs["data-filter"] = "1"


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(Rsvp.YES, _("Yes, I will come")), (Rsvp.MAYBE, _("Maybe")), (Rsvp.NO, _("No, I cannot come"))],
        widget=forms.RadioSelect,
        label=_("Will you come?"),
    )
    needs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label=_("Access or care needs (optional)"),
        help_text=_("Only the host community's coordinators see this, e.g. step-free access, a quiet room, a carer."),
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=SessionState.choices)


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Item"))
    minutes = forms.IntegerField(min_value=0, max_value=600, initial=10, label=_("Minutes"))
    detail = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Detail")
    )
    position = forms.IntegerField(min_value=0, max_value=1000, required=False, label=_("Position (0 is first)"))


class CheckInForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.BooleanField(required=False)


class SelfCheckInForm(forms.Form):
    code = forms.CharField(
        max_length=12, label=_("Session code"), help_text=_("The facilitator reads it out or shows it.")
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label=pgettext_lazy("session record", "Note")
    )


class OutcomeForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, label=_("Outcome"))


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=300, label=pgettext_lazy("follow-up action", "Action"))
    owner = forms.ModelChoiceField(queryset=None, empty_label=_("Choose an owner"), label=_("Owner"))
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Due date"))

    def __init__(self, *args, people=None, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["owner"], people, labels)


class FollowUpStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices, label=_("Status"))


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, empty_label=_("Choose a person"), label=_("Person"))
    kind = forms.ChoiceField(choices=SessionRoleKind.choices, label=_("Role"))

    def __init__(self, *args, people=None, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["user"], people, labels)


class CandidateForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Candidate activity"))
    description = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=pgettext_lazy("candidate activity", "Description"),
    )


class RatingForm(forms.Form):
    usefulness = forms.TypedChoiceField(
        choices=[("", _("Not rated"))] + [(i, str(i)) for i in range(1, 6)],
        coerce=int,
        label=_("Usefulness for my practice (1–5)"),
    )
    commitment = forms.ChoiceField(choices=[("", _("Not rated")), *Commitment.choices], label=_("Commitment it asks"))


PAIR_ROWS = 3


class GroupsForm(forms.Form):
    """Groups to form; keep-apart and keep-together pairs are picked by name from the people being
    grouped (an <input list> with labels that tell namesakes apart), never typed as e-mail addresses."""

    n_groups = forms.IntegerField(min_value=1, max_value=500, required=False, label=_("Number of groups"))
    group_size = forms.IntegerField(min_value=1, max_value=500, required=False, label=_("…or people per group"))
    include_organisation = forms.BooleanField(required=False, label=_("Also mix organisations"))
    seed = forms.IntegerField(min_value=0, max_value=2**31, required=False, initial=0, label=_("Seed (another draw)"))

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_label = {label.casefold(): pk for pk, label in (labels or {}).items()}
        labels = {
            ("separate", "a"): _("Keep apart, pair %(row)d: first person"),
            ("separate", "b"): _("Keep apart, pair %(row)d: second person"),
            ("together", "a"): _("Keep together, pair %(row)d: first person"),
            ("together", "b"): _("Keep together, pair %(row)d: second person"),
        }
        for kind in ("separate", "together"):
            for row in range(1, PAIR_ROWS + 1):
                for side in ("a", "b"):
                    self.fields[f"{kind}_{row}_{side}"] = forms.CharField(
                        required=False,
                        max_length=300,
                        label=labels[kind, side] % {"row": row},
                        widget=forms.TextInput(attrs={"list": "group-people", "autocomplete": "off"}),
                    )

    def pair_rows(self, kind: str):
        return [(self[f"{kind}_{r}_a"], self[f"{kind}_{r}_b"]) for r in range(1, PAIR_ROWS + 1)]

    def pair_sections(self):
        return [
            {
                "title": _("Keep apart"),
                "hint": _("Up to three pairs who should not share a group."),
                "rows": self.pair_rows("separate"),
            },
            {
                "title": _("Keep together"),
                "hint": _("Up to three pairs who should share a group."),
                "rows": self.pair_rows("together"),
            },
        ]

    def main_fields(self):
        return [self[n] for n in ("n_groups", "group_size", "include_organisation", "seed")]

    def clean(self):
        data = super().clean()
        if (data.get("n_groups") is None) == (data.get("group_size") is None):
            raise forms.ValidationError(_("Give either the number of groups or the group size (not both)."))
        for kind in ("separate", "together"):
            pairs = []
            for row in range(1, PAIR_ROWS + 1):
                names = [data.get(f"{kind}_{row}_{side}", "").strip() for side in "ab"]
                if not any(names):
                    continue
                ids = []
                for side, name in zip("ab", names, strict=True):
                    pk = self.by_label.get(name.casefold()) if name else None
                    if not name:
                        self.add_error(f"{kind}_{row}_{side}", _("Choose the other person of this pair."))
                    elif pk is None:
                        message = _("“%(name)s” is not one of the people being grouped; pick from the list.") % {
                            "name": name
                        }
                        self.add_error(f"{kind}_{row}_{side}", message)
                    ids.append(pk)
                if all(ids):
                    if ids[0] == ids[1]:
                        self.add_error(f"{kind}_{row}_b", _("Choose two different people."))
                    else:
                        pairs.append(tuple(ids))
            data[kind] = pairs
        return data


class MoveForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, empty_label=_("Choose a person"), label=_("Person"))
    to_group = forms.TypedChoiceField(choices=(), coerce=int, label=_("Move to group"))

    def __init__(self, *args, people=None, labels=None, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["user"], people, labels)
        self.fields["to_group"].choices = [("", _("Choose a group"))] + [(g.number, g.label) for g in groups]


class CatalogueEntryForm(forms.Form):
    """An entry of a community's own catalogue (issue 18.19)."""

    name = forms.CharField(max_length=120, label=_("Name"))
    summary = forms.CharField(max_length=300, required=False, label=_("In one sentence"))
    how = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, required=False, label=_("How to run it")
    )
    agenda = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        required=False,
        label=_("Agenda"),
        help_text=_("One item per line: title | minutes, for example “Welcome and purpose | 10”."),
    )
