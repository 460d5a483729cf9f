from django.contrib import admin

from .models import HelpRequest, MentoringOffer, Milestone, Project, ProjectConflict, TeamPlace


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["requester", "decided_by"]


class TeamPlaceInline(admin.TabularInline):
    model = TeamPlace
    fk_name = "project"
    extra = 0
    raw_id_fields = ["user", "mentor"]
    fields = ["user", "role", "status", "is_lead", "score", "priority_tier"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "lead_community", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["title"]
    raw_id_fields = ["help_request", "created_by"]
    filter_horizontal = ["communities"]
    inlines = [TeamPlaceInline, MilestoneInline]


@admin.register(MentoringOffer)
class MentoringOfferAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "hours_per_month", "max_projects"]
    raw_id_fields = ["user"]


@admin.register(ProjectConflict)
class ProjectConflictAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "created_at"]
    raw_id_fields = ["project", "user"]
