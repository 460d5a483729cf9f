"""A boundary joint response between two communities with five members each (built in tests/worlds.py)."""

from __future__ import annotations

import pytest

from ..worlds import STATEMENTS, Boundary, build_boundary, vote_pattern  # noqa: F401 - imported from here too


@pytest.fixture
def boundary(db) -> Boundary:
    return build_boundary()
