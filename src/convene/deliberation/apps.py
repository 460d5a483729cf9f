from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "convene.deliberation"
    label = "deliberation"
