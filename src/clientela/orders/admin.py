"""Technical admin for the catalogue (people use Settings → Products, Price lists, Stock,
Warehouses, Carriers) and order stages. Orders, invoices and stock move only through their
services, never edited here."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientela.orders import stock
from clientela.orders.models import (
    Carrier,
    MovementKind,
    OrderStage,
    Price,
    PriceList,
    Product,
    StockLevel,
    StockMovement,
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


class StockMovementForm(forms.ModelForm):
    kind = forms.ChoiceField(
        choices=[(MovementKind.RECEIVED, _("Received")), (MovementKind.ADJUSTED, _("Counted"))],
        help_text=_("Received adds to what is on hand; counted sets it to the quantity."),
    )

    class Meta:
        model = StockMovement
        fields = ("product", "warehouse", "kind", "quantity", "note")

    def clean(self):
        data = super().clean()
        quantity = data.get("quantity")
        if quantity is not None and data.get("kind") == MovementKind.RECEIVED and quantity <= 0:
            self.add_error("quantity", _("Receive a quantity above zero."))
        if quantity is not None and quantity < 0:
            self.add_error("quantity", _("A count can't be below zero."))
        return data


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """Goods received and stock counts are entered here, through the stock service; the
    movements orders make are listed, never edited."""

    form = StockMovementForm
    list_display = ("at", "product", "warehouse", "kind", "quantity", "order", "actor", "note")
    list_filter = ("kind", "warehouse")
    search_fields = ("product__name", "product__sku")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            product, warehouse, user = obj.product, obj.warehouse, request.user
            if obj.kind == MovementKind.RECEIVED:
                stock.receive(
                    actor=user,
                    product=product,
                    warehouse=warehouse,
                    quantity=obj.quantity,
                    note=obj.note,
                )
            else:
                stock.adjust(
                    actor=user,
                    product=product,
                    warehouse=warehouse,
                    counted=obj.quantity,
                    note=obj.note,
                )
            # The service wrote the movement; the admin's log entry points at it.
            obj.pk = StockMovement.objects.latest("id").pk
