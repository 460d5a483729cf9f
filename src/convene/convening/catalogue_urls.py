from django.urls import path

from . import catalogue_views as views

app_name = "catalogue"

urlpatterns = [
    path("c/<slug:slug>/activities/", views.catalogue, name="list"),
    path("c/<slug:slug>/activities/adapt/<slug:activity_slug>/", views.adapt, name="adapt"),
    path("c/<slug:slug>/activities/<int:entry_id>/edit/", views.edit, name="edit"),
    path("c/<slug:slug>/activities/<int:entry_id>/hide/", views.hide, name="hide"),
]
