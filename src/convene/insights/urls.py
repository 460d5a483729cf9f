from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("c/<slug:slug>/insights/", views.community, name="community"),
    path("c/<slug:slug>/insights/export.csv", views.export, name="export"),
    path("c/<slug:slug>/insights/not-heard/", views.not_heard, name="not_heard"),
    path("c/<slug:slug>/insights/opportunities/", views.opportunities, name="opportunities"),
    path("c/<slug:slug>/insights/rotation/", views.rotation, name="rotation"),
    path("c/<slug:slug>/insights/contexts/", views.contexts, name="contexts"),
    path("c/<slug:slug>/insights/contexts/<str:context>/", views.context, name="context"),
    path("c/<slug:slug>/insights/contexts/<str:context>/export.csv", views.context_export, name="context_export"),
]
