from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "convene.insights"
    label = "insights"
