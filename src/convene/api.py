"""Mounts each app's router under /api/v1/."""

from convene.accounts.api import router as accounts_router
from convene.communities.api import router as communities_router
from convene.core.api import api

api.add_router("/communities", communities_router)
api.add_router("/me", accounts_router)

__all__ = ["api"]
