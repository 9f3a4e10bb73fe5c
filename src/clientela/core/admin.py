"""Technical admin for custom field definitions; people use Settings → Custom fields."""

from django.contrib import admin

from clientela.core.models import CustomField


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = (
        "label",
        "record_type",
        "key",
        "field_type",
        "required",
        "sensitive",
        "position",
    )
    list_filter = ("record_type", "field_type")
    prepopulated_fields = {"key": ("label",)}
