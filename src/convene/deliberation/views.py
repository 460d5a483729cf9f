"""Pages for joint responses. Thin: validate with a form, authorize with a helper, call a service."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseGone, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from convene.communities.models import Community
from convene.communities.permissions import Need, can, community_for
from convene.communities.views import community_context as _community_ctx
from convene.core.errors import Gone, InvalidInput, ServiceError
from convene.core.forms import run_service

from . import exports, selectors, services
from .forms import (
    AcceptForm,
    AnswerForm,
    CommentForm,
    DeclineForm,
    DevelopmentForm,
    DraftForm,
    EndorseForm,
    MinorityForm,
    ModerateForm,
    OpinionRequestForm,
    PolisImportForm,
    PredictionForm,
    SeedForm,
    SettingsForm,
    StatementForm,
    TransitionForm,
)
from .models import (
    TRANSITIONS,
    Endorsement,
    MinorityView,
    OpinionRequest,
    Phase,
    Prediction,
    Statement,
    StatementState,
)
from .permissions import (
    can_act,
    home_community,
    invited_ids,
    opinion_request_by_token,
    opinion_request_for,
    response_for,
    throttle,
)
from .rendering import markdown_html


def _ctx(request, response, **extra):
    return {
        "response": response,
        "community": response.community,
        "is_coordinator": can_act(request.user, response, Need.COORDINATOR),
        "is_member": can_act(request.user, response, Need.MEMBER),
        "nav": "communities",
        **extra,
    }


def _flash(request, exc: ServiceError):
    messages.error(request, exc.message)


# --------------------------------------------------------------------------- lists and intake


def response_list(request, slug):
    community = community_for(request.user, slug)
    rows = selectors.responses_for(request.user, community)
    if not can(request.user, community, Need.GUEST):
        rows = []
    return render(request, "deliberation/list.html", _community_ctx(request, community, responses=rows))


@login_required
def response_create(request, slug):
    community = community_for(request.user, slug, need=Need.MEMBER)
    form = DevelopmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            form, lambda: services.response_create(community=community, creator=request.user, **form.cleaned_data)
        )
        if response:
            messages.success(request, _("Raised. A coordinator sets the phase dates and opens gathering."))
            return redirect("deliberation:detail", pk=response.pk)
    return render(request, "deliberation/create.html", _community_ctx(request, community, form=form))


def _upload_refusal(request, limit: int) -> str | None:
    """A refusal before the upload is read, when its declared length is far over the limit."""
    length = str(request.META.get("CONTENT_LENGTH") or "0")
    if request.method == "POST" and length.isdigit() and int(length) > limit * 2 + 64 * 1024:
        return _("The upload is too large: at most %(mb)s MB.") % {"mb": f"{limit / 1_000_000:.0f}"}
    return None


def _upload_form(request, form_class):
    """The upload form of a Pol.is import or a statements CSV, and whether the body was refused unread
    (then the form is unbound and carries the refusal, and the page answers 400)."""
    refusal = _upload_refusal(request, settings.CONVENE_POLIS_UPLOAD_MAX_BYTES)
    if refusal:
        form = form_class()
        form.add_error(None, refusal)
        return form, True
    return form_class(request.POST or None, request.FILES or None), False


def _uploaded_export(form) -> dict:
    """The uploaded Pol.is export for `services.polis_export_read`: one zip, or CSVs by name."""
    uploads = form.cleaned_data["export"]
    limit = settings.CONVENE_POLIS_UPLOAD_MAX_BYTES
    if sum(u.size for u in uploads) > limit:
        raise InvalidInput(
            _("The upload is too large: at most %(mb)s MB.") % {"mb": f"{limit / 1_000_000:.0f}"}, field="export"
        )
    if len(uploads) == 1 and not uploads[0].name.lower().endswith(".csv"):
        return {"archive": uploads[0].read()}
    names = [u.name.replace("\\", "/").rsplit("/", 1)[-1].lower() for u in uploads]
    if len(set(names)) != len(names):
        raise InvalidInput(_("Two of the files have the same name."), field="export")
    return {"files": {name: u.read() for name, u in zip(names, uploads, strict=True)}}


@login_required
def response_import(request, slug):
    """Coordinators: a Pol.is export (zip or CSVs) becomes a new, anonymous joint response."""
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    form, refused = _upload_form(request, PolisImportForm)
    if not refused and request.method == "POST" and form.is_valid():

        def run():
            export = services.polis_export_read(**_uploaded_export(form))
            return services.response_import_polis(
                community=community, creator=request.user, title=form.cleaned_data["title"], export=export
            )

        response = run_service(form, run)
        if response:
            messages.success(request, _("Imported: %(summary)s The map is below.") % {"summary": response.what_changed})
            return redirect("deliberation:map", pk=response.pk)
    status = 400 if request.method == "POST" else 200  # refused, invalid, or the service said no
    return render(request, "deliberation/import.html", _community_ctx(request, community, form=form), status=status)


def request_new(request, slug):
    """Public form: an outside body asks the community for its opinion."""
    community = community_for(request.user, slug)
    form = OpinionRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        refused = []  # the refusal's status: its message may be in any language

        def submit():
            try:
                throttle(request)
                return services.opinion_request_submit(community=community, **form.cleaned_data)
            except ServiceError as exc:
                refused.append(exc.status)
                raise

        opinion_request = run_service(form, submit)
        if opinion_request:
            return redirect("deliberation:track", token=opinion_request.token)
        status = 429 if 429 in refused else 400
    elif request.method == "POST":
        status = 400
    return render(request, "deliberation/request_form.html", {"community": community, "form": form}, status=status)


@login_required
@require_POST
def request_relink(request, slug, request_id):
    """Coordinators revoke the requester's tracking link; the requester is mailed the new one."""
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    services.opinion_request_relink(opinion_request=opinion_request_for(community, request_id), actor=request.user)
    messages.success(request, _("The old tracking link no longer works; the requester is mailed the new one."))
    return redirect("deliberation:request_decide", slug=slug, request_id=request_id)


def _tracked(token):
    """The request behind a tracking link, or the 410 page of an expired link."""
    try:
        return opinion_request_by_token(token), None
    except Gone as exc:
        return None, HttpResponseGone(escape(exc.message), content_type="text/plain; charset=utf-8")


def request_track(request, token):
    opinion_request, gone = _tracked(token)
    if gone:
        return gone
    response = opinion_request.response
    delivered = response is not None and response.state in (Phase.DELIVERED, Phase.CLOSED)
    return render(
        request,
        "deliberation/track.html",
        {
            "req": opinion_request,
            "response": response,
            "doc": exports.document(response) if delivered else None,
            "doc_html": exports.text_html(response.draft_text) if delivered else "",
            "delivered": delivered,
        },
    )


def request_track_download(request, token, fmt):
    opinion_request, gone = _tracked(token)
    if gone:
        return gone
    response = opinion_request.response
    if response is None or response.state not in (Phase.DELIVERED, Phase.CLOSED):
        raise Http404(_("The response has not been delivered yet."))
    return _download(request, response, fmt, via="tracking_link")


@login_required
def request_list(request, slug):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    rows = OpinionRequest.objects.filter(community=community).select_related("response")
    return render(request, "deliberation/requests.html", _community_ctx(request, community, requests=rows))


@login_required
def request_decide(request, slug, request_id):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    opinion_request = opinion_request_for(community, request_id)
    accept = AcceptForm(request.POST if request.POST.get("action") == "accept" else None, prefix="accept")
    decline = DeclineForm(request.POST if request.POST.get("action") == "decline" else None, prefix="decline")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "accept" and accept.is_valid():
            response = run_service(
                accept,
                lambda: services.opinion_request_accept(
                    opinion_request=opinion_request, actor=request.user, **accept.cleaned_data
                ),
            )
            if response:
                messages.success(request, _("Accepted. Choose the options, then open gathering."))
                return redirect("deliberation:detail", pk=response.pk)
        elif request.POST.get("action") == "decline" and decline.is_valid():
            if run_service(
                decline,
                lambda: services.opinion_request_decline(
                    opinion_request=opinion_request, actor=request.user, reason=decline.cleaned_data["reason"]
                ),
            ):
                messages.success(request, _("Declined. The requester sees your reason on their tracking page."))
                return redirect("deliberation:requests", slug=slug)
        status = 400
    return render(
        request,
        "deliberation/request_decide.html",
        _community_ctx(
            request,
            community,
            req=opinion_request,
            accept=accept,
            decline=decline,
            tracking_days=settings.CONVENE_OPINION_TRACKING_DAYS,
        ),
        status=status,
    )


# --------------------------------------------------------------------------- a response


def response_detail(request, pk):
    response = response_for(request.user, pk, need=Need.GUEST)
    participant = None
    if request.user.is_authenticated:
        participant = services.participant_for(response, request.user, create=False)
    mine = []
    if participant is not None:
        mine = list(Statement.objects.filter(author=participant).order_by("-created_at"))
    is_coordinator = can_act(request.user, response, Need.COORDINATOR)
    ctx = _ctx(
        request,
        response,
        communities=Community.objects.filter(pk__in=invited_ids(response)).order_by("name"),
        my_statements=mine,
        moves=selectors.phase_moves(response, TRANSITIONS),
        n_pending=response.statements.filter(state=StatementState.PENDING).count() if is_coordinator else 0,
        n_accepted=response.statements.filter(state=StatementState.ACCEPTED).count(),
        coverage=selectors.coverage(response, with_names=is_coordinator),
        my_endorsement=Endorsement.objects.filter(participant=participant).first() if participant else None,
        opinion_request=OpinionRequest.objects.filter(response=response).first(),
    )
    return render(request, "deliberation/detail.html", ctx)


@login_required
def response_settings(request, pk):
    response = response_for(request.user, pk, need=Need.COORDINATOR)
    others = selectors.community_choices(request.user, response)
    initial = {
        f: getattr(response, f)
        for f in ("title", "what_changed", "anonymous", "hide_results", "perception_step", "guests_can_read")
        + ("gathering_ends", "drafting_ends", "endorsement_ends")
    }
    initial["communities"] = [c for c in invited_ids(response) if c != response.community_id]
    form = SettingsForm(request.POST or None, initial=initial, communities=others)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # Invited communities the coordinator may not see are not offered, and so stay invited.
        data["communities"] = [*data["communities"], *selectors.unseen_invited(request.user, response)]
        if run_service(form, lambda: services.response_update(response=response, actor=request.user, **data)):
            messages.success(request, _("Saved."))
            return redirect("deliberation:detail", pk=response.pk)
    return render(
        request, "deliberation/settings.html", _ctx(request, response, form=form), status=400 if form.errors else 200
    )


@login_required
@require_POST
def response_transition(request, pk):
    response = response_for(request.user, pk, need=Need.COORDINATOR)
    form = TransitionForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["to"]
        if selectors.needs_confirmation(response.state, to) and request.POST.get("confirm") != "yes":
            # Going back, withdrawing and delivering are never one click: the confirmation page first.
            return redirect("deliberation:phase_confirm", pk=response.pk, phase=to)
        try:
            services.response_transition(response=response, actor=request.user, to=to)
            messages.success(
                request, PHASE_DONE.get(to, _("Moved to: %(phase)s.") % {"phase": Phase(to).label.lower()})
            )
        except ServiceError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("Choose a phase."))
    return redirect("deliberation:detail", pk=response.pk)


PHASE_DONE = {
    Phase.GATHERING: gettext_lazy("Gathering views is open: members can write statements and vote."),
    Phase.DRAFTING: gettext_lazy("Drafting has started."),
    Phase.ENDORSEMENT: gettext_lazy("Endorsement is open: members can endorse or object."),
    Phase.DELIVERED: gettext_lazy("Delivered."),
    Phase.CLOSED: gettext_lazy("Closed."),
    Phase.WITHDRAWN: gettext_lazy("Withdrawn."),
}

# What a move that needs confirming does, in the words of its confirmation page.
PHASE_CONFIRM = {
    (Phase.DRAFTING, Phase.GATHERING): (
        gettext_lazy("Reopen gathering views?"),
        gettext_lazy(
            "Members can write statements and vote again. The draft, its versions, comments and minority views "
            "stay as they are: the draft is not seeded again from the map."
        ),
        gettext_lazy("Reopen gathering views"),
    ),
    (Phase.ENDORSEMENT, Phase.DRAFTING): (
        gettext_lazy("Reopen drafting?"),
        gettext_lazy(
            "Members can edit the draft again. Positions already taken stay recorded; people can change them "
            "when endorsement opens again."
        ),
        gettext_lazy("Reopen drafting"),
    ),
    Phase.WITHDRAWN: (
        gettext_lazy("Withdraw this response?"),
        gettext_lazy(
            "A withdrawn response cannot be reopened: nobody can vote, edit or endorse any more, and a requester "
            "is told that the community withdrew."
        ),
        gettext_lazy("Withdraw the response"),
    ),
    Phase.DELIVERED: (
        gettext_lazy("Deliver the response?"),
        gettext_lazy(
            "Endorsement closes and the document is final: it can no longer be edited. A requester is mailed "
            "and sees it on their tracking page."
        ),
        gettext_lazy("Deliver the response"),
    ),
}


@login_required
def phase_confirm(request, pk, phase):
    """The confirmation page of a move that is never one click (going back, withdrawing, delivering);
    before delivery, a checklist of gaps. Its form posts to `response_transition` with confirm=yes."""
    response = response_for(request.user, pk, need=Need.COORDINATOR)
    to = phase
    if to not in Phase.values:
        raise Http404(_("No such phase."))
    if to not in TRANSITIONS[response.state]:
        messages.error(
            request,
            _("A response that is %(state)s cannot move to “%(phase)s”.")
            % {"state": response.get_state_display().lower(), "phase": Phase(to).label},
        )
        return redirect("deliberation:detail", pk=response.pk)
    if not selectors.needs_confirmation(response.state, to):
        return redirect("deliberation:detail", pk=response.pk)  # a step forward: its button is there
    title, explanation, button = PHASE_CONFIRM.get((response.state, to)) or PHASE_CONFIRM[to]
    checklist = selectors.delivery_checklist(response) if to == Phase.DELIVERED else None
    return render(
        request,
        "deliberation/phase_confirm.html",
        _ctx(
            request,
            response,
            to=to,
            title=title,
            explanation=explanation,
            button=button,
            checklist=checklist,
            has_gaps=any(not item.ok for item in checklist or ()),
        ),
    )


# --------------------------------------------------------------------------- gathering


def _vote_context(request, response, *, error: str = "", notice: str = "", participant=None):
    if participant is None:
        participant = services.participant_for(response, request.user, create=False)
    statement, remaining = selectors.next_statement(response, participant)
    return {
        "statement": statement,
        "remaining": remaining,
        "error": error,
        "notice": notice,
        "open": response.state == Phase.GATHERING,
    }


@login_required
def vote(request, pk):
    response = response_for(request.user, pk, need=Need.MEMBER)
    if request.method == "POST":
        error = notice = ""
        status = 200
        participant = None
        try:
            vote = services.vote_cast(
                response=response,
                user=request.user,
                statement_id=request.POST.get("statement"),
                value=request.POST.get("value", ""),
            )
            notice, participant = _("Vote recorded."), vote.participant
        except ServiceError as exc:
            error, status = exc.message, exc.status
        if request.htmx:
            # htmx swaps only 2xx answers: the message carries the outcome, the API carries the status code.
            return render(
                request,
                "deliberation/_vote_card.html",
                {
                    "response": response,
                    **_vote_context(request, response, error=error, notice=notice, participant=participant),
                },
            )
        if error:
            ctx = _ctx(
                request, response, **_vote_context(request, response, error=error), statement_form=StatementForm()
            )
            return render(request, "deliberation/vote.html", ctx, status=status)
        messages.success(request, notice)
        return redirect("deliberation:vote", pk=response.pk)
    participant = services.participant_for(response, request.user, create=False)
    ctx = _ctx(
        request,
        response,
        **_vote_context(request, response),
        statement_form=StatementForm(),
        my_votes=selectors.my_votes(response, participant),
    )
    return render(request, "deliberation/vote.html", ctx)


@login_required
@require_POST
def statement_add(request, pk):
    response = response_for(request.user, pk, need=Need.MEMBER)
    form = StatementForm(request.POST)
    if form.is_valid():
        statement = run_service(
            form,
            lambda: services.statement_submit(response=response, user=request.user, text=form.cleaned_data["text"]),
        )
        if statement:
            messages.success(
                request,
                _("Statement added.")
                if statement.state == StatementState.ACCEPTED
                else _("Thank you: your statement waits for a coordinator's review."),
            )
            return redirect("deliberation:vote", pk=response.pk)
    ctx = _ctx(request, response, **_vote_context(request, response), statement_form=form, my_votes=[])
    return render(request, "deliberation/vote.html", ctx, status=400)


@login_required
def moderation(request, pk):
    response = response_for(request.user, pk, need=Need.COORDINATOR)
    waiting, decided = selectors.moderation_queue(response)
    return render(request, "deliberation/moderation.html", _ctx(request, response, waiting=waiting, decided=decided))


@login_required
@require_POST
def moderate(request, pk, statement_id):
    response = response_for(request.user, pk, need=Need.COORDINATOR)
    statement = selectors.statement_in(response, statement_id)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept, reject or meta."))
        return redirect("deliberation:moderation", pk=response.pk)
    decision = form.cleaned_data["decision"]
    try:
        if decision in ("key", "unkey"):
            services.statement_mark_key(statement=statement, actor=request.user, key=decision == "key")
        else:
            services.statement_moderate(
                statement=statement, actor=request.user, decision=decision, reason=form.cleaned_data["reason"]
            )
        messages.success(request, _("Saved."))
    except ServiceError as exc:
        _flash(request, exc)
    return redirect("deliberation:moderation", pk=response.pk)


@login_required
def statements_seed(request, pk):
    """Coordinators: accepted statements from a CSV, before or while gathering."""
    response = response_for(request.user, pk, need=Need.COORDINATOR)
    form, refused = _upload_form(request, SeedForm)
    if not refused and request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]

        def run():
            if upload.size > settings.CONVENE_POLIS_UPLOAD_MAX_BYTES:
                raise InvalidInput(_("The statements CSV is too large."), field="file")
            return services.statements_seed(response=response, actor=request.user, data=upload.read())

        added = run_service(form, run)
        if added:
            messages.success(
                request,
                ngettext("%(count)d statement added, accepted.", "%(count)d statements added, accepted.", len(added))
                % {"count": len(added)},
            )
            return redirect("deliberation:moderation", pk=response.pk)
    status = 400 if request.method == "POST" else 200  # refused, invalid, or the service said no
    return render(request, "deliberation/seed.html", _ctx(request, response, form=form), status=status)


# --------------------------------------------------------------------------- map, perception


def opinion_map(request, pk):
    response = response_for(request.user, pk, need=Need.GUEST)
    hidden = response.results_hidden
    view = None
    if not hidden:
        services.map_refresh(response=response)  # the selector only reads the stored map
        view = selectors.map_view(response)
    return render(request, "deliberation/map.html", _ctx(request, response, hidden=hidden, map=view))


@login_required
def perception(request, pk):
    response = response_for(request.user, pk, need=Need.MEMBER)
    participant = services.participant_for(response, request.user, create=False)
    home = home_community(request.user, response)
    targets = Community.objects.filter(pk__in=invited_ids(response)).exclude(pk=getattr(home, "pk", None))
    key_statements = list(response.statements.filter(is_key=True, state=StatementState.ACCEPTED))
    status = 200
    if request.method == "POST":
        form = PredictionForm(request.POST)
        target = targets.filter(pk=request.POST.get("target") or 0).first() if form.is_valid() else None
        statement = next((s for s in key_statements if str(s.pk) == request.POST.get("statement")), None)
        if form.is_valid() and target and statement:
            try:
                services.prediction_save(
                    response=response,
                    user=request.user,
                    statement=statement,
                    target=target,
                    share=form.cleaned_data["share"],
                )
                messages.success(request, _("Prediction saved."))
                return redirect("deliberation:perception", pk=response.pk)
            except ServiceError as exc:
                _flash(request, exc)
                status = exc.status
        else:
            messages.error(request, _("Give a whole percentage between 0 and 100 for a key statement."))
            status = 400
    mine = {}
    if participant:
        mine = {
            (p.statement_id, p.target_id): round(p.share * 100)
            for p in Prediction.objects.filter(participant=participant)
        }
    cards = [
        {"statement": s, "targets": [{"community": t, "value": mine.get((s.pk, t.pk))} for t in targets]}
        for s in key_statements
    ]
    report = None
    if not response.results_hidden:
        allowed = selectors.perception_statements_for(response, request.user)
        report = selectors.perception_report(response, statements=allowed)
    return render(
        request,
        "deliberation/perception.html",
        _ctx(
            request,
            response,
            cards=cards,
            report=report,
            guess_first=selectors.perception_open(response),
        ),
        status=status,
    )


# --------------------------------------------------------------------------- drafting


# The draft page's own headings are h1 and h2: a draft's "# Title" is shown as h3, "## Part" as h4.
DRAFT_HEADING_SHIFT = 2


def _paragraphs(response):
    comments = {}
    for c in selectors.paragraph_comments(response):
        comments.setdefault(c.paragraph_key, []).append(c)
    paras = [
        {
            "key": services.paragraph_key(p),
            "text": p,
            "html": markdown_html(p, heading_shift=DRAFT_HEADING_SHIFT),
            "comments": comments.pop(services.paragraph_key(p), []),
        }
        for p in services.split_paragraphs(response.draft_text)
    ]
    orphans = [c for rows in comments.values() for c in rows]
    return paras, orphans


def draft(request, pk):
    response = response_for(request.user, pk, need=Need.GUEST)
    can_edit = can_act(request.user, response, Need.MEMBER) and response.state == Phase.DRAFTING
    form = DraftForm(
        request.POST or None, initial={"text": response.draft_text, "base_version": response.draft_version}
    )
    status = 200
    preview = None
    refused = []  # codes of a refused save: a stale base version or a delivered response answer 409
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        response_for(request.user, pk, need=Need.MEMBER)
        if request.POST.get("preview"):
            # Preview: the typed text rendered as the page will show it; nothing is saved.
            typed = request.POST.get("text", "")[:50_000]
            preview = markdown_html(typed, heading_shift=DRAFT_HEADING_SHIFT)
            if request.htmx:
                return render(request, "deliberation/_draft_preview.html", {"preview": preview})
            form = DraftForm(initial={"text": typed, "base_version": request.POST.get("base_version")})
        elif form.is_valid():

            def save():
                try:
                    return services.draft_save(
                        response=response,
                        user=request.user,
                        text=form.cleaned_data["text"],
                        base_version=form.cleaned_data["base_version"],
                    )
                except ServiceError as exc:
                    refused.append(exc.code)
                    raise

            version = run_service(form, save)
            if version:
                messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
                return redirect("deliberation:draft", pk=response.pk)
        if preview is None:
            status = 409 if {"stale_version", "delivered"} & set(refused) else 400
            response.refresh_from_db()
    paras, orphans = _paragraphs(response)
    return render(
        request,
        "deliberation/draft.html",
        _ctx(
            request,
            response,
            form=form,
            can_edit=can_edit,
            paragraphs=paras,
            orphans=orphans,
            minority=MinorityView.objects.filter(response=response),
            can_comment=can_act(request.user, response, Need.MEMBER)
            and response.state in (Phase.DRAFTING, Phase.ENDORSEMENT),
            minority_form=MinorityForm(prefix="minority"),
            preview=preview,
        ),
        status=status,
    )


def versions(request, pk):
    response = response_for(request.user, pk, need=Need.GUEST)
    return render(
        request, "deliberation/versions.html", _ctx(request, response, versions=selectors.version_history(response))
    )


@login_required
@require_POST
def comment(request, pk):
    response = response_for(request.user, pk, need=Need.MEMBER)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(response=response, user=request.user, **form.cleaned_data)
            messages.success(request, _("Comment added."))
        except ServiceError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("Write a comment first."))
    return redirect("deliberation:draft", pk=response.pk)


@login_required
@require_POST
def minority_add(request, pk):
    response = response_for(request.user, pk, need=Need.MEMBER)
    form = MinorityForm(request.POST, prefix="minority")
    if form.is_valid():
        try:
            services.minority_view_add(response=response, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Minority view added: it stays in the document."))
        except ServiceError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("Write the minority view first."))
    return redirect("deliberation:draft", pk=response.pk)


@login_required
@require_POST
def minority_answer(request, pk, view_id):
    response = response_for(request.user, pk, need=Need.MEMBER)
    view = selectors.minority_view_in(response, view_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.minority_view_answer(view=view, user=request.user, answer=form.cleaned_data["answer"])
            messages.success(request, _("Answer saved."))
        except ServiceError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("Write an answer first."))
    return redirect("deliberation:draft", pk=response.pk)


# --------------------------------------------------------------------------- endorsement and delivery


def endorse(request, pk):
    response = response_for(request.user, pk, need=Need.GUEST)
    participant = None
    if request.user.is_authenticated:
        participant = services.participant_for(response, request.user, create=False)
    current = Endorsement.objects.filter(participant=participant).first() if participant else None
    form = EndorseForm(
        request.POST or None, initial={"stance": current.stance, "reason": current.reason} if current else None
    )
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        response_for(request.user, pk, need=Need.MEMBER)
        if form.is_valid() and run_service(
            form, lambda: services.endorsement_cast(response=response, user=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Thank you: your position is recorded."))
            return redirect("deliberation:endorse", pk=response.pk)
        status = 409 if response.state != Phase.ENDORSEMENT else 400
    return render(
        request,
        "deliberation/endorse.html",
        _ctx(
            request,
            response,
            form=form,
            current=current,
            summary=selectors.endorsement_summary(response),
            show_names=not response.anonymous,
            can_endorse=can_act(request.user, response, Need.MEMBER) and response.state == Phase.ENDORSEMENT,
        ),
        status=status,
    )


def final(request, pk):
    response = response_for(request.user, pk, need=Need.GUEST)
    return render(
        request,
        "deliberation/final.html",
        _ctx(request, response, doc=exports.document(response), doc_html=exports.text_html(response.draft_text)),
    )


DOWNLOADS = {
    "md": ("markdown", "text/markdown; charset=utf-8", exports.as_markdown),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", exports.as_docx),
    "pdf": ("pdf", "application/pdf", exports.as_pdf),
}


def _download(request, response, fmt, *, via="web"):
    if fmt not in (*DOWNLOADS, "json"):
        raise Http404(_("Formats: md, docx, pdf, json."))
    services.response_export_record(
        response=response, actor=request.user, fmt=DOWNLOADS[fmt][0] if fmt in DOWNLOADS else "json", via=via
    )
    if fmt in DOWNLOADS:
        _kind, content_type, build = DOWNLOADS[fmt]
        out = HttpResponse(build(response), content_type=content_type)
        out["Content-Disposition"] = f'attachment; filename="joint-response-{response.pk}.{fmt}"'
        return out
    return JsonResponse(exports.document(response), json_dumps_params={"ensure_ascii": False})


def download(request, pk, fmt):
    response = response_for(request.user, pk, need=Need.GUEST)
    return _download(request, response, fmt)


def polis_export(request, pk):
    response = response_for(request.user, pk, need=Need.MEMBER)
    if response.results_hidden:
        raise PermissionDenied(_("Results are hidden until gathering ends."))
    services.map_refresh(response=response)  # group-id comes from the map
    services.response_export_record(response=response, actor=request.user, fmt="polis", via="web")
    out = HttpResponse(exports.polis_zip(response), content_type="application/zip")
    out["Content-Disposition"] = f'attachment; filename="joint-response-{response.pk}-polis.zip"'
    return out
