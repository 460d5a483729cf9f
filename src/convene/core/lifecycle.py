"""State machines of sessions, joint responses, projects, milestones and help requests: one move rule.

Each model module declares its graph beside its states (`TRANSITIONS`, `PROJECT_TRANSITIONS`, ...):
a dict from each state (a TextChoices member) to the states it may move to. A service moves an
object with `transition`, which refuses what the graph does not allow in the same two ways
everywhere: a state that does not exist is InvalidInput (400), a move the graph lacks is Conflict
(409). The service then checks its own conditions (a draft written, a team published), saves the
object and does what follows the move.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from convene.core.errors import Conflict, InvalidInput


def transition(
    obj,
    to: str,
    graph: Mapping[str, Collection[str]],
    *,
    unknown: str,
    refused: str,
    field: str = "state",
    code: str | None = None,
) -> str:
    """Set `obj.state = to` if `graph` allows the move; return the state `obj` leaves. Nothing is saved.

    `unknown` is the message when `to` is not a state of the graph (InvalidInput on `field`);
    `refused` the message when the graph has no move from the current state to `to` (Conflict,
    with `code` if given). They are formatted with `to` (as sent, at most 40 characters), and for
    `refused` also `was_label`/`to_label` (the states' labels in lower case) and
    `was_state`/`to_state` (the stored values, underscores as spaces).
    """
    labels = {str(state): getattr(state, "label", str(state)) for state in graph}
    if not isinstance(to, str) or to not in labels:
        raise InvalidInput(unknown.format(to=str(to)[:40]), field=field)
    was = obj.state
    if to not in graph.get(was, ()):
        message = refused.format(
            to=to,
            was_label=labels.get(was, was).lower(),
            to_label=labels[to].lower(),
            was_state=was.replace("_", " "),
            to_state=to.replace("_", " "),
        )
        raise Conflict(message, code=code)
    obj.state = to
    return was
