"""Lookups the page and the API share: a response's statements, minority views, comments; who may be invited."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.models import Community, Membership, Visibility

from ..models import JointResponse, MinorityView, ParagraphComment, Statement, StatementState
from ..permissions import can_read, invited_ids


def community_choices(user, response: JointResponse):
    """Communities a coordinator may invite to a response: public ones and those they belong to.

    A private community's name is never offered to someone who is not in it."""
    mine = Membership.objects.filter(user=user).values("community_id") if user.is_authenticated else []
    return (
        Community.objects.exclude(pk=response.community_id)
        .filter(Q(visibility=Visibility.PUBLIC) | Q(pk__in=mine))
        .order_by("name")
    )


def unseen_invited(user, response: JointResponse) -> list[Community]:
    """Invited communities `user` is not offered (private, not theirs): kept as they are on save."""
    offered = set(community_choices(user, response).values_list("pk", flat=True))
    return list(
        Community.objects.filter(pk__in=invited_ids(response)).exclude(pk=response.community_id).exclude(pk__in=offered)
    )


def responses_for(user, community: Community) -> list[JointResponse]:
    """The community's responses that `user` may read (guests: see `permissions.can_read`)."""
    rows = JointResponse.objects.filter(communities=community).select_related("community").order_by("-created_at")
    return [r for r in rows if can_read(user, r)]


def statement_in(response: JointResponse, statement_id) -> Statement:
    """The statement `statement_id` of `response`, or 404."""
    statement = Statement.objects.filter(response=response, pk=statement_id).select_related("response").first()
    if statement is None:
        raise Http404(_("No such statement."))
    return statement


def moderation_queue(response: JointResponse) -> tuple[list[Statement], list[Statement]]:
    """The moderation page's two lists: statements waiting for a decision (oldest first, as a queue)
    and those already decided (accepted, meta, then rejected; newest first)."""
    rows = (
        response.statements.select_related("author__user__profile")
        .annotate(
            rank=Case(
                When(state=StatementState.PENDING, then=Value(0)),
                When(state=StatementState.ACCEPTED, then=Value(1)),
                When(state=StatementState.META, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-created_at", "-id")
    )
    waiting, decided = [], []
    for s in rows:
        (waiting if s.state == StatementState.PENDING else decided).append(s)
    waiting.reverse()  # the longest waiting first
    return waiting, decided


def minority_view_in(response: JointResponse, view_id) -> MinorityView:
    """The minority view `view_id` recorded on `response`, or 404."""
    view = MinorityView.objects.filter(response=response, pk=view_id).select_related("response").first()
    if view is None:
        raise Http404(_("No such minority view."))
    return view


def paragraph_comments(response: JointResponse) -> QuerySet[ParagraphComment]:
    """The comments on the draft's paragraphs, with who wrote them."""
    return ParagraphComment.objects.filter(response=response).select_related("participant__user__profile")
