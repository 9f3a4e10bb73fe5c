"""Settings an administrator keeps: products, price lists, warehouses, carriers, stages.
Orders, invoices and stock move only through their services, never edited here."""

from django.contrib import admin

from clientela.orders.models import (
    Carrier,
    OrderStage,
    Price,
    PriceList,
    Product,
    StockLevel,
    Warehouse,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "unit", "tax_rate", "active", "allows_backorder")
    list_filter = ("active", "allows_backorder")
    search_fields = ("name", "sku")


class PriceInline(admin.TabularInline):
    model = Price
    extra = 1
    autocomplete_fields = ("product",)


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "valid_from", "valid_until", "is_default")
    raw_id_fields = ("company", "contact")
    inlines = [PriceInline]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    """Read-only: stock changes through receipts, counts and orders, each leaving a movement."""

    list_display = ("product", "warehouse", "on_hand", "reserved")
    list_filter = ("warehouse",)
    search_fields = ("product__name", "product__sku")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "tracking_url_template")


@admin.register(OrderStage)
class OrderStageAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "position", "builtin")
    filter_horizontal = ("next_stages",)
    prepopulated_fields = {"key": ("name",)}

    def get_readonly_fields(self, request, obj=None):
        return ("key",) if obj is not None and obj.builtin else ()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.builtin
