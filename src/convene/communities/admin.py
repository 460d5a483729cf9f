from django.contrib import admin

from .models import AuditEntry, Community, GlossaryTerm, Invitation, JoinRequest, Membership, TermMapping


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "created_at"]
    search_fields = ["name", "slug", "domain"]
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "community", "actor", "action", "target"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False  # the log is append-only


admin.site.register([GlossaryTerm, TermMapping, Invitation, JoinRequest])
