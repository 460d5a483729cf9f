from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.profile, name="profile"),
    path("me/diversity/", views.diversity, name="diversity"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/new/", views.token_created, name="token_created"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/data.json", views.data_download, name="data"),
    path("me/delete/", views.account_delete, name="delete"),
]
