"""Technical admin for lifecycle stages and tags; people use their Settings pages."""

from django.contrib import admin

from clientela.customers.models import LifecycleStage, Tag


@admin.register(LifecycleStage)
class LifecycleStageAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "position", "is_default")
    list_editable = ("position", "is_default")
    prepopulated_fields = {"key": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "color")
    search_fields = ("name",)
