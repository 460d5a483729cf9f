"""Pages for communities. Thin: validate with a form, authorize with a helper, call a service."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convene.accounts.forms import PersonalDataRemoveForm
from convene.accounts.services import member_personal_data_remove
from convene.core.errors import ServiceError
from convene.core.forms import run_service
from convene.core.hooks import collect
from convene.notifications.compose import message_form_handle

from . import services
from .forms import (
    CommunityForm,
    DirectorySearchForm,
    ImportForm,
    InvitationForm,
    JoinRequestForm,
    MappingForm,
    RoleForm,
    TermForm,
)
from .models import GlossaryTerm, JoinRequest, Membership, Role, TermMapping
from .permissions import Need, can, community_for, membership_of, visible_communities
from .selectors import (
    directory_count,
    glossary_for,
    join_request_in,
    mapping_table,
    member_count,
    member_directory,
    member_sizes,
    term_in,
)


def community_context(request, community, **extra):
    """Context every page inside a community needs: role flags and the tabs apps contribute."""
    membership = membership_of(request.user, community)
    return {
        "community": community,
        "membership": membership,
        "is_coordinator": bool(membership and membership.role == Role.COORDINATOR),
        "is_member": bool(membership and membership.role in (Role.MEMBER, Role.COORDINATOR)),
        "nav": "communities",
        "community_tabs": [
            {"label": label, "url": url} for label, url in collect("community_links", request.user, community)
        ],
        **extra,
    }


def _flash_error(request, exc: ServiceError):
    messages.error(request, exc.message)


def community_list(request):
    q = request.GET.get("q", "").strip()[:100]
    qs = visible_communities(request.user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    page = Paginator(qs.order_by("name"), 24).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    sizes = member_sizes(page.object_list)
    for community in page.object_list:
        community.member_size = sizes[community.pk]
    mine = set()
    if request.user.is_authenticated:
        mine = set(Membership.objects.filter(user=request.user).values_list("community_id", flat=True))
    return render(
        request,
        "communities/list.html",
        {
            "page_obj": page,
            "q": q,
            "mine": mine,
            "nav": "communities",
            "query_string": f"q={q}" if q else "",
        },
    )


@login_required
def community_create(request):
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community = run_service(form, lambda: services.community_create(creator=request.user, **form.cleaned_data))
        if community:
            messages.success(request, _("“%(name)s” is ready. You are its coordinator.") % {"name": community.name})
            return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/form.html", {"form": form, "nav": "communities"})


@login_required
def community_import(request):
    """Upload an export of a community one coordinates, as a new community (same rules as the API)."""
    limit = settings.CONVENE_IMPORT_MAX_BYTES
    length = str(request.META.get("CONTENT_LENGTH") or "0")
    if request.method == "POST" and length.isdigit() and int(length) > limit + 64 * 1024:
        form = ImportForm()  # refused before the upload is read
        form.add_error(
            None,
            _("The file is too large: an import may be at most %(limit)s MB.") % {"limit": f"{limit / 1_000_000:.1f}"},
        )
        return render(request, "communities/import.html", {"form": form, "nav": "communities"}, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def call():
            try:
                return services.community_import_by(
                    actor=request.user, data=data["file"], slug=data["slug"], name=data["name"] or None
                )
            except PermissionDenied as exc:
                form.add_error("file", str(exc))
                return None

        community = run_service(form, call)
        if community:
            messages.success(request, _("“%(name)s” is imported. You are its coordinator.") % {"name": community.name})
            return redirect("communities:detail", slug=community.slug)
    status = 400 if form.errors else 200
    return render(request, "communities/import.html", {"form": form, "nav": "communities"}, status=status)


@login_required
def community_export(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    data = services.community_export_by(community=community, actor=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="convene-{community.slug}.json"'
    return response


def community_detail(request, slug):
    community = community_for(request.user, slug)
    coordinators = Membership.objects.filter(community=community, role=Role.COORDINATOR).select_related("user__profile")
    pending = None
    if request.user.is_authenticated:
        pending = JoinRequest.objects.filter(community=community, user=request.user, status="pending").first()
    return render(
        request,
        "communities/detail.html",
        community_context(
            request,
            community,
            coordinators=coordinators,
            pending=pending,
            n_members=member_count(community),
            n_terms=community.terms.count(),
            join_form=JoinRequestForm(),
            n_requests=community.join_requests.filter(status="pending").count(),
        ),
    )


@login_required
def community_edit(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    form = CommunityForm.for_edit(community, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "slug"}
        if run_service(form, lambda: services.community_update(community=community, actor=request.user, **data)):
            messages.success(request, _("Saved."))
            return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/form.html", community_context(request, community, form=form))


@login_required
@require_POST
def community_join(request, slug):
    community = community_for(request.user, slug)
    form = JoinRequestForm(request.POST)
    if form.is_valid():
        try:
            services.membership_join_request(community=community, user=request.user, **form.cleaned_data)
            messages.success(request, _("Your request was sent to the coordinators."))
        except ServiceError as exc:
            _flash_error(request, exc)
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def community_leave(request, slug):
    community = community_for(request.user, slug, need=Need.GUEST)
    try:
        services.membership_leave(community=community, user=request.user)
        messages.success(request, _("You left %(name)s.") % {"name": community.name})
        return redirect("core:home")
    except ServiceError as exc:
        _flash_error(request, exc)
        return redirect("communities:detail", slug=slug)


@login_required
def member_list(request, slug):
    community = community_for(request.user, slug, need=Need.MEMBER)
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    chosen = {k: v for k, v in filters.items() if v}
    qs = member_directory(community, **chosen)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "communities/members.html",
        community_context(
            request,
            community,
            form=form,
            page_obj=page,
            found=directory_count(community, qs, chosen),
            query_string=query.urlencode(),
            role_form=RoleForm(),
        ),
    )


def _membership(community, membership_id) -> Membership:
    membership = (
        Membership.objects.select_related("user__profile").filter(community=community, pk=membership_id).first()
    )
    if membership is None:
        raise Http404(_("No such member in this community."))
    return membership


@login_required
def member_detail(request, slug, membership_id):
    community = community_for(request.user, slug, need=Need.MEMBER)
    member = _membership(community, membership_id)
    return render(
        request,
        "communities/member.html",
        community_context(request, community, member=member, role_form=RoleForm(initial={"role": member.role})),
    )


@login_required
@require_POST
def member_role(request, slug, membership_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    member = _membership(community, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                community=community, actor=request.user, membership=member, role=form.cleaned_data["role"]
            )
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": member.user.display_name, "role": Role(form.cleaned_data["role"]).label.lower()},
            )
        except ServiceError as exc:
            _flash_error(request, exc)
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("communities:member", slug=slug, membership_id=membership_id)


@login_required
@require_POST
def member_remove(request, slug, membership_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    member = _membership(community, membership_id)
    try:
        services.membership_remove(community=community, actor=request.user, membership=member)
        messages.success(
            request,
            _("%(name)s was removed from %(community)s.")
            % {"name": member.user.display_name, "community": community.name},
        )
        return redirect("communities:members", slug=slug)
    except ServiceError as exc:
        _flash_error(request, exc)
        return redirect("communities:member", slug=slug, membership_id=membership_id)


@login_required
def member_erase(request, slug, membership_id):
    """Remove a member's personal data on their request (docs/privacy.md, "Leaving")."""
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    member = _membership(community, membership_id)
    form = PersonalDataRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = lambda: member_personal_data_remove(  # noqa: E731
            community=community, actor=request.user, membership=member, reason=form.cleaned_data["reason"]
        )
        if run_service(form, call):
            messages.success(request, _("The person's personal data is removed; their contributions stay unnamed."))
            return redirect("communities:members", slug=slug)
    return render(
        request, "communities/member_erase.html", community_context(request, community, member=member, form=form)
    )


@login_required
def join_requests(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    if request.method == "POST":
        join_request = join_request_in(community, request.POST.get("request") or 0)
        approve = request.POST.get("decision") == "approve"
        try:
            services.join_request_decide(join_request=join_request, actor=request.user, approve=approve)
            text = _("%(name)s: approved.") if approve else _("%(name)s: declined.")
            messages.success(request, text % {"name": join_request.user.display_name})
        except ServiceError as exc:
            _flash_error(request, exc)
        return redirect("communities:requests", slug=slug)
    pending = community.join_requests.filter(status="pending").select_related("user__profile")
    return render(request, "communities/requests.html", community_context(request, community, pending=pending))


@login_required
def community_message(request, slug):
    """A coordinator writes to every member of the community."""
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    form, done = message_form_handle(
        request,
        group="community",
        send=partial(services.community_message_send, community=community, actor=request.user),
        done=reverse("communities:message", args=[slug]),
    )
    return done or render(request, "communities/message.html", community_context(request, community, form=form))


@login_required
def invitations(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = run_service(
            form, lambda: services.invitation_create(community=community, actor=request.user, **form.cleaned_data)
        )
        if invitation:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("communities:invitations", slug=slug)
    return render(
        request,
        "communities/invitations.html",
        community_context(request, community, form=form, invitations=community.invitations.all()[:100]),
    )


def invitation_view(request, token):
    invitation = services.invitation_by_token(token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
            messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.community.name})
            return redirect("communities:detail", slug=invitation.community.slug)
        except ServiceError as exc:
            _flash_error(request, exc)
            return redirect("communities:invitation", token=token)
    return render(request, "communities/invitation.html", {"invitation": invitation})


@login_required
def glossary_view(request, slug):
    community = community_for(request.user, slug, need=Need.GUEST)
    form = TermForm(request.POST or None)
    if request.method == "POST":
        community = community_for(request.user, slug, need=Need.MEMBER)
        if form.is_valid():
            term = run_service(
                form, lambda: services.glossary_term_save(community=community, actor=request.user, **form.cleaned_data)
            )
            if term:
                messages.success(request, _("“%(term)s” added to the glossary.") % {"term": term.term})
                return redirect("communities:glossary", slug=slug)
    others = visible_communities(request.user).exclude(pk=community.pk).order_by("name")
    seen = set(visible_communities(request.user).values_list("pk", flat=True))
    return render(
        request,
        "communities/glossary.html",
        community_context(
            request,
            community,
            terms=glossary_for(community, seen=seen),
            form=form,
            others=others,
            can_edit=can(request.user, community, Need.MEMBER),
        ),
    )


@login_required
def term_edit(request, slug, term_id):
    community = community_for(request.user, slug, need=Need.MEMBER)
    term = term_in(community, term_id)
    form = TermForm(request.POST or None, initial={"term": term.term, "definition": term.definition})
    if request.method == "POST" and form.is_valid():
        if run_service(
            form,
            lambda: services.glossary_term_save(
                community=community, actor=request.user, term_obj=term, **form.cleaned_data
            ),
        ):
            messages.success(request, _("Saved."))
            return redirect("communities:glossary", slug=slug)
    return render(request, "communities/term_form.html", community_context(request, community, form=form, term=term))


@login_required
@require_POST
def term_delete(request, slug, term_id):
    community = community_for(request.user, slug, need=Need.MEMBER)
    term = term_in(community, term_id)
    services.glossary_term_delete(term=term, actor=request.user)
    messages.success(request, _("“%(term)s” removed.") % {"term": term.term})
    return redirect("communities:glossary", slug=slug)


@login_required
def term_map(request, slug, term_id):
    community = community_for(request.user, slug, need=Need.MEMBER)
    term = term_in(community, term_id)
    targets = (
        GlossaryTerm.objects.filter(community__in=visible_communities(request.user))
        .exclude(community=community)
        .select_related("community")
        .order_by("community__name", "term")
    )
    form = MappingForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        mapping = run_service(
            form,
            lambda: services.term_mapping_create(
                source=term, target=form.cleaned_data["target"], actor=request.user, note=form.cleaned_data["note"]
            ),
        )
        if mapping:
            messages.success(
                request, _("Mapped “%(term)s” to “%(target)s”.") % {"term": term.term, "target": mapping.target.term}
            )
            return redirect("communities:compare", slug=slug, other=mapping.target.community.slug)
    return render(request, "communities/term_map.html", community_context(request, community, form=form, term=term))


@login_required
@require_POST
def mapping_delete(request, slug, mapping_id):
    community = community_for(request.user, slug, need=Need.MEMBER)
    mapping = (
        TermMapping.objects.filter(pk=mapping_id, source__community=community)
        .select_related("target__community")
        .first()
    )
    if mapping is None:
        raise Http404(_("No such mapping."))
    services.term_mapping_delete(mapping=mapping, actor=request.user)
    messages.success(request, _("Mapping removed."))
    return redirect("communities:compare", slug=slug, other=mapping.target.community.slug)


@login_required
def glossary_compare(request, slug, other):
    community = community_for(request.user, slug, need=Need.GUEST)
    other_community = community_for(request.user, other)
    return render(
        request,
        "communities/compare.html",
        community_context(
            request,
            community,
            other=other_community,
            rows=mapping_table(community, other_community),
            can_edit=can(request.user, community, Need.MEMBER),
        ),
    )


@login_required
def audit_log(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    entries = community.audit_entries.select_related("actor__profile", "target__profile")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "communities/audit.html", community_context(request, community, page_obj=page))
