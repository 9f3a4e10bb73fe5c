"""The report builder: figures counted by hand over the dashboards' world for two roles,
the median on both databases, drill-downs leading to exactly the records counted, saving,
sharing, deleting and exporting."""

from __future__ import annotations

import json
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from clientela.analytics import reports, services
from clientela.analytics.models import Report
from clientela.core.models import AuditEntry
from clientela.users.services import role_named


def figures(user, group_by="stage", measure="count", field="", spec=None, record_type="deal"):
    definition = reports.checked(user, record_type, spec or [], group_by, measure, field)
    chart = reports.run(user, definition).chart
    return {row.label: [cell.value for cell in row.cells] for row in chart.rows}, chart


@pytest.mark.django_db
def test_deals_by_stage_for_two_roles(world):
    first, second = (stage.name for stage in world["stages"])
    counted, _chart = figures(world["ana"])
    assert counted == {first: [5], second: [1]}
    summed, chart = figures(world["ana"], measure="sum", field="amount")
    assert summed == {first: [Decimal("8400.00")], second: [Decimal("2000.00")]}
    assert chart.series == ["Sum · Amount (RON)"]
    average, _chart = figures(world["ana"], measure="avg", field="amount")
    assert average == {first: [Decimal("1680.00")], second: [Decimal("2000.00")]}
    # Radu sees his team's deals only (Nord: his own), and no amounts to measure.
    counted, _chart = figures(world["radu"])
    assert counted == {first: [3], second: [1]}
    with pytest.raises(reports.ReportError):
        figures(world["radu"], measure="sum", field="amount")


@pytest.mark.django_db
def test_median_is_the_middle_value_on_both_databases(world):
    first, second = (stage.name for stage in world["stages"])
    median, _chart = figures(world["ana"], measure="median", field="amount")
    # First stage: 700, 800, 900, 1000, 5000; the second holds 2000 alone.
    assert median == {first: [Decimal("900.00")], second: [Decimal("2000.00")]}
    spec = [{"field": "amount", "op": "lt", "value": 5000}]
    median, _chart = figures(world["ana"], measure="median", field="amount", spec=spec)
    assert median[first] == [Decimal("850.00")]  # an even count: the two middle ones' mean


@pytest.mark.django_db
def test_other_groupings(world):
    by_owner, _chart = figures(world["ana"], group_by="owner")
    assert by_owner == {"Bogdan Stan": [2], "Radu Ene": [4]}
    by_team, _chart = figures(world["ana"], group_by="owner.team")
    assert by_team == {"Nord": [4], "Sud": [2]}
    by_status, _chart = figures(world["ana"], group_by="status")
    assert sorted(v[0] for v in by_status.values()) == [1, 2, 3]
    by_month, chart = figures(world["ana"], group_by="month:created_at")
    assert sum(v[0] for v in by_month.values()) == 6 and len(chart.rows) == 2
    units, _chart = figures(world["ana"], group_by="product", record_type="order")
    assert units == {"Chair (CH-1)": [3], "Lamp (LM-1)": [3]}
    by_source, _chart = figures(world["ana"], group_by="source", record_type="contact")
    assert sum(v[0] for v in by_source.values()) == 4
    tickets, _chart = figures(world["ana"], group_by="status", record_type="ticket")
    assert sum(v[0] for v in tickets.values()) == 4


@pytest.mark.django_db
def test_a_value_drills_into_exactly_its_records(client, world):
    client.force_login(world["ana"])
    spec = [{"field": "amount", "op": "gte", "value": 900}]
    _values, chart = figures(world["ana"], spec=spec)
    first = chart.rows[0]
    url = first.cells[0].url
    assert url.startswith("/deals/list/?where=")
    where = json.loads(parse_qs(urlparse(url).query)["where"][0])
    assert where["all"][0] == {"all": spec}
    body = client.get(url).content.decode()
    shown = {
        name
        for name in ("Scaune Nord", "Mese Sud", "Rafturi Sud", "Lămpi câștigate")
        if name in body
    }
    assert shown == {"Scaune Nord", "Mese Sud", "Rafturi Sud"}
    # A filter a list cannot apply is said, not a stack trace.
    response = client.get('/deals/list/?where=[{"field":"nope","op":"eq","value":1}]')
    assert response.status_code == 200 and "nope" in unescape(response.content.decode())


@pytest.mark.django_db
def test_build_save_share_export_delete(client, world):
    manager = world["ana"]
    client.force_login(manager)
    assert client.get("/reports/new/").status_code == 200
    data = {
        "record_type": "deal",
        "group_by": "stage",
        "measure": "sum",
        "measure_field": "amount",
        "filters": "",
        "name": "Pipeline",
        "team": "",
        "role": role_named("sales-representative").pk,
        "schedule": "weekly",
    }
    shown = client.post("/reports/new/", {**data, "action": "show"})
    assert shown.status_code == 200 and "8,400.00" in shown.content.decode()
    bad = client.post("/reports/new/", {**data, "filters": "[{", "action": "show"})
    assert "not valid JSON" in bad.content.decode()
    saved = client.post("/reports/new/", {**data, "action": "save"})
    report = Report.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/reports/{report.pk}/"
    assert AuditEntry.objects.filter(action="create", object_id=report.pk).exists()
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "data-dashboard-chart" in page and "Pipeline" in page
    csv = client.get(f"/reports/{report.pk}/export/csv/")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("Stage,") and len(lines) == 3
    xlsx = client.get(f"/reports/{report.pk}/export/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # Shared with the representatives: Radu opens it, and his role shows no amounts.
    client.force_login(world["radu"])
    assert client.get("/reports/").content.decode().count(f"/reports/{report.pk}/") == 1
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "8,400.00" not in page and "alert" in page
    assert client.get(f"/reports/{report.pk}/export/csv/").status_code == 403
    assert client.post(f"/reports/{report.pk}/delete/").status_code == 403
    # Its author deletes it: gone from the list, kept in the audit trail.
    client.force_login(manager)
    client.post(f"/reports/{report.pk}/delete/")
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert Report.objects.filter(pk=report.pk, deleted_at__isnull=False).exists()
    services.restore_report(actor=manager, report=Report.objects.get(pk=report.pk))
    assert client.get(f"/reports/{report.pk}/").status_code == 200


@pytest.mark.django_db
def test_pdf_export(client, world):
    client.force_login(world["ana"])
    report = services.save_report(
        actor=world["ana"],
        report=None,
        data={
            "name": "Tickets",
            "record_type": "ticket",
            "filters": [],
            "group_by": "status",
            "measure": "count",
        },
    )
    response = client.get(f"/reports/{report.pk}/export/pdf/")
    assert response.content[:4] == b"%PDF"


@pytest.mark.django_db
def test_scheduled_reports_are_mailed_once_each_as_each_role_sees_them(world, mailoutbox, settings):
    import datetime

    settings.PUBLIC_URL = "https://crm.firma.ro"

    report = services.save_report(
        actor=world["ana"],
        report=None,
        data={
            "name": "Weekly pipeline",
            "record_type": "deal",
            "filters": [],
            "group_by": "owner",
            "measure": "count",
            "team": world["radu"].team,
            "schedule": "weekly",
        },
    )
    monday, tuesday = datetime.date(2026, 11, 30), datetime.date(2026, 12, 1)
    assert services.send_due_reports(today=tuesday) == 0
    assert services.send_due_reports(today=monday) == 1
    assert services.send_due_reports(today=monday) == 0  # a repeated job sends nothing more
    sent = {message.to[0]: message.body for message in mailoutbox}
    assert set(sent) == {"ana@firma.ro", "radu@firma.ro"}
    assert "Bogdan Stan" in sent["ana@firma.ro"]
    # Radu's role shows his team's deals only: Bogdan's are not counted for him.
    assert "Radu Ene" in sent["radu@firma.ro"] and "Bogdan Stan" not in sent["radu@firma.ro"]
    assert Report.objects.get(pk=report.pk).last_sent_on == monday
    # The link opens the report from a mail client: whole, on the public address.
    assert f"https://crm.firma.ro/reports/{report.pk}/" in sent["radu@firma.ro"]


@pytest.mark.django_db
def test_money_across_currencies_is_converted_at_each_records_day_rate(world):
    from django.utils import timezone

    from clientela.core.currencies import services as currency_services
    from clientela.deals.models import Deal

    first, second = (stage.name for stage in world["stages"])
    # Bogdan's open 5,000 becomes euros, valued at the rate of its day (open: created today).
    Deal.objects.filter(name="Mese Sud").update(currency="EUR")
    currency_services.save_rate(
        actor=world["ana"], currency="EUR", day=timezone.localdate(), rate="5"
    )
    summed, chart = figures(world["ana"], measure="sum", field="amount")
    assert chart.series == ["Sum · Amount (EUR)", "Sum · Amount (RON)", "Sum · Amount in RON"]
    # First stage: 3,400 RON and 5,000 EUR = 3,400 + 25,000 RON.
    assert summed[first] == [Decimal("5000.00"), Decimal("3400.00"), Decimal("28400.00")]
    assert summed[second] == [None, Decimal("2000.00"), Decimal("2000.00")]
    average, _chart = figures(world["ana"], measure="avg", field="amount")
    assert average[first][2] == Decimal("5680.00")  # 28,400 over the stage's five deals
    assert chart.note == ""

    # Bogdan's won 900 in dollars, on a day with no rate: no figure, and a note says why.
    Deal.objects.filter(name="Rafturi Sud").update(currency="USD")
    summed, chart = figures(world["ana"], measure="sum", field="amount")
    assert summed[first][-1] is None and summed[second][-1] == Decimal("2000.00")
    assert "Some amounts in USD had no exchange rate on their day" in str(chart.note)
