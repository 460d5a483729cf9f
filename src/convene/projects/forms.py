"""Forms for projects: they only shape input; the services check it and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MilestoneState, OfferRole, ProjectState

SKILLS_HELP = _("Separate skills with commas, for example: python, pandas, sql.")


class HelpRequestForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("What do you need help with?"))
    team_name = forms.CharField(max_length=200, label=_("Your team"))
    process = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        label=_("The process today, step by step"),
        help_text=_("What you do by hand, in order, and what makes it slow or error-prone."),
    )
    minutes_per_run = forms.FloatField(
        label=_("Minutes each time it runs"), help_text=_("Total minutes of work, per run.")
    )
    runs_per_month = forms.FloatField(label=_("Runs per month"), help_text=_("Weekly is about 4.3."))
    people_involved = forms.IntegerField(label=_("People involved"), initial=1)
    done_looks_like = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, label=_("What would “done” look like?")
    )
    data_and_tools = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, required=False, label=_("Data and tools involved")
    )
    contact = forms.CharField(max_length=200, label=_("Contact"), help_text=_("Who we talk to, and how to reach them."))


class TriageForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", _("Accept as a project")),
            ("ask", _("Ask for more information")),
            ("decline", _("Decline")),
        ],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
        label=_("Question or reason"),
        help_text=_("The requester sees this: your question, or why the community declines."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=3000, label=_("Your answer"))


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    goal = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label=_("Goal"))
    requesting_contact = forms.CharField(max_length=200, label=_("Requesting team contact"))
    communities = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Other communities involved"),
        help_text=_("A boundary project brings members of several communities together."),
    )
    required_skills = forms.CharField(
        max_length=1000, required=False, label=_("Required skills"), help_text=SKILLS_HELP
    )
    learning_skills = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Learning opportunities"),
        help_text=_("Skills mentees can learn here."),
    )
    mentors_wanted = forms.IntegerField(initial=2, label=_("Mentors wanted"))
    mentees_wanted = forms.IntegerField(initial=4, label=_("Mentees wanted"))
    min_hours = forms.IntegerField(initial=0, label=_("Minimum hours per month for each person"))
    approach = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        label=_("Approach"),
        help_text=_("How the team works; it appears in the case study."),
    )

    def __init__(self, *args, others=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = others

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["communities"] = list(data["communities"])
        return data


class TransitionForm(forms.Form):
    state = forms.ChoiceField(choices=ProjectState.choices)


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Milestone"))
    owner = forms.ModelChoiceField(queryset=None, required=False, label=_("Owner"), empty_label=_("No owner yet"))
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Due date"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: u.display_name


class MilestoneStateForm(forms.Form):
    state = forms.ChoiceField(choices=MilestoneState.choices)


class OfferForm(forms.Form):
    role = forms.ChoiceField(choices=OfferRole.choices, widget=forms.RadioSelect, label=_("Would you…"))
    teaches = forms.CharField(max_length=1000, required=False, label=_("Skills you could teach"), help_text=SKILLS_HELP)
    wants = forms.CharField(max_length=1000, required=False, label=_("Skills you want to learn"), help_text=SKILLS_HELP)
    hours_per_month = forms.IntegerField(initial=4, label=_("Hours per month you can give"))
    max_projects = forms.IntegerField(initial=1, label=_("Projects at the same time, at most"))


class ConflictForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label=_("Why (optional, seen by coordinators)"))


class MeasuresForm(forms.Form):
    before_minutes_per_run = forms.FloatField(required=False, label=_("Before: minutes per run"))
    before_runs_per_month = forms.FloatField(required=False, label=_("Before: runs per month"))
    after_minutes_per_run = forms.FloatField(required=False, label=_("After: minutes per run"))
    after_runs_per_month = forms.FloatField(required=False, label=_("After: runs per month"))


RATING_CHOICES = [("", "—"), *[(str(i), str(i)) for i in range(1, 6)]]


class SkillsForm(forms.Form):
    """One before and one after rating per skill the project offers."""

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = list(skills)
        for i, skill in enumerate(self.skills):
            self.fields[f"before_{i}"] = forms.ChoiceField(
                choices=RATING_CHOICES,
                required=False,
                label=gettext("%(skill)s: before the project (1–5)") % {"skill": skill},
            )
            self.fields[f"after_{i}"] = forms.ChoiceField(
                choices=RATING_CHOICES, required=False, label=gettext("%(skill)s: now (1–5)") % {"skill": skill}
            )

    def ratings(self) -> tuple[dict, dict]:
        before = {s: self.cleaned_data.get(f"before_{i}") or None for i, s in enumerate(self.skills)}
        after = {s: self.cleaned_data.get(f"after_{i}") or None for i, s in enumerate(self.skills)}
        return before, after


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        label=_("Your reflection as a mentor"),
        help_text=_("What leading this team taught you: planning, working with the requesting team, leadership."),
    )


class SatisfactionForm(forms.Form):
    score = forms.ChoiceField(
        choices=[(str(i), str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
        label=_("How satisfied is the requesting team? (1 = not at all, 5 = very)"),
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False, label=_("Comment")
    )


def person_label(user) -> str:
    """A name people can tell apart: with discipline and organisation when the profile has them."""
    profile = getattr(user, "profile", None)
    extra = [x for x in (getattr(profile, "discipline", ""), getattr(profile, "organisation", "")) if x]
    return f"{user.display_name} ({', '.join(extra)})" if extra else user.display_name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class TeamPersonForm(forms.Form):
    """Put a named person on the team (role asked) or in someone's place (role kept)."""

    user = PersonChoiceField(queryset=None, label=_("Person"), empty_label=_("Choose a person"))
    role = forms.ChoiceField(choices=[("mentor", _("Mentor")), ("mentee", _("Mentee"))], label=_("As"))

    def __init__(self, *args, candidates, with_role: bool = True, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        if not with_role:
            del self.fields["role"]
        if prefix_id:
            self.auto_id = f"{prefix_id}_%s"
