from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Metadata only: the bytes are served by the pages, after the parent's permission check."""

    list_display = ("filename", "kind", "size", "session", "response", "project", "thread", "created_at")
    list_filter = ("kind",)
    search_fields = ("filename",)
    readonly_fields = [f.name for f in Attachment._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
