"""Pages for discussions. Thin: a form validates, permissions.py authorizes, a service writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from convene.communities.views import community_context
from convene.core.errors import ServiceError
from convene.core.forms import run_service

from . import selectors, services
from .forms import EditForm, HideForm, PostForm, ThreadForm
from .permissions import Need, about_for, can, community_for, post_for, thread_for
from .rendering import body_html


def _with_mentions(form, community):
    form.fields["body"].widget.attrs["data-mentions"] = reverse("discussions:people", args=[community.slug])
    return form


@login_required
def thread_list(request, slug):
    community = community_for(request.user, slug, need=Need.MEMBER)
    page = Paginator(selectors.threads_in(request.user, community), 25).get_page(request.GET.get("page"))
    return render(request, "discussions/list.html", community_context(request, community, page_obj=page))


@login_required
def thread_create(request, slug):
    community = community_for(request.user, slug, need=Need.MEMBER)
    form = _with_mentions(ThreadForm(request.POST or None), community)
    if request.method == "POST" and form.is_valid():
        thread = run_service(
            form, lambda: services.thread_create(community=community, author=request.user, **form.cleaned_data)
        )
        if thread:
            messages.success(request, "Your thread is open. You follow it: replies reach you.")
            return redirect("discussions:thread", thread_id=thread.pk)
    return render(request, "discussions/thread_form.html", community_context(request, community, form=form))


@login_required
def thread_about(request, kind, object_id):
    """The threads about a session, a joint response or a project, and a form to start one."""
    about = about_for(request.user, kind, object_id, start=request.method == "POST")
    community = about.home or about.communities[0]
    may_start = about.home is not None and not about.anonymous
    form = _with_mentions(ThreadForm(request.POST or None), community) if may_start else None
    if request.method == "POST" and form.is_valid():
        thread = run_service(
            form,
            lambda: services.thread_create(
                community=about.home, author=request.user, about=about.obj, **form.cleaned_data
            ),
        )
        if thread:
            messages.success(request, _("Your thread is open. You follow it: replies reach you."))
            return redirect("discussions:thread", thread_id=thread.pk)
    threads = [] if about.anonymous else selectors.threads_about(request.user, about.obj, about.communities)
    context = community_context(
        request,
        community,
        about=about,
        about_url=selectors.about_link_of(kind, about.obj),
        threads=threads,
        form=form,
    )
    return render(request, "discussions/about.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def thread_detail(request, thread_id):
    thread = thread_for(request.user, thread_id)
    community = thread.community
    form = _with_mentions(PostForm(request.POST or None), community)
    if request.method == "POST" and form.is_valid():
        post = run_service(form, lambda: services.post_add(thread=thread, author=request.user, **form.cleaned_data))
        if post:
            messages.success(request, "Your reply is posted.")
            return redirect(reverse("discussions:thread", args=[thread.pk]) + f"#post-{post.pk}")
    context = community_context(
        request,
        community,
        thread=thread,
        posts=selectors.thread_posts(request.user, thread),
        following=selectors.is_following(request.user, thread),
        about=selectors.about_link(thread),
        form=form,
        moderator=can(request.user, community, Need.COORDINATOR),
    )
    return render(request, "discussions/thread.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def thread_follow(request, thread_id):
    thread = thread_for(request.user, thread_id)
    if request.POST.get("follow") == "0":
        services.thread_unfollow(thread=thread, user=request.user)
        messages.success(request, "You no longer follow this thread.")
    else:
        services.thread_follow(thread=thread, user=request.user)
        messages.success(request, "You follow this thread: replies reach you.")
    return redirect("discussions:thread", thread_id=thread.pk)


@login_required
def post_edit(request, post_id):
    post = post_for(request.user, post_id, author=True)
    form = _with_mentions(EditForm(request.POST or None, initial={"body": post.body}), post.thread.community)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.post_edit(post=post, editor=request.user, **form.cleaned_data)):
            messages.success(request, "Your post is changed; the earlier version is kept.")
            return redirect(reverse("discussions:thread", args=[post.thread_id]) + f"#post-{post.pk}")
    context = community_context(request, post.thread.community, post=post, thread=post.thread, form=form)
    return render(request, "discussions/post_form.html", context)


@login_required
def post_hide(request, post_id):
    post = post_for(request.user, post_id, need=Need.COORDINATOR)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.post_hide(post=post, actor=request.user, **form.cleaned_data)):
            messages.success(request, "The post is hidden. Coordinators still see it, marked hidden.")
            return redirect(reverse("discussions:thread", args=[post.thread_id]) + f"#post-{post.pk}")
    post.html = body_html(post.body)
    context = community_context(request, post.thread.community, post=post, thread=post.thread, form=form)
    return render(request, "discussions/hide.html", context)


@login_required
@require_POST
def thread_hide(request, thread_id):
    thread = thread_for(request.user, thread_id, need=Need.COORDINATOR)
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the thread is hidden.")
        return redirect("discussions:thread", thread_id=thread.pk)
    run_service(form, lambda: services.thread_hide(thread=thread, actor=request.user, **form.cleaned_data))
    if form.errors:
        messages.error(request, " ".join(form.non_field_errors()) or "The thread could not be hidden.")
    else:
        messages.success(request, "The thread is hidden from members.")
    return redirect("discussions:list", slug=thread.community.slug)


@login_required
@require_GET
def people(request, slug):
    """Members to mention, for the autocomplete: [{"id", "name"}] (JSON)."""
    community = community_for(request.user, slug, need=Need.MEMBER)
    return JsonResponse({"people": selectors.people_search(community, request.GET.get("q", ""))})


@login_required
@require_POST
def post_react(request, post_id):
    """Toggle one of the viewer's reactions to a post: the reactions bar for htmx, else back to the post."""
    post = post_for(request.user, post_id)
    error = ""
    try:
        services.reaction_toggle(post=post, user=request.user, kind=request.POST.get("reaction", ""))
    except ServiceError as exc:
        error = exc.message
    if request.htmx:  # the bar again, with the outcome; htmx keeps focus on the button (same id)
        selectors.attach_reactions(request.user, post.thread, [post])
        return render(request, "discussions/_reactions.html", {"post": post, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your reaction is saved."))
    return redirect(reverse("discussions:thread", args=[post.thread_id]) + f"#post-{post.pk}")
