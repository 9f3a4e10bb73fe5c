"""The orders app's settings lists: products, price lists and their prices, warehouses,
stock, carriers and the seller's details on invoices, declared for the generic settings
pages (core.settings_pages) from OrdersConfig.ready()."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from clientela.core.money import format_money
from clientela.core.settings_pages import Column, SettingsPage, declare
from clientela.orders import catalogue, forms, selectors
from clientela.orders.models import (
    Carrier,
    OrderStage,
    Price,
    PriceList,
    Product,
    SellerDetails,
    StockLevel,
    Warehouse,
)

CATALOGUE = "manage_catalogue"


def _prices_of(price_list: PriceList) -> str:
    return reverse("core:settings-prices") + f"?price_list={price_list.pk}"


def _valid(price_list: PriceList) -> str:
    start, end = price_list.valid_from, price_list.valid_until
    if start and end:
        return _("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}
    if start:
        return _("from %(start)s") % {"start": _day(start)}
    if end:
        return _("until %(end)s") % {"end": _day(end)}
    return str(_("Always"))


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _built_in_kept(stage: OrderStage) -> str:
    if not stage.builtin:
        return ""
    return _("“%(name)s” is built in: orders rely on it, so it can't be deleted.") % {
        "name": stage.label
    }


def _next_stages(stage: OrderStage) -> str:
    """Where an order may go from the stage, in the stages' order (prefetched)."""
    following = sorted(stage.next_stages.all(), key=lambda s: (s.position, s.id))
    return ", ".join(s.label for s in following)


def declare_pages() -> None:
    declare(
        SettingsPage(
            key="products",
            label=_("Products"),
            description=_("What you sell: name, code, unit, tax rate, and whether it sells out."),
            add_label=_("New product"),
            icon="cube",
            model=Product,
            fields=("name", "sku", "unit", "tax_rate", "active", "allows_backorder"),
            columns=(
                Column(_("Product"), lambda p: p.name),
                Column(_("SKU"), lambda p: p.sku),
                Column(_("Unit"), lambda p: p.unit),
                Column(_("Tax rate"), lambda p: f"{p.tax_rate.normalize():f}%", numeric=True),
                Column(_("Sold"), lambda p: p.active),
                Column(_("Sells when out of stock"), lambda p: p.allows_backorder),
            ),
            ordering=("name", "id"),
            capability=CATALOGUE,
            help=_(
                "A product in use on orders can't be deleted: untick “active” and it is no "
                "longer offered."
            ),
        )
    )
    declare(
        SettingsPage(
            key="price-lists",
            label=_("Price lists"),
            description=_("Prices by currency and period: the default list, or one customer's."),
            add_label=_("New price list"),
            icon="tag",
            model=PriceList,
            form=forms.PriceListForm,
            columns=(
                Column(_("Price list"), lambda p: p.name),
                Column(_("Currency"), lambda p: p.currency),
                Column(_("Valid"), _valid),
                Column(_("Default"), lambda p: p.is_default),
                Column(_("For"), lambda p: p.contact or p.company or ""),
                Column(_("Prices"), lambda p: p.price_count, numeric=True, link=_prices_of),
            ),
            queryset=lambda: PriceList.objects.select_related("company", "contact").annotate(
                price_count=Count("prices")
            ),
            ordering=("name", "id"),
            capability=CATALOGUE,
            owns=("price",),
            help=_(
                "An order takes its prices from the customer's own list valid that day, else "
                "their company's, else the default one."
            ),
        )
    )
    declare(
        SettingsPage(
            key="prices",
            label=_("Prices"),
            description=_("What each product costs on each price list, before tax."),
            add_label=_("New price"),
            icon="banknotes",
            model=Price,
            fields=("price_list", "product", "unit_price"),
            columns=(
                Column(_("Product"), lambda p: p.product.name),
                Column(_("Price list"), lambda p: p.price_list.name),
                Column(
                    _("Unit price"),
                    lambda p: format_money(p.unit_price, p.price_list.currency),
                    numeric=True,
                ),
            ),
            queryset=lambda: Price.objects.select_related("product", "price_list"),
            capability=CATALOGUE,
            sensitive=True,
            filters=("price_list",),
            help=_(
                "A changed price applies to new orders; orders keep the price they were written at."
            ),
        )
    )
    declare(
        SettingsPage(
            key="warehouses",
            label=_("Warehouses"),
            description=_("Where stock is kept; new orders take theirs from the default one."),
            add_label=_("New warehouse"),
            icon="building-storefront",
            model=Warehouse,
            fields=("name", "is_default"),
            columns=(
                Column(_("Warehouse"), lambda w: w.name),
                Column(_("Default"), lambda w: w.is_default),
            ),
            ordering=("name", "id"),
            capability=CATALOGUE,
            only_one="is_default",
        )
    )
    declare(
        SettingsPage(
            key="stock",
            label=_("Stock"),
            description=_("What each warehouse holds and orders have reserved; goods in, counts."),
            add_label=_("Receive or count"),
            icon="archive-box-arrow-down",
            model=StockLevel,
            form=forms.StockForm,
            columns=(
                Column(_("Product"), lambda s: s.product.name),
                Column(_("Warehouse"), lambda s: s.warehouse.name),
                Column(_("On hand"), lambda s: s.on_hand, numeric=True),
                Column(_("Reserved"), lambda s: s.reserved, numeric=True),
                Column(_("Available"), lambda s: s.available, numeric=True),
            ),
            queryset=lambda: StockLevel.objects.select_related("product", "warehouse"),
            capability=CATALOGUE,
            save=catalogue.record_stock,
            editable=False,
            deletable=False,
            help=_(
                "Stock changes only by goods received, counts and orders, each kept as a movement."
            ),
        )
    )
    declare(
        SettingsPage(
            key="carriers",
            label=_("Carriers"),
            description=_("Who delivers your parcels, and where a parcel's tracking page is."),
            add_label=_("New carrier"),
            icon="truck",
            model=Carrier,
            fields=("name", "tracking_url_template"),
            columns=(
                Column(_("Carrier"), lambda c: c.name),
                Column(_("Tracking link"), lambda c: c.tracking_url_template),
            ),
            ordering=("name", "id"),
            capability=CATALOGUE,
        )
    )
    declare(
        SettingsPage(
            key="order-stages",
            label=_("Order stages"),
            description=_("The steps an order goes through, their names and their order."),
            add_label=_("New order stage"),
            icon="queue-list",
            model=OrderStage,
            form=forms.OrderStageForm,
            columns=(
                Column(_("Stage"), lambda s: s.label),
                Column(_("Order"), lambda s: s.position, numeric=True),
                Column(_("Key"), lambda s: s.key),
                Column(_("May move on to"), _next_stages),
                Column(_("In use"), lambda s: s.active),
                Column(_("Built in"), lambda s: s.builtin),
            ),
            queryset=lambda: OrderStage.objects.prefetch_related("next_stages"),
            check=catalogue.check_stage_transitions,
            ordering=("position", "id"),
            capability=CATALOGUE,
            fixed=lambda s: ("key", "active") if s.builtin else (),
            kept=_built_in_kept,
            help=_(
                "Built-in stages hold, take and release stock and drive invoices: they can be "
                "renamed and moved, not deleted or switched off. A stage switched off is "
                "offered to no order; orders already in it move on as before. Each stage "
                "lists the stages an order may move on to from it."
            ),
        )
    )
    declare(
        SettingsPage(
            key="seller",
            label=_("Seller's details"),
            description=_("Your company as invoices print it: address, tax id, bank and IBAN."),
            add_label=_("Seller's details"),
            icon="building-library",
            model=SellerDetails,
            fields=(
                "name",
                "address",
                "tax_id",
                "registration_number",
                "bank",
                "iban",
                "email",
                "payment_days",
            ),
            single=selectors.seller,
            help=_(
                "Printed on every new invoice; an invoice keeps the details it was issued with."
            ),
            after_save=_("New invoices print these details."),
        )
    )
