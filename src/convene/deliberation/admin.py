from django.contrib import admin

from .models import JointResponse, OpinionRequest


@admin.register(JointResponse)
class JointResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "state", "anonymous", "created_at")
    list_filter = ("state", "kind", "anonymous")
    search_fields = ("title",)
    exclude = ("secret",)


@admin.register(OpinionRequest)
class OpinionRequestAdmin(admin.ModelAdmin):
    list_display = ("organisation", "community", "status", "deadline", "created_at")
    list_filter = ("status",)
    exclude = ("token",)
