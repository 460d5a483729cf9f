"""Fixtures shared by the privacy attacks."""

import pytest

from ..worlds import Boundary, build_boundary


@pytest.fixture
def boundary(db) -> Boundary:
    """The deliberation tests' boundary response (tests/worlds.py)."""
    return build_boundary()
