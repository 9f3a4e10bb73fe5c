"""Record lists: columns a user picks, sorts that page by keyset, cells rendered by kind.
Contacts, companies and later record types describe their lists with these pieces."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.db.models import FloatField, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from clientela.core import custom_fields, permissions, presenting
from clientela.core.models import CustomField, FieldType
from clientela.core.pagination import Page, keyset_page

if TYPE_CHECKING:
    from django.http import QueryDict

    from clientela.core.actors import Actor, ActorRequest

PAGE_SIZE = 50


@dataclass(frozen=True)
class Cell:
    text: str = ""
    url: str = ""
    kind: str = "text"  # text, link, badge, flagged, tags, email, phone, date, person
    # By kind: the date of a "date", the initials of a "person", the warning of a "flagged"
    # or a "phone".
    extra: Any = None


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    # Given a record of the list's own type (a Contact, a Deal).
    cell: Callable[[Any], Cell]
    sort: str = ""  # the name of the sort this column's header toggles
    default: bool = True


@dataclass
class ListSpec:
    record_type: str
    columns: list[Column]
    # sort name → ordering; every ordering ends with a unique field.
    sorts: dict[str, list[str]]
    default_sort: str
    custom: list[CustomField] = field(default_factory=list)

    def all_columns(self) -> list[Column]:
        return self.columns + [custom_column(d) for d in self.custom]

    def chosen_columns(self, cols: str) -> list[Column]:
        wanted = [key for key in (cols or "").split(",") if key]
        by_key = {column.key: column for column in self.all_columns()}
        picked = [by_key[key] for key in wanted if key in by_key]
        return picked or [column for column in self.columns if column.default]


SORTABLE_CUSTOM = {FieldType.TEXT, FieldType.CHOICE, FieldType.DATE, FieldType.URL}


def custom_column(definition: CustomField) -> Column:
    def cell(record: Any) -> Cell:
        return Cell(custom_fields.display(definition, (record.custom or {}).get(definition.key)))

    sortable = definition.field_type in SORTABLE_CUSTOM | {FieldType.NUMBER}
    return Column(
        key=f"cf_{definition.key}",
        label=definition.label,
        cell=cell,
        sort=f"cf_{definition.key}" if sortable else "",
        default=False,
    )


def sort_queryset(spec: ListSpec, queryset: QuerySet, sort: str) -> tuple[QuerySet, list[str], str]:
    """The queryset annotated for `sort`, its keyset ordering, and the sort in force."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name.startswith("cf_"):
        definition = next((d for d in spec.custom if f"cf_{d.key}" == name), None)
        if definition is not None and definition.field_type in SORTABLE_CUSTOM:
            queryset = queryset.annotate(
                sort_value=Coalesce(KT(f"custom__{definition.key}"), Value(""))
            )
        elif definition is not None and definition.field_type == FieldType.NUMBER:
            queryset = queryset.annotate(
                sort_value=Coalesce(
                    Cast(KT(f"custom__{definition.key}"), FloatField()), Value(-1e308)
                )
            )
        else:
            return sort_queryset(spec, queryset, spec.default_sort)
        ordering = ["sort_value", "id"]
    elif name in spec.sorts:
        ordering = list(spec.sorts[name])
    else:
        return sort_queryset(spec, queryset, spec.default_sort)
    if descending:
        ordering = [f"-{o}" if not o.startswith("-") else o[1:] for o in ordering]
    return queryset, ordering, sort


def page_of(spec: ListSpec, queryset: QuerySet, sort: str, cursor: str | None) -> tuple[Page, str]:
    queryset, ordering, sort = sort_queryset(spec, queryset, sort or spec.default_sort)
    return keyset_page(queryset, ordering, cursor, PAGE_SIZE), sort


def custom_filter(queryset: QuerySet, definition: CustomField, raw: str) -> QuerySet:
    """Records whose custom field equals `raw` (contains it, for several choices)."""
    key = f"custom__{definition.key}"
    if definition.field_type == FieldType.YES_NO:
        return queryset.filter(**{key: raw in {"yes", "true", "1"}})
    if definition.field_type == FieldType.MULTI_CHOICE:
        # The stored list as JSON text holds the quoted choice on both databases.
        return queryset.alias(_cf=KT(key)).filter(_cf__contains=f'"{raw}"')
    if definition.field_type == FieldType.NUMBER:
        try:
            return queryset.alias(_cf=Cast(KT(key), FloatField())).filter(_cf=float(raw))
        except ValueError:
            return queryset.none()
    return queryset.alias(_cf=KT(key)).filter(_cf=raw)


def related_cell(user: Actor, record: Any) -> Cell:
    """A related record's name (a contact's company, a deal's company): a link when `user`
    may open it, its name alone when not — never a link to a page that answers 404."""
    return RelatedCells(user)(record)


class RelatedCells:
    """`related_cell` for the rows of one page: the role is asked once per record type,
    then each record answers by its owner (a column or a template tag keeps one)."""

    def __init__(self, user: Actor) -> None:
        self.user = user
        self.checks: dict[str, Callable[[Any], bool]] = {}

    def __call__(self, record: Any) -> Cell:
        if record is None:
            return Cell()
        record_type = record._meta.model_name
        check = self.checks.get(record_type)
        if check is None:
            check = self.checks[record_type] = permissions.allows_of_type(
                self.user, record_type, "view"
            )
        url = record.get_absolute_url() if check(record) else ""
        return Cell(str(record), url, "link" if url else "text")


def person_cell(user: Actor | None) -> Cell:
    return Cell(user.display_name, kind="person", extra=user.initials) if user else Cell()


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the current time zone: date filters on datetimes."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def page_context(
    request: ActorRequest, page: Page, columns: list[Column], sort: str
) -> tuple[dict[str, Any], QueryDict]:
    """What a list template needs to show a page: its rows of cells, the query string
    without the cursor and the next page's; and that query (to build sort links). The
    records come presented to the user (core.presenting): the spec already left out the
    columns of the fields the user may not see."""
    query = request.GET.copy()
    query.pop("after", None)
    next_query = query.copy()
    if page.next_cursor:
        next_query["after"] = page.next_cursor
    records = presenting.present_all(request.user, page.items)
    context = {
        "columns": columns,
        "rows": [
            (shown, [column.cell(record) for column in columns])
            for record, shown in zip(page.items, records, strict=True)
        ],
        "page": replace(page, items=records),
        "sort": sort,
        "query": query.urlencode(),
        "next_query": next_query.urlencode() if page.next_cursor else "",
        "is_first_page": not request.GET.get("after"),
    }
    return context, query
