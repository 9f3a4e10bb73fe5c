"""Technical admin: who has two-factor on, and removing it for someone who lost their phone."""

from django.contrib import admin
from django.http import HttpRequest

from clientela.security.models import TwoFactorDevice


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed_at", "created_at")
    search_fields = ("user__email", "user__full_name")
    # The secret is never shown: deleting the device is the only change an admin makes.
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
