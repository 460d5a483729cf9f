"""Insight pages. Thin: authorize with `permissions`, read with `selectors`, render.

Nothing here writes but the audit entry of each CSV download (communities.services.audit): the
only input is a reporting period (`from` / `to`) and a few filters.
A bad date re-renders the page with the default period, an explanation and status 400.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import pgettext

from convene.communities.services import audit
from convene.communities.views import community_context as _ctx
from convene.core.errors import InvalidInput

from . import charts, exports, selectors
from .forms import RotationForm
from .periods import default_period, parse_period
from .permissions import context_for, coordinated_community, dashboard_for


def _period(request):
    """(period, error message or None). A bad period falls back to the default one."""
    try:
        return parse_period(request.GET.get("from"), request.GET.get("to")), None
    except InvalidInput as exc:
        return default_period(), exc.message


def _bars(breakdowns):
    for b in breakdowns:
        top = b.max_count
        b.bars = [charts.bar_width(c.value, top) for c in b.cells]
        b.rows = list(zip(b.cells, b.bars, strict=True))
    return breakdowns


def _trend_charts(trend):
    labels = [date_format(timezone.localtime(m.start), pgettext("chart month", "M")) for m in trend.months]
    profile = [(trend.labels[k], trend.blau[k]) for k in ("discipline", "organisation", "seniority")]
    diversity = [(trend.labels[k], v) for k, v in trend.blau.items() if k.startswith("diversity:")]
    diversity = [s for s in diversity if any(v is not None for v in s[1])]
    peak = max([f.value for f in [*trend.opportunities, *trend.contributions] if f.shown] + [1])
    heard = [None if f.hidden else f.value / 100 for f in trend.heard]
    return {
        "profile": charts.line_chart(labels, profile),
        "diversity": charts.line_chart(labels, diversity[:5]) if diversity else None,
        "voice": charts.line_chart(labels, [("Contribution Gini", trend.gini), ("Share heard", heard)]),
        "volume": charts.line_chart(
            labels,
            [
                ("Contributions", [f.value for f in trend.contributions]),
                ("Opportunities", [f.value for f in trend.opportunities]),
            ],
            y_max=_nice(peak),
            y_format="{:.0f}",
        ),
    }


def _nice(x: float) -> float:
    """A round axis maximum at or above x."""
    for step in (1, 2, 5):
        for power in range(0, 9):
            top = step * 10**power
            if top >= x:
                return float(top)
    return float(x)


@login_required
def community(request, slug):
    viewer = dashboard_for(request.user, slug)
    c = viewer.community
    period, error = _period(request)
    board = selectors.community_dashboard(c, period, full=viewer.is_coordinator)
    rep = board.representation
    ctx = {
        "representation": rep,
        "profile": _bars(rep.profile),
        "diversity": _bars(rep.diversity),
        "period": period,
        "period_error": error,
        "full": viewer.is_coordinator,
    }
    if viewer.is_coordinator:
        ctx |= {
            "voice": board.voice,
            "opp": board.opportunities,
            "trend": board.trend,
            "trend_charts": _trend_charts(board.trend),
        }
    status = 400 if error else 200
    return render(request, "insights/community.html", _ctx(request, c, **ctx), status=status)


@login_required
def export(request, slug):
    c = coordinated_community(request.user, slug)
    try:
        period = parse_period(request.GET.get("from"), request.GET.get("to"))
    except InvalidInput as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    response = HttpResponse(exports.community_csv(c, period), content_type="text/csv; charset=utf-8")
    audit(
        community=c,
        actor=request.user,
        action="insights_exported",
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )
    name = f"insights-{slugify(c.slug)}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def not_heard(request, slug):
    c = coordinated_community(request.user, slug)
    period, error = _period(request)
    page = Paginator(selectors.not_yet_heard(c, period), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/not_heard.html",
        _ctx(request, c, page_obj=page, period=period, period_error=error, query_string=period.as_query()),
        status=400 if error else 200,
    )


@login_required
def opportunities(request, slug):
    c = coordinated_community(request.user, slug)
    period, error = _period(request)
    order = request.GET.get("order", "fewest")
    order = order if order in selectors.LEDGER_ORDERS else "fewest"
    summary = selectors.opportunity_summary(c, period)
    page = Paginator(selectors.opportunity_ledger(c, period, order=order), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/opportunities.html",
        _ctx(
            request,
            c,
            summary=summary,
            page_obj=page,
            period=period,
            period_error=error,
            order=order,
            kinds=selectors.OpportunityKind.choices,
            query_string=f"{period.as_query()}&order={order}",
        ),
        status=400 if error else 200,
    )


@login_required
def rotation(request, slug):
    c = coordinated_community(request.user, slug)
    form = RotationForm(request.GET or None)
    suggestions = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        eligible = selectors.members_with_skill(c, data["skill"]) if data["skill"] else None
        suggestions = selectors.rotation_suggestion(
            c, kind=data["kind"] or None, eligible_user_ids=eligible, limit=data["limit"] or 5
        )
    elif not form.is_bound:
        suggestions = selectors.rotation_suggestion(c)
    template = "insights/_rotation_results.html" if request.htmx else "insights/rotation.html"
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, template, _ctx(request, c, form=form, suggestions=suggestions), status=status)


@login_required
def contexts(request, slug):
    c = coordinated_community(request.user, slug)
    page = Paginator(selectors.context_list(c), 25).get_page(request.GET.get("page"))
    page.summaries = selectors.context_summaries(c, list(page.object_list))
    return render(request, "insights/contexts.html", _ctx(request, c, page_obj=page))


@login_required
def context_export(request, slug, context):
    c, _info = context_for(request.user, slug, context)
    response = HttpResponse(exports.context_csv(c, context), content_type="text/csv; charset=utf-8")
    audit(community=c, actor=request.user, action="insights_exported", context=context[:80])
    response["Content-Disposition"] = f'attachment; filename="insights-{slugify(c.slug)}-{slugify(context)}.csv"'
    return response


@login_required
def context(request, slug, context):
    c, _info = context_for(request.user, slug, context)
    report = selectors.context_report(c, context, with_names=True)
    return render(
        request, "insights/context.html", _ctx(request, c, report=report, breakdowns=_bars(report.representation))
    )
