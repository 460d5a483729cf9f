"""Fixtures shared by the privacy attacks."""

from ..deliberation.conftest import boundary  # noqa: F401 - the boundary response fixture
