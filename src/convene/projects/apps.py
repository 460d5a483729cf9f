from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "convene.projects"
    label = "projects"
