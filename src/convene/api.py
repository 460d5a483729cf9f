"""Mounts each app's router under /api/v1/."""

from convene.accounts.api import router as accounts_router
from convene.attachments.api import router as attachments_router
from convene.communities.api import router as communities_router
from convene.convening.api import router as convening_router
from convene.core.api import api
from convene.deliberation.api import router as deliberation_router
from convene.discussions.api import router as discussions_router
from convene.insights.api import router as insights_router
from convene.notifications.api import mail_router
from convene.notifications.api import router as notifications_router
from convene.projects.api import router as projects_router
from convene.search.api import router as search_router

# Django tries URL patterns in order: deliberation first, as its vote and next-statement routes
# (first in its file) take nearly every API request while a room votes.
api.add_router("/deliberation", deliberation_router)
api.add_router("/communities", communities_router)
api.add_router("/me", accounts_router)
api.add_router("/convening", convening_router)
api.add_router("/projects", projects_router)
api.add_router("/insights", insights_router)
api.add_router("/search", search_router)
api.add_router("/notifications", notifications_router)
api.add_router("/discussions", discussions_router)
api.add_router("/mail", mail_router)
api.add_router("/attachments", attachments_router)

__all__ = ["api"]
