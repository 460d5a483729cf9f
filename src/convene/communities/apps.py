from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "convene.communities"
    label = "communities"
