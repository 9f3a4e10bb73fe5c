"""The filter language (core.filters) as rows a person fills in: a field, an operator and a
value each, chosen from the record type's fields, tags, custom fields and related records,
with the values picked from a list where the field has one (an owner, a stage, a team, a
choice). The rows write the same filter the text form holds, and a filter that is a list
of conditions reads back into rows, so either form can be edited and the other follows.

Server-rendered (components/filter_editor.html): each change posts the form; htmx swaps
the editor back in, and without JavaScript the whole page comes back the same way. A
report builder, a segment or an automation rule uses it through `FilterEditor`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as default
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core import filters
from clientela.core.models import Record

if TYPE_CHECKING:
    from django.http import QueryDict

    from clientela.core.actors import Actor

PREFIX = "filter"
MAX_ROWS = filters.MAX_CONDITIONS
MAX_PICKS = 200  # a related record type with more rows than this takes an id, not a list
ROWS, TEXT = "rows", "text"

OP_LABELS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "gt": gettext_lazy("is more than"),
    "gte": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "between": gettext_lazy("is between"),
    "is_empty": gettext_lazy("is empty"),
    "is_not_empty": gettext_lazy("is not empty"),
    "has": gettext_lazy("has any of"),
    "has_not": gettext_lazy("has none of"),
}
DATE_OP_LABELS = {
    "gt": gettext_lazy("is after"),
    "gte": gettext_lazy("is on or after"),
    "lt": gettext_lazy("is before"),
    "lte": gettext_lazy("is on or before"),
}
NO_VALUE = filters.EMPTY_OPS
MANY = ("in", "not_in", "has", "has_not")
PICKED = (filters.CHOICE, filters.MULTI, filters.BOOLEAN)  # always chosen from a list


@dataclass
class Row:
    """One condition as the editor shows it: values are the texts of its inputs."""

    field: str = ""
    op: str = ""
    values: list[str] = default(default_factory=list)
    error: str = ""
    # Filled in for drawing (Editor.rows_for_display).
    ops: list[tuple[str, str]] = default(default_factory=list)
    widget: str = ""  # none, select, multi, input, between, list
    input_type: str = "text"
    choices: list[tuple[str, str]] = default(default_factory=list)
    separator: str = ""  # a list widget's: "lines" or "commas"
    autofocus: bool = False

    @property
    def text(self) -> str:
        """The values as one input's text (a list widget: one a line, or comma-separated)."""
        return ("\n" if self.separator == "lines" else ", ").join(self.values)

    @property
    def hint(self) -> str:
        return str(LIST_HINTS[self.separator]) if self.separator else ""


LIST_HINTS = {
    "lines": gettext_lazy("One value a line."),
    "commas": gettext_lazy("Separate them with commas."),
}


def _input_type(kind: str) -> str:
    return {filters.DATE: "date", filters.DATETIME: "date", filters.NUMBER: "number"}.get(
        kind, "text"
    )


def _widget(found: filters.Field | None, op: str, has_choices: bool) -> tuple[str, str]:
    """How a row's value is entered: (widget, list separator) for the field and operator."""
    if found is None or op in NO_VALUE:
        return "none", ""
    if op == "between":
        return "between", ""
    many = op in MANY
    if found.kind in PICKED or has_choices:
        return ("multi" if many else "select"), ""
    if many:
        return "list", ("lines" if found.kind == filters.TEXT else "commas")
    return "input", ""


def _value(found: filters.Field, text: str) -> Any:
    """A typed text as the filter language writes it: numbers and ids as numbers, yes/no
    as true/false; what does not read is kept as typed, for the check to name."""
    text = text.strip()
    if found.kind == filters.NUMBER or found.kind == filters.RELATION:
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if found.kind == filters.NUMBER and re.fullmatch(r"-?\d+\.\d+", text):
            return float(text)
        return text
    if found.kind == filters.BOOLEAN:
        return {"yes": True, "no": False}.get(text, text)
    return text


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def condition_of(row: Row, found: filters.Field | None) -> dict | None:
    """The filter condition a row writes, or None for a row with no field chosen."""
    if not row.field:
        return None
    condition: dict[str, Any] = {"field": row.field, "op": row.op}
    values = [v for v in (v.strip() for v in row.values) if v]
    if found is None:  # a field the person may not use: kept as written, for the check
        if values:
            condition["value"] = values[0] if len(values) == 1 else values
        return condition
    if row.op in NO_VALUE:
        return condition
    if row.op == "between":
        condition["value"] = [_value(found, v) for v in row.values[:2]]
    elif row.op in MANY:
        condition["value"] = [_value(found, v) for v in values]
    else:
        condition["value"] = _value(found, values[0]) if values else ""
    return condition


def rows_of(spec: Any) -> tuple[str, list[Row]] | None:
    """(all/any, rows) of a filter that is one list of conditions; None for a filter that
    nests groups, which only the text form shows."""
    if isinstance(spec, list):
        match, items = "all", spec
    elif isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in ("all", "any"):
        match, items = next(iter(spec.items()))
    else:
        return None
    if not isinstance(items, list) or len(items) > MAX_ROWS:
        return None
    rows = []
    for item in items:
        if (
            not isinstance(item, dict)
            or "field" not in item
            or set(item) - {"field", "op", "value"}
        ):
            return None
        value = item.get("value")
        values = [_as_text(v) for v in value] if isinstance(value, list) else []
        if value is not None and not isinstance(value, list):
            values = [_as_text(value)]
        rows.append(Row(str(item["field"]), str(item.get("op", "")), values))
    return match, rows


def spec_of(match: str, conditions: list[dict]) -> Any:
    """Rows' conditions as the filter language writes them: a list when all must hold."""
    return {"any": conditions} if match == "any" else conditions


class FilterEditor:
    """The filter of one form, as rows or as text, with what each row needs to be drawn.

    `model` and `user` give the fields (filters.fields_of); `mode` says which form the
    person is editing, and the other follows from it."""

    def __init__(
        self,
        model: type[models.Model],
        user: Actor | None,
        fields: dict[str, filters.Field],
        *,
        record_type: str = "",
    ) -> None:
        self.model = model
        self.user = user
        self.fields = fields
        self.record_type = record_type
        self.mode = ROWS
        self.match = "all"
        self.rows: list[Row] = []
        self.raw_text = ""
        self.error = ""  # about the filter as a whole (its text, or switching forms)
        self.focus_add = False

    # Reading ----------------------------------------------------------------------------
    @classmethod
    def read(
        cls,
        model: type[models.Model],
        user: Actor | None,
        fields: dict[str, filters.Field],
        *,
        spec: Any = None,
        posted: QueryDict | None = None,
        record_type: str = "",
    ) -> FilterEditor:
        """The editor of a form: as `posted` while it is being edited, else the saved filter
        `spec`, as rows when it is a list of conditions and as text when it nests groups."""
        editor = cls(model, user, fields, record_type=record_type)
        if posted is not None:
            editor._read_post(posted)
        elif editor._show_rows(spec or []):
            editor.check_rows()
        else:
            editor.mode, editor.raw_text = TEXT, filters.dumps(spec)
        return editor

    def _show_rows(self, spec: Any) -> bool:
        """Show `spec` as rows; False (nothing changed) when it nests groups."""
        read = rows_of(spec)
        if read is None:
            return False
        self.mode = ROWS
        self.match, self.rows = read
        return True

    def _read_post(self, data: QueryDict) -> None:
        """The editor as the form posted it, with the editing action (add or remove a row,
        switch between rows and text) applied. A form posted without the editor (a script,
        an older page) gives its filter as text in `filters`."""
        if data.get(f"{PREFIX}-type", self.record_type) != self.record_type:
            # Another record type was chosen: the rows' fields do not apply to it.
            self.apply(data.get("action", ""))
            return
        self.raw_text = data.get("filters", "")
        self.mode = data.get(f"{PREFIX}-mode") or (TEXT if "filters" in data else ROWS)
        if self.mode not in (ROWS, TEXT):
            self.mode = ROWS
        self.match = "any" if data.get(f"{PREFIX}-match") == "any" else "all"
        indexes = sorted(
            int(m.group(1))
            for key in data
            if (m := re.fullmatch(rf"{PREFIX}-(\d+)-field", key)) and len(m.group(1)) < 4
        )
        for i in indexes[:MAX_ROWS]:
            path = data.get(f"{PREFIX}-{i}-field", "")
            op = data.get(f"{PREFIX}-{i}-op", "")
            values = data.getlist(f"{PREFIX}-{i}-value")
            found = self.fields.get(path)
            if path != data.get(f"{PREFIX}-{i}-was", path):
                values = []  # another field chosen: the old value means nothing to it
            if found is not None and op not in found.ops:
                op, values = found.ops[0], []  # its first operator
            if found is not None and op in MANY and len(values) == 1 and found.kind not in PICKED:
                text = values[0]
                parts = text.splitlines() if found.kind == filters.TEXT else text.split(",")
                values = [p.strip() for p in parts if p.strip()]
            self.rows.append(Row(path, op, values))
        self.apply(data.get("action", ""))

    def apply(self, action: str) -> None:
        if action == f"{PREFIX}-add" and self.mode == ROWS and len(self.rows) < MAX_ROWS:
            self.rows.append(Row(autofocus=True))
        elif action.startswith(f"{PREFIX}-remove-") and self.mode == ROWS:
            index = action.removeprefix(f"{PREFIX}-remove-")
            if index.isdigit() and int(index) < len(self.rows):
                del self.rows[int(index)]
                self.focus_add = True
        elif action == f"{PREFIX}-text" and self.mode == ROWS:
            self.raw_text = filters.dumps(self._spec_of_rows())
            self.mode = TEXT
        elif action == f"{PREFIX}-rows" and self.mode == TEXT:
            self._rows_from_text()
        if self.mode == ROWS:
            self.check_rows(quiet=action.startswith(f"{PREFIX}-"))

    def _rows_from_text(self) -> None:
        try:
            spec = filters.parse(self.raw_text)
        except filters.FilterError as error:
            self.error = error.messages[0]
            return
        if not self._show_rows(spec):
            self.error = _(
                "This filter nests groups of conditions, which rows cannot show: edit it as text."
            )

    # Checking ---------------------------------------------------------------------------
    def _spec_of_rows(self) -> Any:
        conditions = [
            c for row in self.rows if (c := condition_of(row, self.fields.get(row.field)))
        ]
        return spec_of(self.match, conditions)

    def check_rows(self, *, quiet: bool = False) -> None:
        """Each row's problem beside it, in the filter language's own words. `quiet` leaves
        a row still being filled in (no value yet) without a message."""
        for row in self.rows:
            row.error = ""
            found = self.fields.get(row.field)
            condition = condition_of(row, found)
            if condition is None:
                continue
            if found is not None and row.op not in NO_VALUE:
                given = [v for v in row.values if v.strip()]
                needed = 2 if row.op == "between" else 1
                if len(given) < needed:
                    if not quiet:
                        row.error = (
                            _("Enter both values.")
                            if needed == 2
                            else _("Choose or enter a value.")
                        )
                    continue
            try:
                filters.compile_filter(self.model, [condition], self.user, self.fields)
            except filters.FilterError as error:
                row.error = error.messages[0]

    def spec(self) -> Any:
        """The filter to apply; FilterError saying what is wrong."""
        if self.mode == TEXT:
            return filters.parse(self.raw_text)
        self.check_rows()
        if any(row.error for row in self.rows):
            raise filters.FilterError(_("A filter row is not complete: see the message beside it."))
        return self._spec_of_rows()

    @property
    def text(self) -> str:
        """The filter in the text form: what the rows write, or the text as typed."""
        if self.mode == TEXT:
            return self.raw_text
        spec = self._spec_of_rows()
        return filters.dumps(spec) if spec else ""

    # Drawing ----------------------------------------------------------------------------
    def field_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The fields to choose from, grouped: the record's own (with its tags), its custom
        fields, then those of each record it points to."""
        own: list[tuple[str, str]] = []
        custom: list[tuple[str, str]] = []
        related: dict[str, list[tuple[str, str]]] = {}
        for path, found in self.fields.items():
            head, _dot, rest = path.partition(".")
            if not rest:
                own.append((path, found.label))
            elif head == "custom":
                custom.append((path, found.label))
            else:
                related.setdefault(head, []).append((path, self._trail(path)))
        groups = [(_("Fields"), sorted(own, key=lambda o: o[1].lower()))]
        if custom:
            groups.append((_("Custom fields"), sorted(custom, key=lambda o: o[1].lower())))
        for head, options in related.items():
            label = self.fields[head].label if head in self.fields else head
            groups.append((label, sorted(options, key=lambda o: o[1].lower())))
        return groups

    def _trail(self, path: str) -> str:
        """A related record's field named along the way: "Owner · E-mail"."""
        parts = path.split(".")
        names = []
        for i in range(2, len(parts) + 1):
            step = ".".join(parts[:i])
            if parts[i - 1] == "custom" and i < len(parts):
                continue
            found = self.fields.get(step)
            names.append(found.label if found is not None else parts[i - 1])
        return " · ".join(names)

    def rows_for_display(self) -> list[Row]:
        picks: dict[str, list[tuple[str, str]]] = {}
        for row in self.rows:
            found = self.fields.get(row.field)
            if found is None:
                row.ops, row.widget = [], "none"
                continue
            labels = {**OP_LABELS, **(DATE_OP_LABELS if found.kind in _DATES else {})}
            row.ops = [(op, str(labels[op])) for op in found.ops]
            if found.path not in picks:
                picks[found.path] = _picks(found, row.values)
            row.choices = picks[found.path]
            widget, separator = _widget(found, row.op, bool(row.choices))
            row.widget, row.input_type = widget, _input_type(found.kind)
            row.separator = separator
        return self.rows


_DATES = (filters.DATE, filters.DATETIME)


def _has_picks(found: filters.Field) -> bool:
    if found.kind in PICKED:
        return True
    target = found.model_field.related_model if found.model_field is not None else None
    return found.kind == filters.RELATION and isinstance(target, type) and _pickable(target)


def _pickable(target: type[models.Model]) -> bool:
    """Records (contacts, companies, deals…) are many and each visible to some: they are
    named by id. People, teams, stages, queues and the like are listed."""
    return not issubclass(target, Record)


def _picks(found: filters.Field, current: list[str]) -> list[tuple[str, str]]:
    """The values a field may take, as (value, label): its choices, yes and no, or the rows
    of the (small) record type it points to; one query for the latter."""
    if found.kind == filters.BOOLEAN:
        return [("yes", _("Yes")), ("no", _("No"))]
    if found.kind in (filters.CHOICE, filters.MULTI):
        return list(found.choices)
    if not _has_picks(found):
        return []
    assert found.model_field is not None
    target: type[models.Model] = found.model_field.related_model  # type: ignore[assignment]
    queryset = target._default_manager.all()
    names = {f.name for f in target._meta.get_fields()}
    if "is_active" in names:  # people who left stay listed where a row names them
        keep = [int(v) for v in current if v.isdigit()]
        queryset = queryset.filter(models.Q(is_active=True) | models.Q(pk__in=keep))
    if "pipeline" in names:
        queryset = queryset.select_related("pipeline")
    items = list(queryset[: MAX_PICKS + 1])
    if len(items) > MAX_PICKS:
        return []
    picks = []
    for item in items:
        label = getattr(item, "display_name", None) or str(item)
        pipeline = getattr(item, "pipeline", None) if "pipeline" in names else None
        if pipeline is not None:
            label = f"{pipeline} · {label}"
        picks.append((str(item.pk), str(label)))
    if not target._meta.ordering:
        picks.sort(key=lambda pick: pick[1].lower())
    return picks
