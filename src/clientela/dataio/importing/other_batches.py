"""One batch of products, orders, activities or tasks, stored in file order through their
apps' services (the same checks and audit trail as typing them in). The records the rows
name are looked up for the whole batch; each row (each order with all its lines) writes in
its own savepoint, so a refused one leaves nothing behind. A row whose record an earlier
import brought in (its ID in the old system, its SKU, its order number) updates it when
the run updates duplicates (always for a product), and is skipped and reported otherwise:
a second import never duplicates, and its undo puts back what it changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.activities.models import Activity, Task
from clientela.core import audit, record_services, search, settings_pages, settings_services
from clientela.core.text import fold
from clientela.customers import selectors as customer_selectors
from clientela.customers import services as customer_services
from clientela.dataio.importing import rewrites
from clientela.dataio.importing.batches import (
    RECORD_TYPES,
    Tally,
    _own_savepoint,
    _problems,
    _undo_row,
    companies_by_name,
    converted_rows,
)
from clientela.dataio.importing.matching import live
from clientela.dataio.importing.other_rows import LINKS
from clientela.dataio.importing.rows import Lookups
from clientela.dataio.models import (
    DuplicateMode,
    ExternalKey,
    ImportedRecord,
    ImportNote,
    ImportRun,
)
from clientela.deals.models import Deal
from clientela.orders import catalogue
from clientela.orders.models import Order, Price, PriceList, Product

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.dataio.importing.rows import Converted

PRODUCT_FIELDS = ("sku", "name", "unit", "tax_rate", "active")
Row = tuple[int, list[str], "Converted"]
WAITING = 0  # the key of a record a row of the batch makes, not written yet (no pk is 0)


class _Refused(Exception):
    """A row refused by the batch itself (a record it names is not there)."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.problem = (column, reason)


class OtherBatch:
    def __init__(self, run: ImportRun, lookups: Lookups, tally: Tally):
        self.run, self.lookups, self.tally = run, lookups, tally
        self.actor = run.created_by
        self.known: dict[str, int] = {}
        self.found: dict[tuple[str, str], Record] = {}

    def saved_companies(self) -> dict:
        return {}

    def store(self, batch: list[tuple[int, list[str]]]) -> None:
        rows: list[Row] = converted_rows(self.run, batch, self.lookups, self.tally)
        self.known = self.known_keys([row[2].external_id for row in rows if row[2].external_id])
        self.find_links(rows)
        self.prepare(rows)
        self.waiting: list[tuple[list[Row], object]] = []
        for group in self.groups(rows):
            key = group[0][2].external_id
            if key and self.known.get(key) == WAITING:
                self.flush()  # the record an earlier row of the batch makes, written first
            if key and key in self.known and not self.updates():
                self.skip(group, key)
                continue
            if self.batched() and self.existing(group[0][2]) is None:
                self.queue(group)
            else:
                self.write_alone(group)
        self.flush()

    def queue(self, group: list[Row]) -> None:
        """Check a new record's row now and keep it for the batch's one bulk write."""
        try:
            prepared = self.prepare_new(group)
        except (ValidationError, PermissionDenied, _Refused) as error:
            self.refuse(group, error)
            return
        self.waiting.append((group, prepared))
        if key := group[0][2].external_id:
            self.known[key] = WAITING

    def flush(self) -> None:
        """Write the new records waiting, together, in one savepoint; should the bulk write
        refuse them, each is written on its own so only the row at fault is refused."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        records, keys = len(self.tally.records), len(self.tally.keys)
        search.write_waiting()
        try:
            with _own_savepoint():
                written = self.write_new([prepared for _group, prepared in waiting])
        except (ValidationError, PermissionDenied):
            del self.tally.records[records:]
            del self.tally.keys[keys:]
            for group, _prepared in waiting:
                if key := group[0][2].external_id:
                    self.known.pop(key, None)
            for group, _prepared in waiting:
                self.write_alone(group)
            return
        for (group, _prepared), record in zip(waiting, written, strict=True):
            number, _cells, converted = group[0]
            self.created(number, converted, self.run.record_type, record.pk)
            self.written(group, record)
            self.warn(group)

    def write_alone(self, group: list[Row]) -> None:
        """One row (one order with its lines) through its app's services, in its own
        savepoint: a refused one leaves nothing behind."""
        records, keys = len(self.tally.records), len(self.tally.keys)
        search.write_waiting()
        try:
            with _own_savepoint():
                self.write(group)
        except (ValidationError, PermissionDenied, _Refused) as error:
            del self.tally.records[records:]
            del self.tally.keys[keys:]
            self.refuse(group, error)
            return
        self.warn(group)

    def warn(self, group: list[Row]) -> None:
        for number, _cells, converted in group:
            for column, message in converted.warnings:
                self.tally.note(self.run, number, ImportNote.Kind.WARNING, column, message)

    # What each type says ---------------------------------------------------------------
    def groups(self, rows: list[Row]) -> list[list[Row]]:
        return [[row] for row in rows]

    def updates(self) -> bool:
        return self.run.duplicate_mode == DuplicateMode.UPDATE

    def existing(self, converted: Converted) -> int | None:
        """The record an earlier import brought in that this row writes again, if the
        run updates duplicates."""
        key = converted.external_id
        return self.known.get(key) if key and self.updates() else None

    def prepare(self, rows: list[Row]) -> None:
        pass

    def write(self, group: list[Row]) -> None:
        raise NotImplementedError

    def batched(self) -> bool:
        """Whether new records are checked row by row (`prepare_new`) and written
        together (`write_new`) rather than each through `write`."""
        return False

    def prepare_new(self, group: list[Row]) -> object:
        raise NotImplementedError

    def write_new(self, prepared: list) -> Sequence[Model]:
        raise NotImplementedError

    def written(self, group: list[Row], record: Model) -> None:
        """What a type notes of a new record once the batch wrote it."""

    def skip(self, group: list[Row], key: str) -> None:
        self.tally.skipped += len(group)
        message = _("Skipped: imported before, with the same ID in the old system (%(key)s).")
        for number, _cells, _converted in group:
            self.tally.note(self.run, number, ImportNote.Kind.SKIPPED, "", message % {"key": key})

    def refuse(self, group: list[Row], error: Exception) -> None:
        problems = [error.problem] if isinstance(error, _Refused) else _problems(self.run, error)
        for number, cells, _converted in group:
            self.tally.reject(self.run, number, cells, problems)

    # Shared ---------------------------------------------------------------------------
    def known_keys(self, keys: list[str]) -> dict[str, int]:
        """The records of this type an earlier import (or row) brought in, by their key,
        that are still there."""
        if not keys:
            return {}
        found = dict(
            ExternalKey.objects.filter(record_type=self.run.record_type, key__in=keys).values_list(
                "key", "object_id"
            )
        )
        model = MODELS[self.run.record_type]
        there = model._default_manager.filter(pk__in=found.values())
        if hasattr(model, "deleted_at"):
            there = there.filter(deleted_at__isnull=True)
        alive = set(there.values_list("pk", flat=True))
        return {key: pk for key, pk in found.items() if pk in alive}

    def find_links(self, rows: list[Row]) -> None:
        """Every record the batch's rows name, looked up together: by ID in the old
        system, by e-mail, by company name."""
        wanted: dict[str, set[str]] = {}
        for _number, _cells, converted in rows:
            for key, (_column, value) in converted.links.items():
                wanted.setdefault(key, set()).add(value)
        for key, kind, how in LINKS:
            values = wanted.get(key)
            if not values:
                continue
            if how == "email":
                found: dict = customer_selectors.oldest_by_email(values, user=self.actor)
            elif how == "name":
                found = {
                    name: company
                    for name_key, company in companies_by_name(self.actor, values).items()
                    for name in values
                    if fold(name)[:200] == name_key
                }
            else:
                ids = dict(
                    ExternalKey.objects.filter(record_type=kind, key__in=values).values_list(
                        "key", "object_id"
                    )
                )
                records = {
                    r.pk: r for r in _rolled_up(live(self.actor, kind).filter(pk__in=ids.values()))
                }
                found = {k: records[pk] for k, pk in ids.items() if pk in records}
            for value, record in found.items():
                self.found[(key, value)] = record

    def record(self, converted: Converted, keys: tuple[str, ...]) -> Record | None:
        """The first record the row names, in the order of `keys`; _Refused when the row
        names one that is not there."""
        missing = None
        for key in keys:
            if key not in converted.links:
                continue
            column, value = converted.links[key]
            record = self.found.get((key, value))
            if record is not None:
                return record
            missing = missing or (column, value)
        if missing is not None:
            raise _Refused(
                missing[0],
                _("No record has “%(value)s”: import it first, or correct the row.")
                % {"value": missing[1]},
            )
        return None

    def changed(self, number: int, record_type: str, pk: int, before: dict, key: str) -> None:
        self.tally.updated += 1
        self.tally.records.append(_undo_row(self.run, record_type, pk, before))
        message = _("Updated the record imported before with the same ID (%(key)s).")
        self.tally.note(self.run, number, ImportNote.Kind.MERGED, "", message % {"key": key})

    def created(self, number: int, converted: Converted, record_type: str, pk: int) -> None:
        self.tally.created += 1
        self.tally.records.append(_undo_row(self.run, record_type, pk))
        if converted.external_id:
            self.known[converted.external_id] = pk
            self.tally.keys.append(
                ExternalKey(record_type=record_type, key=converted.external_id, object_id=pk)
            )


def _rolled_up(records):
    """The records with those their timelines roll up into (`timeline_records`): a
    contact's company, a deal's company and people, read with them, not one by one."""
    if records.model is Deal:
        return records.select_related("company").prefetch_related("contacts")
    if hasattr(records.model, "company"):
        return records.select_related("company")
    return records


LINK_ORDER = ("deal_ref", "contact_ref", "contact_email", "company_ref", "company")


class ProductBatch(OtherBatch):
    """Products by SKU, created or updated; a price on a price list (named, or the
    default one) set with them."""

    def updates(self) -> bool:
        return self.run.duplicate_mode != DuplicateMode.SKIP

    def prepare(self, rows: list[Row]) -> None:
        skus = {row[2].data["sku"] for row in rows}
        self.products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
        self.lists: dict[str, PriceList] = {}

    def skip(self, group: list[Row], key: str) -> None:
        self.tally.skipped += 1
        self.tally.note(
            self.run,
            group[0][0],
            ImportNote.Kind.SKIPPED,
            "",
            _("Skipped: a product with the SKU %(sku)s is already there.") % {"sku": key},
        )

    def write(self, group: list[Row]) -> None:
        number, _cells, converted = group[0]
        data = converted.data
        given = {name: data[name] for name in PRODUCT_FIELDS if name in data}
        product = self.products.get(data["sku"])
        if product is not None and self.run.duplicate_mode == DuplicateMode.SKIP:
            return self.skip(group, data["sku"])
        if product is None:
            product = catalogue.save_product(actor=self.actor, product=None, data=given)
            self.created(number, converted, "product", product.pk)
            self.products[product.sku] = product
        else:
            before = _state(product, PRODUCT_FIELDS)
            catalogue.save_product(actor=self.actor, product=product, data=given)
            self.tally.updated += 1
            self.tally.records.append(_undo_row(self.run, "product", product.pk, before))
            self.tally.note(
                self.run,
                number,
                ImportNote.Kind.MERGED,
                "",
                _("Updated the product with the SKU %(sku)s.") % {"sku": product.sku},
            )
        if "price" in data:
            self.set_price(product, data)

    def set_price(self, product: Product, data: dict) -> None:
        price_list = self.price_list(data)
        page = settings_pages.PAGES["prices"]
        price = Price.objects.filter(price_list=price_list, product=product).first()
        if price is None:
            new = settings_services.save_setting(
                actor=self.actor,
                page=page,
                instance=None,
                data={"price_list": price_list, "product": product, "unit_price": data["price"]},
            )
            self.tally.records.append(_undo_row(self.run, "price", new.pk))
        elif price.unit_price != data["price"]:
            before = {"unit_price": str(price.unit_price)}
            settings_services.save_setting(
                actor=self.actor, page=page, instance=price, data={"unit_price": data["price"]}
            )
            self.tally.records.append(_undo_row(self.run, "price", price.pk, before))

    def price_list(self, data: dict) -> PriceList:
        """The price list the row names (made when there is none of that name and
        currency), else the default one."""
        name = data.get("price_list", "")
        currency = data.get("currency", "")
        key = f"{fold(name)}|{currency}"
        if key in self.lists:
            return self.lists[key]
        if name:
            found = PriceList.objects.filter(name__iexact=name)
            if currency:
                found = found.filter(currency=currency)
            named = found.order_by("id").first()
            if named is None:
                made = settings_services.save_setting(
                    actor=self.actor,
                    page=settings_pages.PAGES["price-lists"],
                    instance=None,
                    data={"name": name, "currency": currency or _default_currency()},
                )
                assert isinstance(made, PriceList)
                self.tally.records.append(_undo_row(self.run, "price_list", made.pk))
                named = made
            price_list = named
        else:
            default = PriceList.objects.filter(is_default=True).order_by("id").first()
            if default is None:
                raise ValidationError(
                    _("There is no default price list: name the price list in a column.")
                )
            price_list = default
        assert isinstance(price_list, PriceList)
        self.lists[key] = price_list
        return price_list


def _default_currency() -> str:
    from django.conf import settings

    return settings.DEFAULT_CURRENCY


MODELS = {
    "product": Product,
    "order": Order,
    "activity": Activity,
    "task": Task,
    "price": Price,
    "price_list": PriceList,
}


def _state(product: Product, fields: tuple[str, ...]) -> dict:
    return audit.plain_state({name: getattr(product, name) for name in fields})


def group_of(run: ImportRun) -> Callable[[list[str]], str] | None:
    """For an orders file, what tells its rows' orders apart (the order number's cell)."""
    if run.record_type != "order" or "order_number" not in run.mapping:
        return None
    index = run.mapping.index("order_number")
    return lambda cells: cells[index].strip() if index < len(cells) else ""


def undo_record(actor, entry: ImportedRecord) -> int:
    """Reverse what an import did to one record: one it created goes to the trash (or is
    deleted, kept in the audit trail, for those with no trash), one it changed goes back
    to how it stood before."""
    if entry.record_type not in RECORD_TYPES:
        return undo_one(actor, entry.record_type, entry.object_id, entry.created, entry.before)
    model = RECORD_TYPES[entry.record_type]
    record = model.objects.filter(pk=entry.object_id).first()
    if record is None:
        return 0
    if entry.created:
        if record.deleted_at is not None:
            return 0
        record_services.trash_record(actor=actor, record=record, action="undo import")
        return 1
    assert entry.before is not None  # kept for every record the run changed
    if isinstance(record, Deal):
        return rewrites.put_back(actor, record, entry.before)
    customer_services.return_to_state(
        actor=actor, record=record, state=entry.before, action="undo import"
    )
    return 1


def undo_one(actor, record_type: str, object_id: int, created: bool, before: dict | None) -> int:
    """Reverse what an import did to one product, price, price list, order, timeline
    entry or task; 0 when it is gone already or in use (an imported product an order
    since took stays)."""
    model = MODELS[record_type]
    record = model._default_manager.filter(pk=object_id).first()
    if record is None:
        return 0
    if isinstance(record, Order) and created:
        if record.deleted_at is not None:
            return 0
        record_services.trash_record(actor=actor, record=record, action="undo import")
        return 1
    if not created and isinstance(record, Order | Activity | Task):
        assert before is not None  # kept for every record the run changed
        return rewrites.put_back(actor, record, before)
    if isinstance(record, Activity | Task):
        activity_services.remove_imported(actor=actor, entry=record, action="undo import")
        return 1
    page = settings_pages.PAGES[
        {"product": "products", "price": "prices", "price_list": "price-lists"}[record_type]
    ]
    try:
        if created:
            settings_services.delete_setting(actor=actor, page=page, instance=record)
        else:
            assert before is not None
            values: dict = dict(before)
            for name in ("tax_rate", "unit_price"):
                if values.get(name) is not None:
                    values[name] = Decimal(str(values[name]))
            settings_services.save_setting(actor=actor, page=page, instance=record, data=values)
    except ValidationError:
        return 0
    return 1
