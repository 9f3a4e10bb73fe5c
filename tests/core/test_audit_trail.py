"""The audit trail an auditor reads: every record's changes, filtered, exported as CSV,
sensitive values hidden from roles without the right; and the settings page that leads there."""

from __future__ import annotations

import csv
import io

import pytest

from clientela.customers import services as customer_services
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(db):
    ana = create_user(email="ana@firma.ro", full_name="Ana", role=role_named("administrator"))
    ion = create_user(email="ion@firma.ro", full_name="Ion", team=team_named("Sales"))
    company = customer_services.create_company(
        actor=ana, data={"name": "Fabrica SRL", "tax_id": "RO123456"}
    )
    customer_services.update_company(
        actor=ana, company=company, data={"tax_id": "RO999999"}, expected_version=None
    )
    contact = customer_services.create_contact(actor=ion, data={"full_name": "=HYPERLINK(1)"})
    return {"ana": ana, "ion": ion, "company": company, "contact": contact}


def export(client, query=""):
    response = client.get(f"/settings/audit/export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_trail_page_filters_by_person(client, changes):
    client.force_login(changes["ana"])
    everyone = client.get("/settings/audit/").content.decode()
    assert "Fabrica SRL" in everyone and "=HYPERLINK(1)" in everyone
    only_ion = client.get(f"/settings/audit/?actor={changes['ion'].pk}").content.decode()
    assert "=HYPERLINK(1)" in only_ion and "Fabrica SRL" not in only_ion
    # A new record lists what it was created with, not every field it left empty.
    assert "→ []" not in only_ion and "<b>Name</b>" in only_ion


def test_the_export_holds_every_change_with_who_and_what(client, changes):
    client.force_login(changes["ana"])
    rows = export(client, "?record_type=company")
    assert [row["action"] for row in rows] == ["update", "create"]  # newest first
    update = rows[0]
    assert update["actor"] == "ana@firma.ro" and update["record"] == "Fabrica SRL"
    assert '"tax_id": ["RO123456", "RO999999"]' in update["changes"]


def test_exported_cells_never_run_as_formulas(client, changes):
    client.force_login(changes["ana"])
    rows = export(client, "?record_type=contact")
    assert rows[0]["record"] == "'=HYPERLINK(1)"


def test_an_auditor_without_sensitive_rights_sees_them_hidden(client, changes):
    auditors = role_named("read-only")
    auditors.permissions = {**auditors.permissions, "capabilities": ["view_audit_trail"]}
    auditors.save()
    auditor = create_user(email="audit@firma.ro", role=auditors)
    client.force_login(auditor)
    rows = export(client, "?record_type=company")
    assert "RO999999" not in str(rows) and "•••" in rows[0]["changes"]
    assert "RO123456" not in client.get("/settings/audit/").content.decode()


def test_roles_without_the_right_are_refused(client, changes):
    client.force_login(changes["ion"])
    assert client.get("/settings/audit/").status_code == 403
    assert client.get("/settings/audit/export.csv").status_code == 403


def test_the_settings_page_shows_what_the_role_may_manage(client, changes):
    client.force_login(changes["ana"])
    page = client.get("/settings/").content.decode()
    for section in ("People and teams", "Roles", "Audit trail", "Backups", "Jobs"):
        assert section in page
    manager = create_user(email="boss@firma.ro", role=role_named("manager"))
    client.force_login(manager)
    assert client.get("/settings/").status_code == 403


def test_a_bad_date_filter_is_explained_not_a_crash(client, changes):
    client.force_login(changes["ana"])
    response = client.get("/settings/audit/?since=31.02.2026")
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
