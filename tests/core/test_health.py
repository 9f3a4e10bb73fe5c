"""/healthz tells a load balancer whether this installation can serve."""

import pytest
from django.db.migrations.recorder import MigrationRecorder


@pytest.mark.django_db
def test_healthz_is_ok_without_logging_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "pending_migrations": [],
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_a_migration_that_was_not_applied(client):
    MigrationRecorder.Migration.objects.filter(app="users", name="0001_initial").delete()

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["migrations"] == "pending"
    assert "users.0001_initial" in body["pending_migrations"]


@pytest.mark.django_db
def test_healthz_only_answers_reads(client):
    assert client.post("/healthz").status_code == 405
