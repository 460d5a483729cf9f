from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from convene.api import api

# The admin's login is the site's login (allauth's, with its rate limits and lockout): the admin's
# own form had none. allauth documents this decorator for exactly this.
admin.site.login = secure_admin_login(admin.site.login)

# The API first: every API request (votes at load) resolves in one step instead of after trying
# each app's patterns (no app pattern matches a path under api/v1/).
urlpatterns = [
    path("api/v1/", api.urls),
    path("", include(("convene.core.urls", "core"))),
    path("", include("convene.accounts.urls")),
    path("", include("convene.communities.urls")),
    path("", include("convene.convening.urls")),
    path("", include("convene.deliberation.urls")),
    path("", include("convene.projects.urls")),
    path("", include("convene.insights.urls")),
    path("", include("convene.search.urls")),
    path("", include("convene.notifications.urls")),
    path("", include("convene.discussions.urls")),
    path("", include("convene.attachments.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "convene.core.views.server_error"
handler404 = "convene.core.views.page_not_found"
handler403 = "convene.core.views.permission_denied"
