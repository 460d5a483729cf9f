"""core.lifecycle.transition: moves along a state graph, refusals worded by the caller."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import models

from convene.core.errors import Conflict, InvalidInput
from convene.core.lifecycle import transition


class Light(models.TextChoices):
    OFF = "off", "Switched off"
    ON_HOLD = "on_hold", "Waiting"
    ON = "on", "Lit"


GRAPH = {Light.OFF: {Light.ON, Light.ON_HOLD}, Light.ON_HOLD: {Light.OFF}, Light.ON: set()}
WORDING = {"unknown": "“{to}” is not a light state.", "refused": "{was_label}/{to_label}/{was_state}/{to_state}"}


def test_allowed_move_sets_the_state_and_returns_the_old_one():
    lamp = SimpleNamespace(state="off")
    assert transition(lamp, "on_hold", GRAPH, **WORDING) == "off"
    assert lamp.state == "on_hold"


def test_unknown_state_is_invalid_input_on_the_field():
    lamp = SimpleNamespace(state="off")
    with pytest.raises(InvalidInput) as exc:
        transition(lamp, "blinking", GRAPH, field="to", **WORDING)
    assert exc.value.message == "“blinking” is not a light state."
    assert (exc.value.field, exc.value.status) == ("to", 400)
    assert lamp.state == "off"


def test_unknown_state_is_quoted_at_most_40_characters_and_need_not_be_text():
    with pytest.raises(InvalidInput) as exc:
        transition(SimpleNamespace(state="off"), "x" * 100, GRAPH, **WORDING)
    assert exc.value.message == f"“{'x' * 40}” is not a light state."
    with pytest.raises(InvalidInput):
        transition(SimpleNamespace(state="off"), ["on"], GRAPH, **WORDING)


def test_move_the_graph_lacks_is_a_conflict_worded_with_labels_and_states():
    lamp = SimpleNamespace(state="on_hold")
    with pytest.raises(Conflict) as exc:
        transition(lamp, "on", GRAPH, code="bad_transition", **WORDING)
    assert exc.value.message == "waiting/lit/on hold/on"
    assert (exc.value.code, exc.value.status) == ("bad_transition", 409)
    assert lamp.state == "on_hold"


def test_conflict_code_defaults_to_conflict():
    with pytest.raises(Conflict) as exc:
        transition(SimpleNamespace(state="on"), "off", GRAPH, **WORDING)
    assert exc.value.code == "conflict"
