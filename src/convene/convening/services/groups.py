"""Breakout groups: formed by the grouping engine, scored and moved one person at a time."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.core.blas import single_blas_thread
from convene.core.errors import Conflict, InvalidInput
from convene.engines.grouping import GroupingError, evaluate, form_groups, prepare, score_move

from ..models import (
    BreakoutGroup,
    BreakoutMember,
    Rsvp,
    Session,
    SessionInvitation,
    SessionRole,
    SessionRoleKind,
)
from .common import RECORD_STATES, lock_session, require_state


def group_people(session: Session) -> list[SessionInvitation]:
    """Who is grouped: those checked in; before anyone is checked in, those who said yes."""
    qs = session.invitations.select_related("user__profile", "community")
    present = [i for i in qs if i.checked_in_at is not None]
    return present or [i for i in qs if i.rsvp == Rsvp.YES]


def _label(invitation: SessionInvitation) -> str:
    return f"{invitation.user.display_name} (#{invitation.user_id})"


def _problem_input(invitations: Sequence[SessionInvitation], include_organisation: bool) -> tuple[list, dict]:
    ids = [_label(i) for i in invitations]
    attributes = {
        "community": [i.community.name if i.community else _("Individual guest") for i in invitations],
        "discipline": [i.user.profile.discipline for i in invitations],
        "seniority": [i.user.profile.get_seniority_display() if i.user.profile.seniority else "" for i in invitations],
    }
    if include_organisation:
        attributes["organisation"] = [i.user.profile.organisation for i in invitations]
    return ids, attributes


def _pairs_of(pairs: Sequence[Sequence[User]], label_of: dict[int, str], kind: str) -> list[tuple[str, str]]:
    """`kind` is "separate" (keep apart) or "together" (keep together), the form's field."""
    out = []
    for pair in pairs:
        labels = []
        for person in pair:
            if person.pk not in label_of:
                text = (
                    _("Keep apart: %(name)s is not among the people being grouped.")
                    if kind == "separate"
                    else _("Keep together: %(name)s is not among the people being grouped.")
                )
                raise InvalidInput(text % {"name": person.display_name}, field=kind)
            labels.append(label_of[person.pk])
        out.append(tuple(labels))
    return out


def what_field(what: str) -> str:
    return "separate" if what.startswith("Keep apart") else "together"


@transaction.atomic
def groups_form(
    *,
    session: Session,
    actor: User,
    n_groups: int | None = None,
    group_size: int | None = None,
    include_organisation: bool = False,
    separate: Sequence[Sequence[User]] = (),
    together: Sequence[Sequence[User]] = (),
    seed: int = 0,
) -> list[BreakoutGroup]:
    session = lock_session(session)
    require_state(session, RECORD_STATES, _("Forming breakout groups"))
    if (n_groups is None) == (group_size is None):
        raise InvalidInput(_("Give either the number of groups or the group size."), field="n_groups")
    invitations = group_people(session)
    if len(invitations) < 2:
        raise Conflict(
            _("At least two people must have accepted or checked in before groups can be formed."), code="too_few"
        )
    ids, attributes = _problem_input(invitations, include_organisation)
    label_of = {i.user_id: _label(i) for i in invitations}
    user_of = {_label(i): i.user for i in invitations}
    lead_ids = set(
        SessionRole.objects.filter(
            session=session, kind__in=[SessionRoleKind.FACILITATOR, SessionRoleKind.BREAKOUT_LEAD]
        ).values_list("user_id", flat=True)
    )
    facilitators = [label_of[uid] for uid in lead_ids if uid in label_of]
    sep = _pairs_of(separate, label_of, "separate")
    tog = _pairs_of(together, label_of, "together")
    try:
        with single_blas_thread:
            result = form_groups(
                ids,
                attributes,
                kinds={name: "categorical" for name in attributes},
                n_groups=n_groups,
                group_size=group_size,
                facilitators=facilitators,
                strict_facilitators=True,
                separate=sep,
                together=tog,
                seed=seed,
                restarts=5,
            )
    except GroupingError as exc:
        field = "group_size" if group_size is not None else "n_groups"
        text = str(exc)
        if "separate" in text:
            field = "separate"
        elif "together" in text:
            field = "together"
        raise InvalidInput(
            _("These groups cannot be formed: %(reason)s.") % {"reason": text}, field=field, code="infeasible"
        ) from None
    BreakoutGroup.objects.filter(session=session).delete()
    groups = []
    for number, members in enumerate(result.groups, start=1):
        lead = next((user_of[m] for m in members if user_of[m].pk in lead_ids), None)
        group = BreakoutGroup.objects.create(session=session, number=number, lead=lead)
        BreakoutMember.objects.bulk_create(
            [BreakoutMember(group=group, session=session, user=user_of[m]) for m in members]
        )
        groups.append(group)
    session.grouping = {
        "n_groups": len(result.groups),
        "include_organisation": include_organisation,
        "separate": [[user_of[a].pk, user_of[b].pk] for a, b in sep],
        "together": [[user_of[a].pk, user_of[b].pk] for a, b in tog],
        "seed": seed,
        "objective": round(result.objective, 6),
        "formed_objective": round(result.objective, 6),
        "formed_at": timezone.now().isoformat(),
    }
    session.save(update_fields=["grouping"])
    return groups


def _saved_problem(session: Session):
    """Rebuild the engine's problem for the saved groups (same people, attributes and constraints)."""
    members = list(
        BreakoutMember.objects.filter(session=session).select_related("group").order_by("group__number", "user_id")
    )
    if not members:
        raise Conflict(_("Form the groups first."), code="no_groups")
    invitations = {
        i.user_id: i
        for i in session.invitations.filter(user_id__in=[m.user_id for m in members]).select_related(
            "user__profile", "community"
        )
    }
    ordered = [invitations[m.user_id] for m in members if m.user_id in invitations]
    ids, attributes = _problem_input(ordered, bool(session.grouping.get("include_organisation")))
    label_of = {i.user_id: _label(i) for i in ordered}
    lead_ids = set(
        SessionRole.objects.filter(
            session=session, kind__in=[SessionRoleKind.FACILITATOR, SessionRoleKind.BREAKOUT_LEAD]
        ).values_list("user_id", flat=True)
    )
    groups = list(session.breakout_groups.order_by("number"))
    try:
        problem = prepare(
            ids,
            attributes,
            kinds={name: "categorical" for name in attributes},
            n_groups=len(groups),
            min_size=0,
            max_size=len(ids),
            facilitators=[label_of[u] for u in lead_ids if u in label_of],
            separate=[
                (label_of[a], label_of[b])
                for a, b in session.grouping.get("separate", [])
                if a in label_of and b in label_of
            ],
        )
    except GroupingError as exc:  # pragma: no cover - the saved groups were feasible when formed
        raise Conflict(
            _("The saved groups cannot be scored: %(reason)s.") % {"reason": exc}, code="infeasible"
        ) from None
    number_index = {g.pk: idx for idx, g in enumerate(groups)}
    assignment = {label_of[m.user_id]: number_index[m.group_id] for m in members if m.user_id in label_of}
    return problem, assignment, label_of, groups


def group_move_score(*, session: Session, user: User, to_number: int) -> dict:
    """What moving `user` to group `to_number` would do to the objective (nothing is saved)."""
    problem, assignment, label_of, groups = _saved_problem(session)
    if user.pk not in label_of:
        raise InvalidInput(_("%(name)s is not in any breakout group.") % {"name": user.display_name}, field="user")
    numbers = [g.number for g in groups]
    if to_number not in numbers:
        raise InvalidInput(
            _("There is no group %(number)s; choose 1 to %(count)d.") % {"number": to_number, "count": len(groups)},
            field="to_group",
        )
    before = evaluate(problem, assignment)
    result = score_move(problem, label_of[user.pk], numbers.index(to_number), assignment)
    sizes = [sum(1 for g in result.assignment.values() if g == idx) for idx in range(len(groups))]
    warnings = [v for v in result.violations if "size" not in v]
    if min(sizes) == 0:
        warnings.append("the move would leave a group empty")
    return {
        "before": round(before, 6),
        "after": round(result.objective, 6),
        "delta": round(result.delta, 6),
        "warnings": warnings,
        "sizes": sizes,
    }


@transaction.atomic
def group_move(*, session: Session, actor: User, user: User, to_number: int) -> dict:
    session = lock_session(session)
    require_state(session, RECORD_STATES, _("Moving people between groups"))
    score = group_move_score(session=session, user=user, to_number=to_number)
    if min(score["sizes"]) == 0:
        raise Conflict(
            _("Moving %(name)s would leave a group empty.") % {"name": user.display_name}, code="empty_group"
        )
    group = BreakoutGroup.objects.get(session=session, number=to_number)
    BreakoutMember.objects.filter(session=session, user=user).update(group=group)
    session.grouping = {**session.grouping, "objective": score["after"]}
    session.save(update_fields=["grouping"])
    return score
