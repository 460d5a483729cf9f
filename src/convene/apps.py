from django.apps import AppConfig


class ConveneConfig(AppConfig):
    """The top-level package is an app so its management commands are found."""

    name = "convene"
    label = "convene"
