from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "convene.discussions"
    label = "discussions"
