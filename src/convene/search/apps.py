from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "convene.search"
    label = "search"
    verbose_name = "Search"
