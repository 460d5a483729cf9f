from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "convene.notifications"
    label = "notifications"
    verbose_name = "Notifications"
