from django.contrib import admin

from .models import (
    ActivityType,
    AgendaItem,
    BreakoutGroup,
    Candidate,
    FollowUp,
    Outcome,
    Session,
    SessionRole,
)


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "is_boundary", "opens_tool", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["is_boundary", "opens_tool", "active"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Sessions for site staff. Invitations are not shown here: they hold access and care needs."""

    list_display = ["title", "host", "activity", "starts_at", "time_zone", "state"]
    list_filter = ["state", "activity"]
    search_fields = ["title"]
    raw_id_fields = ["created_by", "picked_candidate"]
    filter_horizontal = ["invited_communities"]
    inlines = [AgendaInline]


admin.site.register([SessionRole, Outcome, FollowUp, Candidate, BreakoutGroup])
