"""Orders with their lines from another system: the rows with one order number make one
order, written whole or not at all. New orders are checked row by row and written a batch
at a time (`OtherBatch.queue`); one an earlier import brought in is rewritten through the
orders app's services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Model, Q
from django.utils.translation import gettext as _

from clientela.core.text import fold
from clientela.dataio.importing.batches import _problems
from clientela.dataio.importing.other_batches import OtherBatch, Row, _Refused
from clientela.dataio.models import ImportNote
from clientela.orders import batches as order_batches
from clientela.orders import services as order_services
from clientela.orders.models import Order, Product

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.dataio.importing.rows import Converted


class OrderBatch(OtherBatch):
    """Orders with their lines: the rows with one order number make one order, written
    whole or not at all. Its customer is the contact (by ID or e-mail) or else the
    company (by ID or name); its products are found by SKU, else by name."""

    def groups(self, rows: list[Row]) -> list[list[Row]]:
        grouped: dict[str, list[Row]] = {}
        for row in rows:
            grouped.setdefault(row[2].data["order_number"], []).append(row)
        return list(grouped.values())

    def prepare(self, rows: list[Row]) -> None:
        named = {row[2].data["product"] for row in rows}
        found = Product.objects.filter(Q(sku__in=named) | Q(name__in=named)).order_by("id")
        self.products: dict[str, Product] = {}
        for product in found:  # a SKU wins over a name; the oldest of a name wins
            self.products.setdefault(fold(product.name), product)
        for product in found:
            self.products[product.sku] = product

    def skip(self, group: list[Row], key: str) -> None:
        self.tally.skipped += len(group)
        message = _("Skipped: the order %(number)s was imported before.") % {"number": key}
        for number, _cells, _converted in group:
            self.tally.note(self.run, number, ImportNote.Kind.SKIPPED, "", message)

    def refuse(self, group: list[Row], error: Exception) -> None:
        """Every row of a refused order is reported: the one at fault with its reason,
        the others as refused with it."""
        first = group[0][2].data["order_number"]
        at_fault = getattr(error, "row", None)
        if isinstance(error, _Refused):
            problems = [error.problem]
        else:
            index = getattr(error, "line_index", None)
            at_fault = group[index][0] if index is not None and index < len(group) else at_fault
            problems = _problems(self.run, error)
        for number, cells, _converted in group:
            if at_fault is None or number == at_fault:
                self.tally.reject(self.run, number, cells, problems)
            else:
                reason = _(
                    "Another line of the order %(number)s (row %(row)d) was refused, so the "
                    "order was not imported: correct that row and import the file again."
                ) % {"number": first, "row": at_fault}
                self.tally.reject(self.run, number, cells, [("", reason)])

    def customer(self, converted: Converted) -> Record:
        """The contact the order's row names (by ID or e-mail), else its company."""
        customer = self.record(converted, ("contact_ref", "contact_email"))
        if customer is None:
            customer = self.record(converted, ("company_ref", "company"))
        assert customer is not None  # the row was refused without one
        return customer

    def lines(self, group: list[Row]) -> list[dict]:
        """The order's lines, each product found by SKU, else by name; _Refused (naming
        the row) for one that is not there."""
        lines = []
        for row, _cells, line in group:
            product = self.products.get(line.data["product"]) or self.products.get(
                fold(line.data["product"])
            )
            if product is None:
                error = _Refused(
                    self.run.headers[self.run.mapping.index("sku")]
                    if "sku" in self.run.mapping
                    else "",
                    _("No product has the SKU or name “%(value)s”: import the products first.")
                    % {"value": line.data["product"]},
                )
                error.row = row  # type: ignore[attr-defined]
                raise error
            item: dict = {"product": product, "quantity": line.data["quantity"]}
            if "unit_price" in line.data:
                item["agreed_price"] = line.data["unit_price"]
            lines.append(item)
        return lines

    @staticmethod
    def notes(group: list[Row]) -> str:
        data = group[0][2].data
        notes = [_("Order %(number)s in the old system.") % {"number": data["order_number"]}]
        notes += [row[2].data["notes"] for row in group if row[2].data["notes"]]
        return "\n".join(notes)

    def write(self, group: list[Row]) -> None:
        number, _cells, converted = group[0]
        customer, lines = self.customer(converted), self.lines(group)
        data = converted.data
        if (pk := self.existing(converted)) is not None:
            order = Order.objects.get(pk=pk)
            custom = {**order.custom, **data["custom"]} if "custom" in data else None
            before = order_services.rewrite_imported_order(
                actor=self.actor, order=order, lines=lines, notes=self.notes(group), custom=custom
            )
            return self.changed(number, "order", pk, before, data["order_number"])
        placed_at = data.get("placed_at")
        order = order_services.create_order_for_customer(
            actor=self.actor,
            customer=customer,  # type: ignore[arg-type]
            lines=lines,
            quote=placed_at is None,
            notes=self.notes(group),
            imported=True,
            placed_at=placed_at,
            custom=data.get("custom"),
        )
        self.created(number, converted, "order", order.pk)
        self.written(group, order)

    def batched(self) -> bool:
        return True

    def prepare_new(self, group: list[Row]) -> order_batches.NewOrder:
        data = group[0][2].data
        return order_batches.prepare_imported_order(
            actor=self.actor,
            customer=self.customer(group[0][2]),  # type: ignore[arg-type]
            lines=self.lines(group),
            notes=self.notes(group),
            placed_at=data.get("placed_at"),
            custom=data.get("custom"),
        )

    def write_new(self, prepared: list) -> Sequence[Model]:
        return order_batches.create_imported_orders(actor=self.actor, orders=prepared)

    def written(self, group: list[Row], record: Model) -> None:
        assert isinstance(record, Order)
        currency = group[0][2].data.get("currency")
        if currency and currency != record.currency:
            group[0][2].warnings.append(
                (
                    "",
                    _("The order is in %(currency)s, its customer's price list's currency.")
                    % {"currency": record.currency},
                )
            )
