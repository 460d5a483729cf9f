"""Pages for convening. Thin: validate with a form, authorize with a helper, call a service."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from convene.accounts.models import User
from convene.communities.permissions import Need, can, community_for, visible_communities
from convene.communities.views import community_context
from convene.core.errors import ServiceError
from convene.core.forms import run_service
from convene.notifications.compose import message_form_handle

from . import selectors, services
from .forms import (
    AcceptInvitationForm,
    AgendaItemForm,
    CandidateForm,
    CatalogueEntryForm,
    CheckInForm,
    FollowUpForm,
    FollowUpStatusForm,
    GroupsForm,
    InviteForm,
    MoveForm,
    NoteForm,
    OutcomeForm,
    RatingForm,
    RoleForm,
    RsvpForm,
    SelfCheckInForm,
    SessionForm,
    TransitionForm,
)
from .ics import session_calendar
from .models import (
    TRANSITIONS,
    ActivityType,
    Commitment,
    EmailInvitation,
    SessionInvitation,
    SessionRole,
    SessionState,
)
from .permissions import (
    SessionNeed,
    can_cohost,
    crumb_community,
    email_invitation_for,
    invitation_for,
    invitation_of,
    is_facilitator,
    is_manager,
    session_for,
    visible_sessions,
)


def _ctx(request, session, tab: str = "", **extra):
    manager = is_manager(request.user, session)
    cohost = manager or can_cohost(request.user, session)
    return {
        "session": session,
        "tab": tab,
        "is_manager": manager,
        "can_cohost": cohost,
        "can_facilitate": cohost or is_facilitator(request.user, session),
        "crumb_community": crumb_community(request.user, session),
        "my_invitation": invitation_of(request.user, session),
        "nav": "communities",
        **extra,
    }


def _flash(request, exc: ServiceError):
    messages.error(request, exc.message)


def _people(session, viewer):
    """Invitees the viewer may pick by name, and labels that tell namesakes apart."""
    users, labels = selectors.session_people(session, viewer)
    people = User.objects.filter(pk__in=[u.pk for u in users]).select_related("profile")
    return people.order_by("profile__display_name", "id"), labels


def _people_kw(session, viewer) -> dict:
    people, labels = _people(session, viewer)
    return {"people": people, "labels": labels}


# --------------------------------------------------------------------------- catalogue


def catalogue(request):
    activities = selectors.catalogue()
    roots = [a for a in activities if a.parent_id is None]
    return render(request, "convening/catalogue.html", {"roots": roots, "nav": "activities"})


def activity_detail(request, slug):
    activity = get_object_or_404(ActivityType.objects.filter(active=True), slug=str(slug)[:60])
    return render(
        request,
        "convening/activity.html",
        {
            "activity": activity,
            "variations": activity.variations.filter(active=True),
            "tool_url": selectors.tool_link(activity),
            "nav": "activities",
        },
    )


# --------------------------------------------------------------------------- sessions


@login_required
def community_sessions(request, slug):
    community = community_for(request.user, slug, need=Need.GUEST)
    sessions = (
        visible_sessions(request.user, community).select_related("activity", "catalogue_entry").order_by("-starts_at")
    )
    return render(
        request,
        "convening/community_sessions.html",
        {
            "community": community,
            "sessions": sessions,
            "can_create": can(request.user, community, Need.COORDINATOR),
            "nav": "communities",
        },
    )


@login_required
def session_create(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    others = visible_communities(request.user).order_by("name")
    initial = {"time_zone": selectors.host_time_zone(community, fallback=timezone.get_current_timezone_name())}
    if request.GET.get("activity"):
        initial["activity"] = selectors.activity_choice_value(community, request.GET["activity"])
    form = SessionForm(request.POST or None, host=community, communities=others, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["allow_past"] = data.pop("past_ok")
        session = run_service(form, lambda: services.session_create(host=community, actor=request.user, **data))
        if session:
            n = session.invitations.count()
            if n:
                text = ngettext(
                    "Session created as a draft with %(count)d person on the invitation list. "
                    "Invite people, then see the room preview.",
                    "Session created as a draft with %(count)d people on the invitation list. "
                    "Invite people, then see the room preview.",
                    n,
                ) % {"count": n}
            else:
                text = _("Session created as a draft. Invite people, then see the room preview.")
            messages.success(request, text)
            return redirect("convening:invitations", session_id=session.pk)
    return render(
        request,
        "convening/session_form.html",
        {"form": form, "community": community, "nav": "communities", "zone_is_default": not request.POST},
        status=400 if form.errors else 200,
    )


@login_required
def session_detail(request, session_id):
    session = session_for(request.user, session_id)
    invitation = invitation_of(request.user, session)
    return render(
        request,
        "convening/session.html",
        _ctx(
            request,
            session,
            "overview",
            agenda=session.agenda.all(),
            invited_communities=session.invited_communities.all(),
            transitions=[SessionState(s) for s in sorted(TRANSITIONS[session.state])],
            counts=_counts(session),
            tool_url=selectors.tool_link(session),
            my_group=selectors.my_group(session, request.user) if invitation else None,
            outcomes=session.outcomes.all(),
            roles=SessionRole.objects.filter(session=session).select_related("user__profile"),
            mq=selectors.queue_for_member(session, request.user) if session.state == SessionState.IN_PROGRESS else None,
        ),
    )


def _counts(session) -> dict:
    rows = session.invitations.values("rsvp").annotate(n=Count("id"))
    counts = {row["rsvp"]: row["n"] for row in rows}
    counts["checked_in"] = session.invitations.filter(checked_in_at__isnull=False).count()
    counts["total"] = sum(v for k, v in counts.items() if k != "checked_in")
    return counts


@login_required
def session_edit(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    initial = {
        "title": session.title,
        "purpose": session.purpose,
        "boundary_concern": session.boundary_concern,
        "starts_at": session.local_start.replace(tzinfo=None),
        "time_zone": session.time_zone,
        "duration_minutes": session.duration_minutes,
        "place": session.place,
        "online_link": session.online_link,
        "capacity": session.capacity,
        "invited_communities": list(session.invited_communities.all()),
    }
    form = SessionForm(
        request.POST or None,
        host=session.host,
        communities=visible_communities(request.user).order_by("name"),
        initial=initial,
        edit=True,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["allow_past"] = data.pop("past_ok")
        if run_service(form, lambda: services.session_update(session=session, actor=request.user, **data)):
            messages.success(request, _("Saved."))
            return redirect("convening:session", session_id=session.pk)
    return render(
        request,
        "convening/session_form.html",
        _ctx(request, session, "edit", form=form),
        status=400 if form.errors else 200,
    )


STATE_SENTENCES = {
    SessionState.INVITATIONS_SENT: gettext_lazy("Invitations sent."),
    SessionState.IN_PROGRESS: gettext_lazy("The session has started."),
    SessionState.HELD: gettext_lazy("The session is marked as held."),
    SessionState.CLOSED: gettext_lazy("The session is closed."),
    SessionState.CANCELLED: gettext_lazy("The session is cancelled; everyone invited has been told."),
}


@login_required
@require_POST
def session_state(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid state."))
    else:
        try:
            session = services.session_transition(session=session, actor=request.user, to=form.cleaned_data["to"])
            messages.success(request, STATE_SENTENCES.get(session.state, _("Saved.")))
        except ServiceError as exc:
            _flash(request, exc)
    return redirect("convening:session", session_id=session.pk)


@login_required
def session_ics(request, session_id):
    session = session_for(request.user, session_id)
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --------------------------------------------------------------------------- invitations, RSVP, preview


@login_required
def invitations(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    communities = visible_communities(request.user).order_by("name")
    if not is_manager(request.user, session):  # co-hosts invite within the communities taking part
        communities = communities.filter(pk__in=session.community_ids())
    people = selectors.invitable_people(session, request.user)
    form = InviteForm(
        request.POST or None,
        communities=communities,
        people=people,
        labels=selectors.invitable_labels(session, list(people)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["how"] == "email":
            made = run_service(
                form, lambda: services.invitation_email_add(session=session, actor=request.user, email=data["email"])
            )
            if not form.errors:
                messages.success(
                    request,
                    _("Invitation link sent to that address.")
                    if made is not None
                    else _("That address was already invited to this session."),
                )
                return redirect("convening:invitations", session_id=session.pk)
        else:
            if data["how"] == "person":
                kwargs = {"user": data["person"]}
            else:
                kwargs = {"community": data["community"], "role": data["role"] if data["how"] == "role" else None}
            created = run_service(form, lambda: services.invitation_add(session=session, actor=request.user, **kwargs))
            if created is not None:
                messages.success(
                    request,
                    ngettext("%(count)d person invited.", "%(count)d people invited.", len(created))
                    % {"count": len(created)},
                )
                return redirect("convening:invitations", session_id=session.pk)
    return render(
        request,
        "convening/invitations.html",
        _ctx(
            request,
            session,
            "invitations",
            form=form,
            guest_list=selectors.guest_list(session, request.user),
            counts=_counts(session),
            warnings=selectors.room_warnings(session),
        ),
        status=400 if form.errors else 200,
    )


# What withdrawing each kind of invitation fetches, calls and says (the two URLs differ only here).
INVITATION_REMOVALS = {
    "person": (SessionInvitation, services.invitation_remove, gettext_lazy("Invitation withdrawn.")),
    "email": (EmailInvitation, services.invitation_email_remove, gettext_lazy("E-mail invitation withdrawn.")),
}


@login_required
@require_POST
def invitation_remove(request, session_id, invitation_id, kind="person"):
    model, remove, done = INVITATION_REMOVALS[kind]
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    invitation = invitation_for(request.user, session, model, invitation_id)
    try:
        remove(session=session, actor=request.user, invitation=invitation)
        messages.success(request, done)
    except ServiceError as exc:
        _flash(request, exc)
    return redirect("convening:invitations", session_id=session.pk)


@login_required
def email_invitation(request, token):
    """The link of an e-mail invitation: sign in (or sign up) first, then accept."""
    invitation = email_invitation_for(token)
    session = invitation.session
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        guest = run_service(
            form,
            lambda: services.invitation_email_accept(
                invitation=invitation, user=request.user, shares_answers=form.cleaned_data["share_answers"]
            ),
        )
        if guest is not None:
            messages.success(request, _("You are on the guest list."))
            return redirect("convening:session", session_id=session.pk)
    return render(
        request,
        "convening/email_invitation.html",
        {"session": session, "invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def preview(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    preview = selectors.room_preview(session)
    parts = [(preview["invited"], "Invited", "inv-h"), (preview["accepted"], "Accepted", "acc-h")]
    return render(request, "convening/preview.html", _ctx(request, session, "preview", preview=preview, parts=parts))


@login_required
def rsvp(request, session_id):
    session = session_for(request.user, session_id)
    invitation = invitation_of(request.user, session)
    if invitation is None:
        raise Http404(_("You are not invited to this session."))
    form = RsvpForm(
        request.POST or None,
        initial={
            "answer": invitation.rsvp if invitation.rsvp in ("yes", "no", "maybe") else None,
            "needs": invitation.needs,
        },
    )
    if request.method == "POST" and form.is_valid():
        answer = run_service(
            form,
            lambda: services.rsvp_set(
                session=session, user=request.user, answer=form.cleaned_data["answer"], needs=form.cleaned_data["needs"]
            ),
        )
        if answer:
            if answer.rsvp == "waitlist":
                messages.warning(
                    request, _("The session is full: you are on the waitlist and will hear if a seat frees up.")
                )
            else:
                messages.success(
                    request, _("Thank you: your answer is “%(answer)s”.") % {"answer": answer.get_rsvp_display()}
                )
            return redirect("convening:session", session_id=session.pk)
    return render(
        request,
        "convening/rsvp.html",
        _ctx(request, session, "rsvp", form=form, invitation=invitation),
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- agenda


@login_required
def agenda(request, session_id):
    session = session_for(request.user, session_id)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST":
        session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
        if form.is_valid():
            if run_service(
                form, lambda: services.agenda_item_add(session=session, actor=request.user, **form.cleaned_data)
            ):
                messages.success(request, _("Agenda item added."))
                return redirect("convening:agenda", session_id=session.pk)
    return render(
        request, "convening/agenda.html", _ctx(request, session, "agenda", form=form, items=session.agenda.all())
    )


@login_required
def agenda_item(request, session_id, item_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    item = selectors.agenda_item_in(session, item_id)
    form = AgendaItemForm(
        request.POST or None,
        initial={"title": item.title, "minutes": item.minutes, "detail": item.detail, "position": item.position},
    )
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Agenda item saved."))
            return redirect("convening:agenda", session_id=session.pk)
    return render(request, "convening/agenda_item.html", _ctx(request, session, "agenda", form=form, item=item))


@login_required
@require_POST
def agenda_item_delete(request, session_id, item_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    item = selectors.agenda_item_in(session, item_id)
    try:
        services.agenda_item_delete(item=item, actor=request.user)
        messages.success(request, _("Agenda item removed."))
    except ServiceError as exc:
        _flash(request, exc)
    return redirect("convening:agenda", session_id=session.pk)


# --------------------------------------------------------------------------- attendance and roles


@login_required
def attendance(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            person = User.objects.filter(pk=form.cleaned_data["user"]).first()
            if person is None:
                raise Http404(_("No such person."))
            try:
                services.attendance_mark(
                    session=session, actor=request.user, user=person, present=form.cleaned_data["present"]
                )
                text = (
                    _("%(name)s is checked in.")
                    if form.cleaned_data["present"]
                    else _("%(name)s is no longer checked in.")
                )
                messages.success(request, text % {"name": person.display_name})
            except ServiceError as exc:
                _flash(request, exc)
        else:
            messages.error(request, _("Choose a person."))
        return redirect("convening:attendance", session_id=session.pk)
    guest_list = list(
        session.invitations.select_related("user__profile", "community").order_by("user__profile__display_name", "id")
    )
    # namesakes told apart as everywhere people are listed: "Name (Community · discipline · organisation)"
    labels = selectors.person_labels(
        [i.user for i in guest_list],
        {i.user_id: i.community.name if i.community else str(selectors.GUEST_LABEL) for i in guest_list},
    )
    for invitation in guest_list:
        invitation.label = labels[invitation.user_id]
    show_needs = is_manager(request.user, session)
    return render(
        request,
        "convening/attendance.html",
        _ctx(request, session, "attendance", guest_list=guest_list, show_needs=show_needs, counts=_counts(session)),
    )


@login_required
def checkin(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    form = SelfCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(
            form, lambda: services.attendance_self(session=session, user=request.user, code=form.cleaned_data["code"])
        ):
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect("convening:session", session_id=session.pk)
    return render(request, "convening/checkin.html", _ctx(request, session, "checkin", form=form))


@login_required
def roles(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    people, labels = _people(session, request.user)
    form = RoleForm(request.POST or None, people=people, labels=labels)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.role_assign(session=session, actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Role given."))
            return redirect("convening:roles", session_id=session.pk)
    current = SessionRole.objects.filter(session=session).select_related("user__profile").order_by("kind")
    return render(
        request,
        "convening/roles.html",
        _ctx(
            request,
            session,
            "roles",
            form=form,
            current=current,
            suggestions=selectors.role_turn_suggestions(session, current),
        ),
    )


@login_required
def message(request, session_id):
    """Coordinators and co-hosts write to the people of the session (invited, attending, waitlisted)."""
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    form, done = message_form_handle(
        request,
        group="session",
        send=partial(services.session_message_send, session=session, actor=request.user),
        done=reverse("convening:message", args=[session.pk]),
    )
    return done or render(request, "convening/message.html", _ctx(request, session, "message", form=form))


@login_required
@require_POST
def role_remove(request, session_id, role_id):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    role = selectors.session_role_in(session, role_id)
    services.role_remove(session=session, actor=request.user, user=role.user, kind=role.kind)
    messages.success(request, _("Role removed."))
    return redirect("convening:roles", session_id=session.pk)


# --------------------------------------------------------------------------- notes, outcomes, follow-ups


def _record_ctx(request, session, **forms):
    manager = is_manager(request.user, session)
    return _ctx(
        request,
        session,
        "record",
        notes=session.notes.select_related("author__profile"),
        outcomes=session.outcomes.all(),
        actions=session.actions.select_related("owner__profile"),
        note_form=forms.get("note_form") or NoteForm(prefix="note"),
        outcome_form=forms.get("outcome_form") or OutcomeForm(prefix="outcome"),
        action_form=forms.get("action_form") or FollowUpForm(**_people_kw(session, request.user), prefix="action"),
        can_note=manager or invitation_of(request.user, session) is not None,
        status_choices=FollowUpStatusForm.base_fields["status"].choices,
    )


@login_required
def record(request, session_id):
    session = session_for(request.user, session_id)
    return render(request, "convening/record.html", _record_ctx(request, session))


@login_required
@require_POST
def note_add(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid() and run_service(
        form, lambda: services.note_add(session=session, author=request.user, text=form.cleaned_data["text"])
    ):
        messages.success(request, _("Note added."))
        return redirect("convening:record", session_id=session.pk)
    return render(request, "convening/record.html", _record_ctx(request, session, note_form=form), status=400)


@login_required
@require_POST
def outcome_add(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    form = OutcomeForm(request.POST, prefix="outcome")
    if form.is_valid() and run_service(
        form, lambda: services.outcome_add(session=session, actor=request.user, text=form.cleaned_data["text"])
    ):
        messages.success(request, _("Outcome recorded."))
        return redirect("convening:record", session_id=session.pk)
    return render(request, "convening/record.html", _record_ctx(request, session, outcome_form=form), status=400)


@login_required
@require_POST
def action_add(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    form = FollowUpForm(request.POST, **_people_kw(session, request.user), prefix="action")
    if form.is_valid() and run_service(
        form, lambda: services.follow_up_create(session=session, actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Follow-up action added; it shows on the owner's home page until done."))
        return redirect("convening:record", session_id=session.pk)
    return render(request, "convening/record.html", _record_ctx(request, session, action_form=form), status=400)


@login_required
@require_POST
def action_status(request, session_id, action_id):
    session = session_for(request.user, session_id)
    action = selectors.follow_up_in(session, action_id)
    if action.owner_id != request.user.pk:
        session_for(request.user, session_id, need=SessionNeed.MANAGE)
    form = FollowUpStatusForm(request.POST)
    if form.is_valid():
        services.follow_up_update(action=action, actor=request.user, status=form.cleaned_data["status"])
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.")
            % {"title": action.title, "status": action.get_status_display().lower()},
        )
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("convening:record", session_id=session.pk)


# --------------------------------------------------------------------------- speaking queue


@login_required
def queue(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    template = "convening/_queue_panel.html" if request.htmx else "convening/queue.html"
    return render(request, template, _ctx(request, session, "queue", q=selectors.queue_state(session)))


@login_required
def queue_panel(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    return render(
        request, "convening/_queue_panel.html", _ctx(request, session, "queue", q=selectors.queue_state(session))
    )


@login_required
def queue_mine(request, session_id):
    """The queue as an attendee sees it (polled by htmx from the overview)."""
    session = session_for(request.user, session_id)
    return render(
        request,
        "convening/_queue_mine.html",
        _ctx(request, session, "overview", mq=selectors.queue_for_member(session, request.user)),
    )


@login_required
@require_POST
def turn(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    person = User.objects.filter(
        pk=request.POST.get("user") if str(request.POST.get("user", "")).isdigit() else 0
    ).first()
    if person is None:
        raise Http404(_("No such person."))
    error = None
    try:
        services.turn_give(session=session, actor=request.user, user=person)
    except ServiceError as exc:
        error = exc.message
    if request.htmx:
        ctx = _ctx(request, session, "queue", q=selectors.queue_state(session), error=error)
        return render(request, "convening/_queue_panel.html", ctx, status=200 if error is None else 409)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s has the floor.") % {"name": person.display_name})
    return redirect("convening:queue", session_id=session.pk)


@login_required
@require_POST
def hand(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    raised = request.POST.get("raised", "1") == "1"
    try:
        services.hand_set(session=session, user=request.user, raised=raised)
        messages.success(request, _("Your hand is raised.") if raised else _("Your hand is lowered."))
    except ServiceError as exc:
        _flash(request, exc)
    return redirect("convening:session", session_id=session.pk)


# --------------------------------------------------------------------------- breakthrough picker


def _picker_ctx(request, session, form=None):
    ranking = selectors.picker_ranking(session)
    mine = selectors.my_ratings(session, request.user)
    for row in ranking:
        row["mine"] = mine.get(row["candidate"].pk)
    return _ctx(
        request,
        session,
        "picker",
        ranking=ranking,
        commitments=Commitment.choices,
        form=form or CandidateForm(),
        rating_form=RatingForm(),
        can_take_part=invitation_of(request.user, session) is not None or is_manager(request.user, session),
    )


@login_required
def picker(request, session_id):
    session = session_for(request.user, session_id)
    if not session.activity.is_boundary:
        raise Http404(_("This session has no breakthrough picker."))
    form = None
    if request.method == "POST":
        session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
        form = CandidateForm(request.POST)
        if form.is_valid() and run_service(
            form, lambda: services.candidate_propose(session=session, user=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Candidate added. Everyone can now rate it."))
            return redirect("convening:picker", session_id=session.pk)
    return render(request, "convening/picker.html", _picker_ctx(request, session, form))


@login_required
@require_POST
def rate(request, session_id, candidate_id):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    candidate = selectors.candidate_in(session, candidate_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a usefulness from 1 to 5 and a commitment (light, medium or heavy)."))
    else:
        try:
            services.rating_set(candidate=candidate, user=request.user, **form.cleaned_data)
            messages.success(request, _("Your rating of “%(title)s” is saved.") % {"title": candidate.title})
        except ServiceError as exc:
            _flash(request, exc)
    return redirect("convening:picker", session_id=session.pk)


@login_required
@require_POST
def pick(request, session_id, candidate_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    candidate = selectors.candidate_in(session, candidate_id)
    try:
        services.candidate_pick(session=session, actor=request.user, candidate=candidate)
        messages.success(
            request, _("“%(title)s” is the breakthrough activity of this session.") % {"title": candidate.title}
        )
    except ServiceError as exc:
        _flash(request, exc)
    return redirect("convening:picker", session_id=session.pk)


# --------------------------------------------------------------------------- breakout groups


def _group_labels(session, viewer) -> dict[int, str]:
    """Labels of the people being grouped (who the viewer may see by name), namesakes told apart."""
    _people, labels = selectors.session_people(session, viewer)
    grouped = {u.pk for u in services.group_people(session)} | set(_grouped(session).values_list("pk", flat=True))
    return {pk: label for pk, label in labels.items() if pk in grouped}


def _groups_ctx(request, session, form=None, move_form=None, move_score=None):
    manager = is_manager(request.user, session)
    labels = _group_labels(session, request.user) if manager else {}
    return _ctx(
        request,
        session,
        "groups",
        groups=selectors.breakout_groups(session) if manager else [],
        my_group=selectors.my_group(session, request.user),
        form=form or GroupsForm(initial={"n_groups": session.grouping.get("n_groups") or 2, "seed": 0}, labels=labels),
        move_form=move_form or _move_form(session, request.user),
        move_score=move_score,
        people_count=len(services.group_people(session)),
        grouping=session.grouping,
        people_labels=sorted(labels.values(), key=str.casefold),
        warnings=selectors.room_warnings(session) if manager else [],
    )


def _move_form(session, viewer, data=None):
    _people, labels = selectors.session_people(session, viewer)
    return MoveForm(data, people=_grouped(session), labels=labels, groups=list(session.breakout_groups.all()))


def _grouped(session):
    return User.objects.filter(pk__in=session.breakout_groups.values("members__user")).select_related("profile")


@login_required
def groups(request, session_id):
    session = session_for(request.user, session_id)
    form = None
    if request.method == "POST":
        session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
        form = GroupsForm(request.POST, labels=_group_labels(session, request.user))
        if form.is_valid():
            data = form.cleaned_data
            people = User.objects.in_bulk([pk for pair in data["separate"] + data["together"] for pk in pair])
            made = run_service(
                form,
                lambda: services.groups_form(
                    session=session,
                    actor=request.user,
                    n_groups=data["n_groups"],
                    group_size=data["group_size"],
                    include_organisation=data["include_organisation"],
                    separate=[(people[a], people[b]) for a, b in data["separate"]],
                    together=[(people[a], people[b]) for a, b in data["together"]],
                    seed=data["seed"] or 0,
                ),
            )
            if made is not None:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d breakout group formed and saved.",
                        "%(count)d breakout groups formed and saved.",
                        len(made),
                    )
                    % {"count": len(made)},
                )
                return redirect("convening:groups", session_id=session.pk)
        return render(request, "convening/groups.html", _groups_ctx(request, session, form=form), status=400)
    return render(request, "convening/groups.html", _groups_ctx(request, session))


@login_required
@require_POST
def group_move(request, session_id):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    form = _move_form(session, request.user, request.POST)
    score = None
    if form.is_valid():
        kwargs = {"session": session, "user": form.cleaned_data["user"], "to_number": form.cleaned_data["to_group"]}
        if request.POST.get("action") == "move":
            score = run_service(form, lambda: services.group_move(actor=request.user, **kwargs))
            if score is not None:
                messages.success(
                    request,
                    _("%(name)s moved to group %(group)s. Diversity score %(before)s → %(after)s (%(delta)s).")
                    % {
                        "name": form.cleaned_data["user"].display_name,
                        "group": kwargs["to_number"],
                        "before": f"{score['before']:.2f}",
                        "after": f"{score['after']:.2f}",
                        "delta": f"{score['delta']:+.2f}",
                    },
                )
                return redirect("convening:groups", session_id=session.pk)
        else:
            score = run_service(form, lambda: services.group_move_score(**kwargs))
    status = 200 if score is not None else 400
    return render(
        request, "convening/groups.html", _groups_ctx(request, session, move_form=form, move_score=score), status=status
    )


# --------------------------------------------------------------------------- a community's own catalogue
# Members read it, coordinators adapt, hide or add activities (no admin needed), issue 18.19.
@login_required
def community_catalogue(request, slug):
    community = community_for(request.user, slug, need=Need.GUEST)
    form = CatalogueEntryForm()
    if request.method == "POST":
        community = community_for(request.user, slug, need=Need.COORDINATOR)
        form = CatalogueEntryForm(request.POST)
        if form.is_valid() and run_service(
            form, lambda: services.catalogue_entry_create(community=community, actor=request.user, **form.cleaned_data)
        ):
            messages.success(
                request,
                _("“%(name)s” is in the catalogue of %(community)s.")
                % {"name": form.cleaned_data["name"], "community": community.name},
            )
            return redirect("convening:community_catalogue", slug=community.slug)
    return render(
        request,
        "convening/community_catalogue.html",
        community_context(request, community, rows=selectors.community_catalogue(community), form=form),
    )


@login_required
@require_POST
def catalogue_adapt(request, slug, activity_slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    base = get_object_or_404(ActivityType.objects.filter(active=True), slug=str(activity_slug)[:60])
    entry = services.catalogue_entry_adapt(community=community, actor=request.user, base=base)
    return redirect("convening:catalogue_edit", slug=community.slug, entry_id=entry.pk)


@login_required
def catalogue_edit(request, slug, entry_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    entry = selectors.catalogue_entry_in(community, entry_id)
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
            messages.success(request, _("Saved."))
            return redirect("convening:community_catalogue", slug=community.slug)
    return render(
        request,
        "convening/community_catalogue_edit.html",
        community_context(request, community, entry=entry, form=form),
    )


@login_required
@require_POST
def catalogue_hide(request, slug, entry_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    entry = selectors.catalogue_entry_in(community, entry_id)
    hidden = request.POST.get("hidden", "1") == "1"
    try:
        services.catalogue_entry_hide(entry=entry, actor=request.user, hidden=hidden)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        text = _("“%(name)s” is hidden from the catalogue.") if hidden else _("“%(name)s” is back in the catalogue.")
        messages.success(request, text % {"name": entry.name})
    return redirect("convening:community_catalogue", slug=community.slug)
