from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from convene.accounts.views import language_set
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
    # The language switcher (Django's set_language, which also saves a signed-in person's choice) and
    # the translations of the project's JavaScript (gettext() in static/js and the apps' scripts).
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "convene.core.views.server_error"
handler404 = "convene.core.views.page_not_found"
handler403 = "convene.core.views.permission_denied"
