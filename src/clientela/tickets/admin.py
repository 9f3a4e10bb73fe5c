"""Settings an administrator keeps in the technical administration: which status may
follow which, and the SLA targets per priority and customer tier. Departments and routing
rules have their own settings pages; tickets move only through their services."""

from django.contrib import admin

from clientela.tickets.models import SlaPolicy, StatusTransition


@admin.register(StatusTransition)
class StatusTransitionAdmin(admin.ModelAdmin):
    list_display = ("from_status", "to_status")
    list_filter = ("from_status",)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("priority", "tier", "first_response_minutes", "resolution_minutes")
    list_filter = ("priority", "tier")
