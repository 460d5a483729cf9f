from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("files/<str:key>/", views.download, name="download"),
    path("files/<str:key>/remove/", views.remove, name="remove"),
    path("files/add/<slug:kind>/<int:object_id>/", views.add, name="add"),
]
