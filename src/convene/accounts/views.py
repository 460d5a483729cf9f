"""Pages about oneself: profile, diversity answers, API tokens, data download."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from convene.core.errors import ServiceError
from convene.core.forms import run_service

from . import services
from .forms import AccountDeleteForm, DiversityForm, ProfileForm, TokenForm
from .languages import is_language
from .selectors import my_data


@login_required
def profile(request):
    p = services.profile_for(request.user)
    initial = {
        "display_name": p.display_name,
        "discipline": p.discipline,
        "organisation": p.organisation,
        "seniority": p.seniority,
        "skills": ", ".join(s.name for s in p.skills.all()),
        "interests": ", ".join(s.name for s in p.interests.all()),
        "hours_per_month": p.hours_per_month,
        "bio": p.bio,
        "time_zone": p.time_zone,
        "language": p.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.profile_update(user=request.user, **form.cleaned_data)):
            if form.cleaned_data["language"]:  # say it in the language just chosen
                translation.activate(form.cleaned_data["language"])
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "nav": "profile",
            "tokens": request.user.api_tokens.all(),
            "token_form": TokenForm(),
            "n_answers": request.user.diversity_answers.count(),
        },
    )


@login_required
def diversity(request):
    current = {a.attribute: a.value for a in request.user.diversity_answers.all()}
    form = DiversityForm(request.POST or None, initial={**current, "consent": bool(current)})
    if request.method == "POST":
        if "delete" in request.POST:
            services.diversity_answers_delete(user=request.user)
            messages.success(request, _("Your diversity answers are deleted."))
            return redirect("accounts:diversity")
        if form.is_valid():
            data = dict(form.cleaned_data)
            consent = data.pop("consent")
            if (
                run_service(
                    form, lambda: services.diversity_answers_set(user=request.user, answers=data, consent=consent)
                )
                is not None
            ):
                messages.success(request, _("Saved. Only you can see these answers."))
                return redirect("accounts:diversity")
    return render(request, "accounts/diversity.html", {"form": form, "current": current, "nav": "profile"})


NEW_TOKEN_KEY = "accounts.new_token"  # noqa: S105 - the session key holding a new token's secret until it is shown


@login_required
@require_POST
def token_create(request):
    """POST-redirect-GET: the secret waits in the session for the one page that shows it."""
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.api_token_create(user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:profile")
        request.session[NEW_TOKEN_KEY] = {"id": token.pk, "secret": secret}
        return redirect("accounts:token_created")
    messages.error(request, _("Give the token a name of at most 60 characters and choose its scope and expiry."))
    return redirect("accounts:profile")


@login_required
def token_created(request):
    """Shows a new token's secret once; a reload finds nothing and goes back to the profile."""
    new = request.session.pop(NEW_TOKEN_KEY, None)
    token = request.user.api_tokens.filter(pk=(new or {}).get("id")).first() if new else None
    if token is None:
        messages.info(request, _("A token's secret is shown only once. Revoke it and create another if it is lost."))
        return redirect("accounts:profile")
    response = render(
        request, "accounts/token_created.html", {"token": token, "secret": new["secret"], "nav": "profile"}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, token_id):
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:profile")


@login_required
def data_download(request):
    body = json.dumps(my_data(request.user), indent=2, ensure_ascii=False, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-convene-data.json"'
    return response


@login_required
def account_delete(request):
    """Delete one's own account (confirmed by typing DELETE); contributions stay as "a former member"."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.account_delete(user=request.user)):
            logout(request)
            messages.success(request, _("Your account is deleted. Thank you for taking part."))
            return redirect("core:home")
    return render(request, "accounts/delete.html", {"form": form, "nav": "profile"})


def language_set(request):
    """The header's language switcher: Django's set_language (the language cookie, then back to
    `next`), and for a signed-in person the choice is saved in their profile too, so pages on every
    device and their e-mails follow it."""
    response = set_language(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and is_language(code):
        services.profile_update(user=request.user, language=code)
    return response
