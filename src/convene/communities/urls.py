from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("communities/", views.community_list, name="list"),
    path("communities/new/", views.community_create, name="create"),
    path("communities/import/", views.community_import, name="import"),
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
    path("c/<slug:slug>/", views.community_detail, name="detail"),
    path("c/<slug:slug>/edit/", views.community_edit, name="edit"),
    path("c/<slug:slug>/join/", views.community_join, name="join"),
    path("c/<slug:slug>/leave/", views.community_leave, name="leave"),
    path("c/<slug:slug>/members/", views.member_list, name="members"),
    path("c/<slug:slug>/members/<int:membership_id>/", views.member_detail, name="member"),
    path("c/<slug:slug>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("c/<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("c/<slug:slug>/members/<int:membership_id>/erase/", views.member_erase, name="member_erase"),
    path("c/<slug:slug>/requests/", views.join_requests, name="requests"),
    path("c/<slug:slug>/invitations/", views.invitations, name="invitations"),
    path("c/<slug:slug>/glossary/", views.glossary_view, name="glossary"),
    path("c/<slug:slug>/glossary/<int:term_id>/edit/", views.term_edit, name="term_edit"),
    path("c/<slug:slug>/glossary/<int:term_id>/delete/", views.term_delete, name="term_delete"),
    path("c/<slug:slug>/glossary/<int:term_id>/map/", views.term_map, name="term_map"),
    path("c/<slug:slug>/mappings/<int:mapping_id>/delete/", views.mapping_delete, name="mapping_delete"),
    path("c/<slug:slug>/glossary/compare/<slug:other>/", views.glossary_compare, name="compare"),
    path("c/<slug:slug>/audit/", views.audit_log, name="audit"),
    path("c/<slug:slug>/export/", views.community_export, name="export"),
]
