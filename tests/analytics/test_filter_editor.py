"""The report builder's filter as rows (core.filter_rows): rows write the filter language,
the text form reads back into the same rows, each value is picked from the field's own
list where it has one, and a row that cannot apply says why beside it, saving nothing."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.http import QueryDict

from clientela.analytics.models import Report
from clientela.core import filter_rows, filters
from clientela.deals.models import Deal

BASE = {
    "record_type": "deal",
    "group_by": "stage",
    "measure": "count",
    "measure_field": "",
    "name": "",
    "team": "",
    "role": "",
    "schedule": "",
    "filter-mode": "rows",
    "filter-type": "deal",
}


def editor_for(user, data: dict) -> filter_rows.FilterEditor:
    fields = filters.fields_of(Deal, user)
    posted = QueryDict(mutable=True)
    for key, value in data.items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    return filter_rows.FilterEditor.read(Deal, user, fields, posted=posted, record_type="deal")


def rows_posted(spec_rows: list[tuple[str, str, list[str]]]) -> dict:
    data: dict = {}
    for i, (field, op, values) in enumerate(spec_rows):
        data |= {f"filter-{i}-field": field, f"filter-{i}-op": op, f"filter-{i}-value": values}
    return data


def visible(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.mark.django_db
def test_rows_and_text_round_trip(world):
    ana, radu = world["ana"], world["radu"]
    first, second = world["stages"]
    spec = [
        {"field": "owner", "op": "eq", "value": radu.pk},
        {"field": "stage", "op": "in", "value": [first.pk, second.pk]},
        {"field": "amount", "op": "between", "value": [900, 2500.5]},
        {"field": "status", "op": "ne", "value": "lost"},
        {"field": "company.tags", "op": "has", "value": ["vip", "north"]},
        {"field": "name", "op": "in", "value": ["Scaune Nord", "Birouri, Nord"]},
        {"field": "company.name", "op": "is_not_empty"},
    ]
    fields = filters.fields_of(Deal, ana)
    editor = filter_rows.FilterEditor.read(Deal, ana, fields, spec=spec, record_type="deal")
    assert editor.mode == filter_rows.ROWS
    assert [(r.field, r.op, r.values) for r in editor.rows][:3] == [
        ("owner", "eq", [str(radu.pk)]),
        ("stage", "in", [str(first.pk), str(second.pk)]),
        ("amount", "between", ["900", "2500.5"]),
    ]
    assert [r.error for r in editor.rows] == [""] * 7
    assert json.loads(editor.text) == spec

    # Posted back as the page draws them (a text list as one input), the same filter.
    drawn = editor.rows_for_display()
    assert [r.widget for r in drawn] == [
        "select",
        "multi",
        "between",
        "select",
        "list",
        "list",
        "none",
    ]
    posted = rows_posted(
        [(r.field, r.op, [r.text] if r.widget == "list" else r.values) for r in drawn]
    )
    again = editor_for(ana, BASE | posted)
    assert again.spec() == spec
    # Any of them, rather than all: a group the text form writes as {"any": [...]}.
    anyone = editor_for(ana, BASE | posted | {"filter-match": "any"})
    assert anyone.spec() == {"any": spec}
    # Nested groups stay text: rows cannot show them, and say so.
    nested = {"any": [spec[0], {"all": spec[1:3]}]}
    kept = filter_rows.FilterEditor.read(Deal, ana, fields, spec=nested, record_type="deal")
    assert kept.mode == filter_rows.TEXT and json.loads(kept.text) == nested
    refused = editor_for(
        ana,
        BASE | {"filter-mode": "text", "filters": filters.dumps(nested), "action": "filter-rows"},
    )
    assert refused.mode == filter_rows.TEXT
    assert refused.error == (
        "This filter nests groups of conditions, which rows cannot show: edit it as text."
    )


@pytest.mark.django_db
def test_choosing_a_field_offers_its_operators_and_its_values(client, world):
    client.force_login(world["ana"])
    first, _second = world["stages"]
    added = client.post("/reports/new/", BASE | {"action": "filter-add"})
    page = visible(added)
    assert added.status_code == 200 and 'name="filter-0-field"' in page
    assert "Choose a field" in page and "Choose or enter a value" not in page
    # The owner: people by name, picked from a list; operators in words.
    owner = client.post(
        "/reports/new/",
        BASE | {"filter-0-field": "owner", "filter-0-was": "", "action": "filter-refresh"},
    )
    page = visible(owner)
    assert '<option value="eq" selected>is</option>' in page
    assert "is one of" in page
    assert f'<option value="{world["radu"].pk}">Radu Ene</option>' in page
    assert f'<option value="{world["bogdan"].pk}">Bogdan Stan</option>' in page
    # The stage, named with its pipeline; the date of closing by day, with date words.
    stage = client.post(
        "/reports/new/",
        BASE
        | {
            "filter-0-field": "stage",
            "filter-0-was": "owner",
            "filter-0-op": "eq",
            "action": "filter-refresh",
        },
    )
    assert f'value="{first.pk}"' in visible(stage)
    assert f"{first.pipeline} · {first}" in visible(stage)
    closed = client.post(
        "/reports/new/",
        BASE | {"filter-0-field": "closed_at", "filter-0-op": "eq", "action": "filter-refresh"},
    )
    page = visible(closed)
    assert 'type="date" name="filter-0-value"' in page and "is on or after" in page


@pytest.mark.django_db
def test_rows_narrow_the_figures_and_save_as_the_filter_language(client, world):
    ana, radu = world["ana"], world["radu"]
    first, second = world["stages"]
    client.force_login(ana)
    rows = rows_posted([("owner", "eq", [str(radu.pk)]), ("amount", "gte", ["900"])])
    shown = client.post("/reports/new/", BASE | rows | {"action": "show"})
    counts = dict(
        re.findall(
            r'<th scope="row"[^>]*>([^<]+)</th><td class="table__num" data-value="(\d+)"',
            visible(shown),
        )
    )
    # Radu's deals of 900 and more: Scaune Nord (1000, first stage), Birouri Nord (2000).
    assert counts == {first.name: "1", second.name: "1"}
    saved = client.post(
        "/reports/new/", BASE | rows | {"name": "Radu's big deals", "action": "save"}
    )
    report = Report.objects.get()
    assert saved.status_code == 302
    assert report.filters == [
        {"field": "owner", "op": "eq", "value": radu.pk},
        {"field": "amount", "op": "gte", "value": 900},
    ]
    # Reopened: the same two rows, their values chosen, and the text form beside them.
    page = visible(client.get(f"/reports/{report.pk}/edit/"))
    assert f'<option value="{radu.pk}" selected>Radu Ene</option>' in page
    assert 'name="filter-1-value" id="id_filter-1-value" value="900"' in page
    # (as the rows write it: PostgreSQL keeps a JSON object's keys in its own order)
    assert f'[{{"field":"owner","op":"eq","value":{radu.pk}}},' in page


@pytest.mark.django_db
def test_a_row_that_cannot_apply_says_why_and_nothing_is_saved(client, world):
    client.force_login(world["ana"])
    rows = rows_posted([("amount", "gt", ["a lot"]), ("created_at", "between", ["2026-01-01", ""])])
    response = client.post("/reports/new/", BASE | rows | {"name": "Bad", "action": "save"})
    page = visible(response)
    assert response.status_code == 200 and not Report.objects.exists()
    assert "The filters cannot be applied: see the message beside them." in page
    assert 'id="filter-0-error" role="alert">amount: enter a number.<' in page
    assert 'id="filter-1-error" role="alert">Enter both values.<' in page
    # Text that is not JSON, switched to rows, stays text and says why.
    text = client.post(
        "/reports/new/",
        BASE | {"filter-mode": "text", "filters": "[{", "action": "filter-rows"},
    )
    assert "The filter is not valid JSON." in visible(text)
    # A field the record type does not have (an older page, a script): refused beside it.
    refused = client.post(
        "/reports/new/", BASE | rows_posted([("nope", "gt", ["1"])]) | {"action": "show"}
    )
    assert 'role="alert">There is no field “nope” to filter by.<' in visible(refused)


@pytest.mark.django_db
def test_changing_the_record_type_starts_the_rows_again(client, world):
    client.force_login(world["ana"])
    rows = rows_posted([("stage", "eq", [str(world["stages"][0].pk)])])
    changed = client.post(
        "/reports/new/", BASE | rows | {"record_type": "ticket", "action": "filter-add"}
    )
    page = visible(changed)
    # The deal's row is gone; the one added offers the tickets' fields.
    assert 'name="filter-type" value="ticket"' in page
    assert 'id="id_filter-0-field"' in page and 'id="id_filter-1-field"' not in page
    assert '<option value="stage"' not in page
    assert '<option value="first_responded_at">' in page
