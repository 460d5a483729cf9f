from django.urls import path

from . import views

app_name = "discussions"

urlpatterns = [
    path("c/<slug:slug>/discussions/", views.thread_list, name="list"),
    path("c/<slug:slug>/discussions/new/", views.thread_create, name="create"),
    path("c/<slug:slug>/discussions/people/", views.people, name="people"),
    path("discussions/about/<str:kind>/<int:object_id>/", views.thread_about, name="about"),
    path("discussions/<int:thread_id>/", views.thread_detail, name="thread"),
    path("discussions/<int:thread_id>/follow/", views.thread_follow, name="follow"),
    path("discussions/<int:thread_id>/hide/", views.thread_hide, name="thread_hide"),
    path("discussions/posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("discussions/posts/<int:post_id>/hide/", views.post_hide, name="post_hide"),
    path("discussions/posts/<int:post_id>/react/", views.post_react, name="post_react"),
]
