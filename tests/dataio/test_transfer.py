"""Desktop to server: a SQLite installation copied into an empty PostgreSQL database."""

from __future__ import annotations

import pytest
from django.db import connection

from clientela.dataio.backups import backup, tables, transfer
from clientela.users.models import User
from tests.dataio.test_backup_restore import current_tables, figures

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="transfer copies a SQLite installation; this run's database is PostgreSQL",
)


def test_sqlite_installation_arrives_whole_in_postgresql(populated, postgres_database):
    before = figures("default")
    copied = []

    result = transfer.transfer(
        postgres_database, progress=lambda table, rows: copied.append((table, rows))
    )

    assert result.comparison.ok
    assert {check.table for check in result.comparison.checks} == current_tables()
    # Tables are copied after the tables they point at.
    order = [table for table, _rows in copied]
    assert order.index("users_user") < order.index("users_user_groups")
    assert order.index("django_content_type") < order.index("auth_permission")
    target_config = transfer.target_settings(postgres_database)
    with tables.database_alias(target_config) as target:
        assert connection.vendor == "sqlite"
        assert tables.connections[target].vendor == "postgresql"
        assert figures(target) == before
        ioana = User.objects.using(target).get(email="ioana.dumitrescu@firma.ro")
        assert ioana.check_password("Corect-cal-baterie-9")
        # Sequences follow the copied ids: the next person gets a new id, not a clash.
        newcomer = User.objects.db_manager(target).create_user("nou@firma.ro")
        assert newcomer.pk > max(User.objects.values_list("pk", flat=True))


def test_transfer_refuses_a_database_that_is_not_empty(populated, postgres_database):
    transfer.transfer(postgres_database)

    with pytest.raises(backup.BackupError, match="target database is not empty"):
        transfer.transfer(postgres_database)


def test_transfer_to_an_unreachable_or_unusable_address_says_so(transactional_db):
    with pytest.raises(backup.BackupError, match="cannot be reached"):
        transfer.transfer("postgres://nobody@127.0.0.1:1/nowhere")
    with pytest.raises(backup.BackupError, match="not a usable database address"):
        transfer.transfer("mysql://root@127.0.0.1/crm")
