"""Demo catalogue, stock, carriers and orders at every stage, so the order pages, the
customers' Orders cards and their timelines have something to show."""

from __future__ import annotations

import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from clientela.customers.models import Company, Contact
from clientela.orders import invoicing, services, shipping, stock
from clientela.orders.models import Carrier, Order, Price, PriceList, Product, Warehouse

PRODUCTS = [
    ("CH-ERGO", "Ergonomic office chair", "pcs", "19", "450.00", 40, False),
    ("DS-STAND", "Standing desk", "pcs", "19", "1200.50", 6, False),
    ("LM-LED", "LED desk lamp", "pcs", "19", "99.90", 0, True),
    ("PP-A4", "A4 paper, 500 sheets", "box", "9", "24.50", 300, False),
    ("TN-HP", "Printer toner", "pcs", "19", "310.00", 15, False),
    ("SV-INST", "Installation service", "h", "19", "150.00", 1000, True),
]
CARRIERS = [
    ("FAN Courier", "https://www.fancourier.ro/awb-tracking/?tracking={tracking}"),
    ("Sameday", "https://sameday.ro/#awb={tracking}"),
    ("DHL Express", "https://www.dhl.com/ro-en/home/tracking.html?tracking-id={tracking}"),
]
# Where each demo order ends up.
JOURNEYS = ["quote", "placed", "paid", "shipped", "delivered", "delivered", "cancelled", "paid"]


def load() -> str:
    if Product.objects.exists():
        return "catalogue already there"
    warehouse = Warehouse.objects.create(name="Depozit Cluj", is_default=True)
    default = PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    products = []
    for sku, name, unit, tax, price, on_hand, backorder in PRODUCTS:
        product = Product.objects.create(
            sku=sku, name=name, unit=unit, tax_rate=Decimal(tax), allows_backorder=backorder
        )
        Price.objects.create(price_list=default, product=product, unit_price=Decimal(price))
        if on_hand:
            stock.receive(
                actor=None,
                product=product,
                warehouse=warehouse,
                quantity=on_hand,
                note="opening stock",
            )
        products.append(product)
    company = Company.objects.live().order_by("id").first()
    if company is not None:
        special = PriceList.objects.create(name=f"{company.name} contract", company=company)
        for product in products[:3]:
            base = Price.objects.get(price_list=default, product=product).unit_price
            Price.objects.create(
                price_list=special,
                product=product,
                unit_price=(base * Decimal("0.9")).quantize(Decimal("0.01")),
            )
    carriers = [Carrier.objects.create(name=n, tracking_url_template=t) for n, t in CARRIERS]
    services.ensure_builtin_stages()
    rng = random.Random(9)
    contacts = list(
        Contact.objects.live()
        .filter(owner__isnull=False)
        .select_related("owner", "company")
        .order_by("id")[: len(JOURNEYS) * 2 : 2]
    )
    made = 0
    for contact, journey in zip(contacts, JOURNEYS, strict=False):
        lines = [
            {"product": product, "quantity": rng.randint(1, 3)}
            for product in rng.sample([p for p in products if p.sku != "LM-LED"], 2)
        ]
        try:
            _walk(contact.owner, contact, lines, journey, rng.choice(carriers), rng)
        except (PermissionDenied, ValidationError):
            continue
        made += 1
    return f"{len(products)} products, {made} orders"


def _walk(actor, contact, lines, journey: str, carrier, rng) -> Order:
    order = services.create_order_for_customer(
        actor=actor, customer=contact, lines=lines, quote=journey == "quote"
    )
    if journey in {"quote", "placed"}:
        return order
    if journey == "cancelled":
        return services.move_order(
            actor=actor, order=order, to="cancelled", note="Customer changed their mind"
        )
    invoice = invoicing.issue_invoice(actor=actor, order=order)
    invoicing.record_payment(
        actor=actor, invoice=invoice, amount=invoice.total, method="Bank transfer"
    )
    if journey == "paid":
        return order
    shipment = shipping.create_shipment(
        actor=actor,
        order=order,
        carrier=carrier,
        quantities={line.pk: line.quantity for line in order.lines.all()},
        tracking_number=f"{rng.randint(10**9, 10**10 - 1)}",
    )
    shipping.update_shipment(actor=actor, shipment=shipment, status="in_transit")
    if journey == "delivered":
        shipping.update_shipment(actor=actor, shipment=shipment, status="delivered")
    return order
