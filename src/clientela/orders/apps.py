"""Registers the orders app: orders are records with a timeline, tasks and files."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "clientela.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from clientela.core import audit, events, permissions
        from clientela.core.records import RecordType, declare
        from clientela.orders.models import Invoice, Order, Payment, Product, Shipment
        from clientela.orders.selectors import orders_for
        from clientela.orders.settings_pages import declare_pages

        declare_pages()

        def order_snapshot(o) -> dict:
            return {
                "stage": o.stage.key,
                "contact": o.contact_id,
                "company": o.company_id,
                "currency": o.currency,
                "lines": [
                    [line.product_id, line.quantity, str(line.unit_price)] for line in o.lines.all()
                ],
                "total": o.total,
                "placed_at": o.placed_at,
                "paid_at": o.paid_at,
                "notes": o.notes,
            }

        declare(
            RecordType(
                model=Order,
                selector=orders_for,
                snapshot=order_snapshot,
                # A stage move, an added line or a payment that pays the order is
                # order.updated.
                events=("created", "updated"),
                # Order pages and the API hide every amount (and the invoice PDF) from
                # roles without see_sensitive: these fields and audit snapshot keys carry
                # them, and core.presenting takes them out.
                sensitive_fields=frozenset({"total", "net_total", "tax_total", "lines"}),
                # The customer is chosen first: the prices are theirs.
                create_url="orders:choose-customer",
            )
        )
        prices = {"unit_price", "net", "tax"}
        permissions.declare_sensitive("orderline", prices)
        permissions.declare_sensitive("invoiceline", prices)
        permissions.declare_sensitive(
            "invoice", {"total", "net_total", "tax_total", "lines", "paid", "due", "pdf_url"}
        )
        permissions.declare_sensitive("payment", {"amount"})
        permissions.declare_sensitive("price", {"unit_price"})
        audit.register(
            Invoice,
            lambda i: {"number": i.number, "kind": i.kind, "order": i.order_id, "total": i.total},
        )
        audit.register(
            Payment,
            lambda p: {"invoice": p.invoice_id, "amount": p.amount, "received_on": p.received_on},
        )
        audit.register(
            Shipment,
            lambda s: {
                "order": s.order_id,
                "carrier": s.carrier.name,
                "tracking_number": s.tracking_number,
                "status": s.status,
            },
        )
        audit.register(
            Product,
            lambda p: {
                "sku": p.sku,
                "name": p.name,
                "unit": p.unit,
                "tax_rate": p.tax_rate,
                "active": p.active,
                "allows_backorder": p.allows_backorder,
            },
        )
        events.declare("invoice", "issued", own_verbs={"create": "issued"})
        events.declare("shipment", "created", "updated")
        declare_history()


def declare_history() -> None:
    """How an order's audit entries read: its stage by name (a seeded one in the reader's
    language), its lines by product; its customer is named by core.change_display."""
    from clientela.core import change_display
    from clientela.orders.models import OrderStage, Product

    def stage_labels(keys: list[str]) -> dict[str, str]:
        return {stage.key: str(stage.label) for stage in OrderStage.objects.filter(key__in=keys)}

    def product_names(kept_lines: list[list]) -> dict[int, str]:
        wanted = {line[0] for kept in kept_lines for line in kept}
        return dict(Product.objects.filter(pk__in=wanted).values_list("pk", "name"))

    def lines(kept: list, names: dict[int, str]) -> list[str]:
        return [
            f"{quantity} x {names.get(product, f'#{product}')} @ {price}"
            for product, quantity, price in kept
        ]

    change_display.declare(
        "order", "stage", lambda key, labels: labels.get(key, key), batch=stage_labels
    )
    change_display.declare("order", "lines", lines, batch=product_names)
