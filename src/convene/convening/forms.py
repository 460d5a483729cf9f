"""Forms for convening pages. They validate shape only; the services decide what is allowed."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms

from convene.communities.models import Community, Role

from .models import ActionStatus, ActivityType, Commitment, Rsvp, SessionRoleKind, SessionState

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
    title = forms.CharField(max_length=160)
    activity = forms.ModelChoiceField(queryset=ActivityType.objects.none(), empty_label="Choose an activity")
    invited_communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Invite other communities",
        help_text="Their members and coordinators are invited when you add them on the invitations page.",
    )
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)
    boundary_concern = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text="For boundary engagements: the friction between the practices, in one or two sentences.",
    )
    starts_at = forms.DateTimeField(
        label="Starts at (local time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.ChoiceField(choices=(), initial="UTC", help_text="The time zone of the start time above.")
    duration_minutes = forms.IntegerField(min_value=5, max_value=1440, initial=90, label="Duration (minutes)")
    place = forms.CharField(max_length=300, required=False)
    online_link = forms.URLField(max_length=500, required=False, assume_scheme="https")
    capacity = forms.IntegerField(min_value=1, required=False, help_text="Leave empty for no limit.")

    def __init__(self, *args, host=None, communities=None, edit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = ActivityType.objects.filter(active=True)
        self.fields["time_zone"].choices = _zone_choices()
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        qs = communities if communities is not None else Community.objects.none()
        if host is not None:
            qs = qs.exclude(pk=host.pk)
        self.fields["invited_communities"].queryset = qs
        if edit:
            del self.fields["activity"]

    def clean_starts_at(self):
        # the browser sends wall-clock time; the service attaches the chosen time zone
        value = self.cleaned_data["starts_at"]
        from django.utils import timezone

        return timezone.make_naive(value) if value is not None and timezone.is_aware(value) else value


class InviteForm(forms.Form):
    how = forms.ChoiceField(
        choices=[
            ("community", "A whole community"),
            ("role", "Everyone with a role"),
            ("person", "One person by name"),
            ("email", "Anyone by e-mail"),
        ],
        widget=forms.RadioSelect,
        initial="community",
        label="Invite",
    )
    community = forms.ModelChoiceField(queryset=Community.objects.none(), required=False, empty_label="Choose")
    role = forms.ChoiceField(choices=[("", "Any")] + list(Role.choices), required=False, label="Role in that community")
    person = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        required=False,
        empty_label="Choose",
        label="Person",
        help_text="Members of the host community and of the communities taking part that you belong to.",
    )
    email = forms.EmailField(
        required=False,
        label="E-mail address",
        help_text="They get a link to accept (signing in, or signing up first). They are not on the list, "
        "and count in no figure, until they accept.",
    )

    def __init__(self, *args, communities=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities if communities is not None else Community.objects.none()
        if people is not None:
            self.fields["person"].queryset = people
            self.fields["person"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        how = data.get("how")
        if how in ("community", "role") and not data.get("community"):
            self.add_error("community", "Choose the community.")
        if how == "role" and not data.get("role"):
            self.add_error("role", "Choose the role.")
        if how == "person" and not data.get("person"):
            self.add_error("person", "Choose the person.")
        if how == "email" and not data.get("email"):
            self.add_error("email", "Give the e-mail address.")
        return data


class AcceptInvitationForm(forms.Form):
    share_answers = forms.BooleanField(
        required=False,
        label="Count my private diversity answers in this session's room preview",
        help_text="The coordinator only ever sees rounded figures about the whole room, never your answers.",
    )


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(Rsvp.YES, "Yes, I will come"), (Rsvp.MAYBE, "Maybe"), (Rsvp.NO, "No, I cannot come")],
        widget=forms.RadioSelect,
        label="Will you come?",
    )
    needs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Access or care needs (optional)",
        help_text="Only the host community's coordinators see this, e.g. step-free access, a quiet room, a carer.",
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=SessionState.choices)


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=200, label="Item")
    minutes = forms.IntegerField(min_value=0, max_value=600, initial=10)
    detail = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    position = forms.IntegerField(min_value=0, max_value=1000, required=False, label="Position (0 is first)")


class CheckInForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.BooleanField(required=False)


class SelfCheckInForm(forms.Form):
    code = forms.CharField(max_length=12, label="Session code", help_text="The facilitator reads it out or shows it.")


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Note")


class OutcomeForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, label="Outcome")


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    owner = forms.ModelChoiceField(queryset=None, empty_label="Choose an owner")
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: u.display_name


class FollowUpStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, empty_label="Choose a person", label="Person")
    kind = forms.ChoiceField(choices=SessionRoleKind.choices, label="Role")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: u.display_name


class CandidateForm(forms.Form):
    title = forms.CharField(max_length=200, label="Candidate activity")
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    usefulness = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(1, 6)], coerce=int, label="Usefulness for my practice (1–5)"
    )
    commitment = forms.ChoiceField(choices=Commitment.choices, label="Commitment it asks")


class GroupsForm(forms.Form):
    n_groups = forms.IntegerField(min_value=1, max_value=500, required=False, label="Number of groups")
    group_size = forms.IntegerField(min_value=1, max_value=500, required=False, label="…or people per group")
    include_organisation = forms.BooleanField(required=False, label="Also mix organisations")
    separate = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Keep apart",
        help_text="One pair per line: two email addresses separated by a comma.",
    )
    together = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Keep together",
        help_text="One pair per line: two email addresses separated by a comma.",
    )
    seed = forms.IntegerField(min_value=0, max_value=2**31, required=False, initial=0, label="Seed (another draw)")

    def clean(self):
        data = super().clean()
        if (data.get("n_groups") is None) == (data.get("group_size") is None):
            raise forms.ValidationError("Give either the number of groups or the group size (not both).")
        return data

    @staticmethod
    def pairs(text: str) -> list[tuple[str, str]]:
        out = []
        for line in (text or "").splitlines():
            parts = [p.strip().lower() for p in line.replace(";", ",").split(",") if p.strip()]
            if parts:
                out.append(tuple(parts))
        return out


class MoveForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, empty_label="Choose a person", label="Person")
    to_group = forms.IntegerField(min_value=1, label="Move to group")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: u.display_name
