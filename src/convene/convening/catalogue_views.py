"""Pages of a community's own activity catalogue (issue 18.19): members read it, coordinators
adapt, hide or add activities (no admin needed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from convene.communities.permissions import Need, community_for
from convene.communities.views import community_context
from convene.core.errors import ServiceError
from convene.core.forms import run_service

from . import catalogue_services as services
from .catalogue_forms import CatalogueEntryForm
from .catalogue_selectors import community_catalogue, entry_in
from .models import ActivityType


@login_required
def catalogue(request, slug):
    community = community_for(request.user, slug, need=Need.GUEST)
    form = CatalogueEntryForm()
    if request.method == "POST":
        community = community_for(request.user, slug, need=Need.COORDINATOR)
        form = CatalogueEntryForm(request.POST)
        if form.is_valid() and run_service(
            form, lambda: services.catalogue_entry_create(community=community, actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, f"“{form.cleaned_data['name']}” is in the catalogue of {community.name}.")
            return redirect("catalogue:list", slug=community.slug)
    return render(
        request,
        "convening/community_catalogue.html",
        community_context(request, community, rows=community_catalogue(community), form=form),
    )


@login_required
@require_POST
def adapt(request, slug, activity_slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    base = get_object_or_404(ActivityType.objects.filter(active=True), slug=str(activity_slug)[:60])
    entry = services.catalogue_entry_adapt(community=community, actor=request.user, base=base)
    return redirect("catalogue:edit", slug=community.slug, entry_id=entry.pk)


@login_required
def edit(request, slug, entry_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    entry = entry_in(community, entry_id)
    initial = {
        "name": entry.name,
        "summary": entry.summary,
        "how": entry.how,
        "agenda": services.agenda_text(entry.agenda_template),
    }
    form = CatalogueEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(
            form, lambda: services.catalogue_entry_update(entry=entry, actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, "Saved.")
            return redirect("catalogue:list", slug=community.slug)
    return render(
        request,
        "convening/community_catalogue_edit.html",
        community_context(request, community, entry=entry, form=form),
    )


@login_required
@require_POST
def hide(request, slug, entry_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    entry = entry_in(community, entry_id)
    hidden = request.POST.get("hidden", "1") == "1"
    try:
        services.catalogue_entry_hide(entry=entry, actor=request.user, hidden=hidden)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{entry.name}” is {'hidden from' if hidden else 'back in'} the catalogue.")
    return redirect("catalogue:list", slug=community.slug)
