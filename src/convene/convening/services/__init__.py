"""Write paths for convening, one module per concern; the public names are re-exported here so
callers write `from convene.convening import services; services.session_create(...)`.

- sessions.py     create, update, move through the states
- invitations.py  invitations by name and by e-mail, RSVP, the waitlist
- mail.py         the invitation and cancellation mail (and what the reminders use)
- roles.py        session roles
- attendance.py   marking present, self check-in
- agenda.py       agenda items
- record.py       notes and outcomes
- follow_ups.py   follow-up actions
- queue.py        the speaking queue
- picker.py       the breakthrough picker
- groups.py       breakout groups (the grouping engine)
- personal_data.py  what goes when a person leaves (core.hooks)
- common.py       input checks, the session lock and state guard, community_of
"""

from .agenda import agenda_item_add, agenda_item_delete, agenda_item_update
from .attendance import attendance_mark, attendance_self
from .common import NOT_BY_NAME, OPEN_STATES, RECORD_STATES, community_of, zone
from .follow_ups import follow_up_create, follow_up_update
from .groups import group_move, group_move_score, group_people, groups_form, what_field
from .invitations import (
    invitation_add,
    invitation_email_accept,
    invitation_email_add,
    invitation_email_remove,
    invitation_remove,
    rsvp_set,
)
from .personal_data import personal_data_erase
from .picker import candidate_pick, candidate_propose, rating_set
from .queue import hand_set, turn_give
from .record import note_add, outcome_add
from .roles import role_assign, role_remove
from .sessions import session_create, session_transition, session_update

__all__ = [
    "NOT_BY_NAME",
    "OPEN_STATES",
    "personal_data_erase",
    "RECORD_STATES",
    "agenda_item_add",
    "agenda_item_delete",
    "agenda_item_update",
    "attendance_mark",
    "attendance_self",
    "candidate_pick",
    "candidate_propose",
    "community_of",
    "follow_up_create",
    "follow_up_update",
    "group_move",
    "group_move_score",
    "group_people",
    "groups_form",
    "hand_set",
    "invitation_add",
    "invitation_email_accept",
    "invitation_email_add",
    "invitation_email_remove",
    "invitation_remove",
    "note_add",
    "outcome_add",
    "rating_set",
    "role_assign",
    "role_remove",
    "rsvp_set",
    "session_create",
    "session_transition",
    "session_update",
    "turn_give",
    "what_field",
    "zone",
]
