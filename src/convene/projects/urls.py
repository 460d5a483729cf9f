from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_mine, name="mine"),
    path("projects/new/", views.project_create, name="create"),
    path("c/<slug:slug>/projects/new/", views.project_create, name="create"),
    path("c/<slug:slug>/projects/", views.community_projects, name="community"),
    path("c/<slug:slug>/help/", views.request_create, name="request_create"),
    path("c/<slug:slug>/help-requests/", views.request_list, name="requests"),
    path("c/<slug:slug>/mentoring/", views.offer_list, name="offers"),
    path("help-requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("help-requests/<int:request_id>/triage/", views.request_triage, name="request_triage"),
    path("help-requests/<int:request_id>/answer/", views.request_answer, name="request_answer"),
    path("help-requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("me/mentoring/", views.offer_edit, name="offer"),
    path("projects/<int:project_id>/", views.project_detail, name="detail"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="edit"),
    path("projects/<int:project_id>/state/", views.project_transition, name="transition"),
    path("projects/<int:project_id>/team/", views.team, name="team"),
    path("projects/<int:project_id>/team/match/", views.team_match, name="match"),
    path("projects/<int:project_id>/team/message/", views.team_message, name="message"),
    path("projects/<int:project_id>/team/publish/", views.team_publish, name="publish"),
    path("projects/<int:project_id>/team/add/", views.team_place_add, name="place_add"),
    path("projects/<int:project_id>/team/places/<int:place_id>/remove/", views.team_place_remove, name="place_remove"),
    path("projects/<int:project_id>/team/places/<int:place_id>/swap/", views.team_place_swap, name="place_swap"),
    path("projects/<int:project_id>/conflict/", views.conflict, name="conflict"),
    path("projects/<int:project_id>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/<int:project_id>/outcomes/", views.outcomes, name="outcomes"),
    path("projects/<int:project_id>/case-study/", views.case_study, name="case_study"),
    path("projects/<int:project_id>/case-study/consent/", views.case_study_consent, name="case_study_consent"),
    path("projects/<int:project_id>/case-study/publish/", views.case_study_publish, name="case_study_publish"),
    path("projects/places/<int:place_id>/decline/", views.place_decline, name="decline"),
    path("projects/milestones/<int:milestone_id>/state/", views.milestone_state, name="milestone_state"),
    path("case-studies/", views.case_studies, name="case_studies"),
]
