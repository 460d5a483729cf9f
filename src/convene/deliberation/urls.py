from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    path("c/<slug:slug>/responses/", views.response_list, name="list"),
    path("c/<slug:slug>/responses/new/", views.response_create, name="create"),
    path("c/<slug:slug>/responses/import/", views.response_import, name="import"),
    path("c/<slug:slug>/ask/", views.request_new, name="ask"),
    path("c/<slug:slug>/opinion-requests/", views.request_list, name="requests"),
    path("c/<slug:slug>/opinion-requests/<int:request_id>/", views.request_decide, name="request_decide"),
    path("c/<slug:slug>/opinion-requests/<int:request_id>/relink/", views.request_relink, name="request_relink"),
    path("opinion-requests/<str:token>/", views.request_track, name="track"),
    path("opinion-requests/<str:token>/response.<str:fmt>", views.request_track_download, name="track_download"),
    path("responses/<int:pk>/", views.response_detail, name="detail"),
    path("responses/<int:pk>/settings/", views.response_settings, name="settings"),
    path("responses/<int:pk>/phase/", views.response_transition, name="transition"),
    path("responses/<int:pk>/phase/<str:phase>/", views.phase_confirm, name="phase_confirm"),
    path("responses/<int:pk>/vote/", views.vote, name="vote"),
    path("responses/<int:pk>/statements/new/", views.statement_add, name="statement_add"),
    path("responses/<int:pk>/moderation/", views.moderation, name="moderation"),
    path("responses/<int:pk>/statements/seed/", views.statements_seed, name="seed"),
    path("responses/<int:pk>/statements/<int:statement_id>/moderate/", views.moderate, name="moderate"),
    path("responses/<int:pk>/map/", views.opinion_map, name="map"),
    path("responses/<int:pk>/perception/", views.perception, name="perception"),
    path("responses/<int:pk>/draft/", views.draft, name="draft"),
    path("responses/<int:pk>/draft/versions/", views.versions, name="versions"),
    path("responses/<int:pk>/draft/comment/", views.comment, name="comment"),
    path("responses/<int:pk>/minority/", views.minority_add, name="minority_add"),
    path("responses/<int:pk>/minority/<int:view_id>/", views.minority_answer, name="minority_answer"),
    path("responses/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("responses/<int:pk>/final/", views.final, name="final"),
    path("responses/<int:pk>/final.<str:fmt>", views.download, name="download"),
    path("responses/<int:pk>/polis.zip", views.polis_export, name="polis"),
]
