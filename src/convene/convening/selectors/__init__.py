"""Reads for convening, one module per concern; the public names are re-exported here so callers
write `from convene.convening import selectors; selectors.room_preview(...)`, and so
`core/hooks.py` finds the hooks by name in `convene.convening.selectors`.

- activities.py  the shared catalogue and a community's own as pages show them, the session form's
                 activity choices, the link to an activity's tool
- preview.py     room preview and composition (through the disclosure adapter)
- guests.py      the guest list, who may be invited, names and labels, room warnings
- picker.py      the breakthrough picker's ranking, a person's ratings
- lookups.py     one object of a session, or 404 (`<thing>_in`)
- queue.py       the speaking queue's state
- groups.py      breakout groups as shown
- hooks.py       home_items, upcoming, community_links, personal_data, context_info, contexts_for;
                 role_turn_suggestions
"""

from .activities import (
    ENTRY_CHOICE,
    activity_choice,
    activity_choice_value,
    activity_choices,
    catalogue,
    catalogue_entry_in,
    community_catalogue,
    tool_link,
)
from .groups import breakout_groups, my_group
from .guests import (
    EMAIL_PENDING,
    guest_list,
    hidden_name,
    host_time_zone,
    invitable_labels,
    invitable_people,
    nameable_user_ids,
    person_labels,
    room_warnings,
    session_people,
)
from .hooks import (
    community_links,
    context_info,
    contexts_for,
    home_items,
    personal_data,
    role_turn_suggestions,
    upcoming,
    user_notes,
)
from .lookups import agenda_item_in, follow_up_in, session_role_in
from .picker import candidate_in, my_ratings, picker_ranking
from .preview import GUEST_LABEL, HIDDEN_NOTE, NOT_GIVEN, OTHER_GROUPS, ROUNDED_NOTE, composition, room_preview
from .queue import queue_for_member, queue_state

__all__ = [
    "ENTRY_CHOICE",
    "activity_choice",
    "activity_choice_value",
    "activity_choices",
    "EMAIL_PENDING",
    "GUEST_LABEL",
    "HIDDEN_NOTE",
    "NOT_GIVEN",
    "OTHER_GROUPS",
    "ROUNDED_NOTE",
    "agenda_item_in",
    "breakout_groups",
    "candidate_in",
    "catalogue",
    "catalogue_entry_in",
    "community_catalogue",
    "community_links",
    "composition",
    "context_info",
    "contexts_for",
    "follow_up_in",
    "guest_list",
    "hidden_name",
    "home_items",
    "host_time_zone",
    "invitable_labels",
    "invitable_people",
    "my_group",
    "my_ratings",
    "nameable_user_ids",
    "person_labels",
    "personal_data",
    "picker_ranking",
    "queue_for_member",
    "queue_state",
    "role_turn_suggestions",
    "room_preview",
    "room_warnings",
    "session_people",
    "session_role_in",
    "tool_link",
    "upcoming",
    "user_notes",
]
