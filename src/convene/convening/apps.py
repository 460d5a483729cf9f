from django.apps import AppConfig


class ConveningConfig(AppConfig):
    name = "convene.convening"
    label = "convening"
