from importlib import import_module

from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "convene.deliberation"
    label = "deliberation"

    def ready(self) -> None:
        import_module(f"{self.name}.signals")  # connects the receivers (Django's documented place)
