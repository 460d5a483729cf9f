from django.urls import path

from . import views

app_name = "convening"

S = "sessions/<int:session_id>/"

urlpatterns = [
    path("activities/", views.catalogue, name="catalogue"),
    path("activities/<slug:slug>/", views.activity_detail, name="activity"),
    path("c/<slug:slug>/activities/", views.community_catalogue, name="community_catalogue"),
    path("c/<slug:slug>/activities/adapt/<slug:activity_slug>/", views.catalogue_adapt, name="catalogue_adapt"),
    path("c/<slug:slug>/activities/<int:entry_id>/edit/", views.catalogue_edit, name="catalogue_edit"),
    path("c/<slug:slug>/activities/<int:entry_id>/hide/", views.catalogue_hide, name="catalogue_hide"),
    path("c/<slug:slug>/sessions/", views.community_sessions, name="community_sessions"),
    path("c/<slug:slug>/sessions/new/", views.session_create, name="session_create"),
    path(S, views.session_detail, name="session"),
    path(S + "edit/", views.session_edit, name="session_edit"),
    path(S + "state/", views.session_state, name="session_state"),
    path(S + "calendar.ics", views.session_ics, name="ics"),
    path(S + "invitations/", views.invitations, name="invitations"),
    path(S + "invitations/<int:invitation_id>/remove/", views.invitation_remove, name="invitation_remove"),
    path(
        S + "invitations/email/<int:invitation_id>/remove/",
        views.invitation_remove,
        {"kind": "email"},
        name="email_invitation_remove",
    ),
    path("session-invitations/<str:token>/", views.email_invitation, name="email_invitation"),
    path(S + "preview/", views.preview, name="preview"),
    path(S + "rsvp/", views.rsvp, name="rsvp"),
    path(S + "agenda/", views.agenda, name="agenda"),
    path(S + "agenda/<int:item_id>/", views.agenda_item, name="agenda_item"),
    path(S + "agenda/<int:item_id>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path(S + "attendance/", views.attendance, name="attendance"),
    path(S + "check-in/", views.checkin, name="checkin"),
    path(S + "roles/", views.roles, name="roles"),
    path(S + "message/", views.message, name="message"),
    path(S + "roles/<int:role_id>/remove/", views.role_remove, name="role_remove"),
    path(S + "record/", views.record, name="record"),
    path(S + "record/notes/", views.note_add, name="note_add"),
    path(S + "record/outcomes/", views.outcome_add, name="outcome_add"),
    path(S + "record/actions/", views.action_add, name="action_add"),
    path(S + "record/actions/<int:action_id>/", views.action_status, name="action_status"),
    path(S + "queue/", views.queue, name="queue"),
    path(S + "queue/panel/", views.queue_panel, name="queue_panel"),
    path(S + "queue/mine/", views.queue_mine, name="queue_mine"),
    path(S + "queue/turn/", views.turn, name="turn"),
    path(S + "hand/", views.hand, name="hand"),
    path(S + "picker/", views.picker, name="picker"),
    path(S + "picker/<int:candidate_id>/rate/", views.rate, name="rate"),
    path(S + "picker/<int:candidate_id>/pick/", views.pick, name="pick"),
    path(S + "groups/", views.groups, name="groups"),
    path(S + "groups/move/", views.group_move, name="group_move"),
]
